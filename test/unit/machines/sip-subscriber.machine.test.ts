/** The SIP subscriber machine as a value: table-driven, with a simulated clock and one timer per subscription. */
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { sipSubscriberMachine, type SubscriberEvent, type SubscriberInput } from "../../../machines/sip-subscriber.machine.js";
import { refreshAtFor, retryDelayMs, DEFAULT_BACKOFF } from "../../../machines/sip-retry.js";

type Snapshot = SnapshotFrom<typeof sipSubscriberMachine>;
type Timer = { readonly event: "refresh.due" | "retry.due" | "notify.timeout"; readonly at: number };
type Action = { readonly type: string; readonly params?: unknown };

/**
 * Drives the machine the way src/sip/subscriber does: pure transitions, one timer per
 * subscription (each schedule* replaces it, cancelTimers drops it), time moved by hand.
 */
class Driver {
  now = 1_000_000;
  snapshot: Snapshot;
  timer: Timer | undefined;
  readonly log: Action[] = [];

  constructor(input: Partial<SubscriberInput> = {}) {
    [this.snapshot] = initialTransition(sipSubscriberMachine, { id: "sip:1001@pbx.example.com presence", expires: 600, ...input });
  }

  get state(): string {
    return String(this.snapshot.value);
  }

  /** Sends an event (`now` filled in) and returns the actions it produced. */
  send(event: DistributiveOmit<SubscriberEvent, "now">): Action[] {
    const [next, actions] = transition(sipSubscriberMachine, this.snapshot, { ...event, now: this.now } as SubscriberEvent);
    this.snapshot = next;
    const out = actions.map((a) => ({ type: a.type, ...(a.params === undefined ? {} : { params: a.params }) }));
    for (const action of out) {
      const at = (action.params as { at?: number } | undefined)?.at;
      if (action.type === "scheduleRefresh" && at !== undefined) this.timer = { event: "refresh.due", at };
      if (action.type === "scheduleRetry" && at !== undefined) this.timer = { event: "retry.due", at };
      if (action.type === "scheduleTimeout" && at !== undefined) this.timer = { event: "notify.timeout", at };
      if (action.type === "cancelTimers") this.timer = undefined;
    }
    this.log.push(...out);
    return out;
  }

  /** Moves the clock, firing the timer when it falls due. */
  advance(ms: number): Action[] {
    const end = this.now + ms;
    const fired: Action[] = [];
    while (this.timer && this.timer.at <= end) {
      const timer = this.timer;
      this.timer = undefined;
      this.now = Math.max(this.now, timer.at);
      fired.push(...this.send({ type: timer.event }));
    }
    this.now = end;
    return fired;
  }

  /** init → notifyWait → 200 → NOTIFY active. */
  activate(expires = 600): void {
    this.send({ type: "subscribe.start" });
    this.send({ type: "subscribe.accepted", expires });
    this.send({ type: "notify.received", state: "active", expires });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const types = (actions: Action[]): string[] => actions.map((a) => a.type);
const ID = "sip:1001@pbx.example.com presence";

describe("sip-subscriber machine: the happy path", () => {
  it("subscribes, waits for the NOTIFY, goes active, hands on the body and arms the refresh", () => {
    const d = new Driver();
    expect(d.send({ type: "subscribe.start" })).toEqual([
      { type: "sendSubscribe", params: { kind: "initial", expires: 600 } },
      { type: "scheduleTimeout", params: { at: d.now + 32_000 } },
    ]);
    expect(d.state).toBe("notifyWait");
    expect(d.send({ type: "subscribe.accepted", expires: 600 })).toEqual([]);
    expect(d.state).toBe("notifyWait");
    expect(d.send({ type: "notify.received", state: "active", expires: 300 })).toEqual([
      { type: "deliverBody", params: { subscriptionState: "active" } },
      { type: "scheduleRefresh", params: { at: refreshAtFor(d.now, 300) } },
      { type: "reportState", params: { state: "active" } },
    ]);
    expect(d.state).toBe("active");
  });

  it("refreshes inside the dialog before expiry, for a day, with one timer", () => {
    // Unanswered, the first refresh is sent once and nothing else happens (its 408 would come as request.failed).
    const unanswered = new Driver();
    unanswered.activate(600);
    expect(types(unanswered.advance(24 * 3600 * 1000))).toEqual(["sendSubscribe"]);
    // Answered as they go:
    const d2 = new Driver();
    d2.activate(600);
    let refreshes = 0;
    for (let t = 0; t < 24 * 60; t++) {
      for (const action of d2.advance(60_000)) {
        if (action.type === "sendSubscribe") {
          expect(action.params).toEqual({ kind: "refresh", expires: 600 });
          refreshes++;
          d2.send({ type: "subscribe.accepted", expires: 600 });
        }
      }
    }
    // 600 s granted, refreshed 60 s early: every 540 s, 160 times in 24 h.
    expect(refreshes).toBe(160);
    expect(d2.state).toBe("active");
  });

  it("ignores a refresh.due that comes early (a timer restored from an older snapshot)", () => {
    const d = new Driver();
    d.activate();
    expect(d.send({ type: "refresh.due" })).toEqual([]);
  });
});

describe("sip-subscriber machine: final responses to the initial SUBSCRIBE", () => {
  it.each([
    [489, "unsupported-event"], [403, "denied"], [603, "denied"], [404, "gone"], [410, "gone"], [604, "gone"],
    [401, "unauthorized"], [407, "unauthorized"], [405, "failed"], [501, "failed"], [420, "failed"],
  ])("%i → terminated (%s)", (status, reason) => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    expect(d.send({ type: "request.failed", status })).toEqual([
      { type: "cancelTimers" },
      { type: "reportState", params: { state: "terminated", reason, statusCode: status } },
    ]);
    expect(d.state).toBe("terminated");
  });

  it.each([408, 480, 486, 500, 503, 504, 600])("%i → back-off and a new SUBSCRIBE when it is due", (status) => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    const at = d.now + retryDelayMs(ID, 1, DEFAULT_BACKOFF);
    expect(d.send({ type: "request.failed", status })).toEqual([
      { type: "scheduleRetry", params: { at } },
      { type: "reportState", params: { state: "retrying", retryAt: at, statusCode: status } },
    ]);
    expect(d.state).toBe("waitingToRetry");
    expect(d.advance(at - d.now - 1)).toEqual([]);
    expect(types(d.advance(1))).toEqual(["sendSubscribe", "scheduleTimeout"]);
    expect(d.state).toBe("notifyWait");
  });

  it("423 → asks again at once with Min-Expires; a 423 that does not raise it backs off", () => {
    const d = new Driver({ expires: 60 });
    d.send({ type: "subscribe.start" });
    expect(d.send({ type: "request.failed", status: 423, minExpires: 1800 })[0]).toEqual({ type: "sendSubscribe", params: { kind: "initial", expires: 1800 } });
    expect(d.state).toBe("notifyWait");
    expect(types(d.send({ type: "request.failed", status: 423, minExpires: 1800 }))).toEqual(["scheduleRetry", "reportState"]);
  });

  it("503 with Retry-After waits that many seconds (plus at most a tenth), not milliseconds", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    d.send({ type: "request.failed", status: 503, retryAfter: 30 });
    const wait = d.snapshot.context.retryAt - d.now;
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThanOrEqual(33_000);
  });

  it("backs off exponentially with jitter, capped, on repeated transport failures", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      d.send({ type: "transport.failed" });
      waits.push(d.snapshot.context.retryAt - d.now);
      d.advance(d.snapshot.context.retryAt - d.now);
    }
    waits.forEach((wait, i) => {
      const step = Math.min(300_000, 2_000 * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(step / 2);
      expect(wait).toBeLessThanOrEqual(step);
    });
    expect(d.snapshot.context.attempt).toBe(10);
  });

  it("spreads the retries of many subscriptions that failed together", () => {
    const waits = new Set(Array.from({ length: 100 }, (_, i) => retryDelayMs(`sip:${1000 + i}@pbx presence`, 1, DEFAULT_BACKOFF)));
    expect(waits.size).toBeGreaterThan(90);
  });

  it("Timer N: no NOTIFY within 32 s of the SUBSCRIBE → back-off (RFC 6665 §4.1.2.4)", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    d.send({ type: "subscribe.accepted", expires: 600 });
    expect(d.advance(31_999)).toEqual([]);
    expect(types(d.advance(1))).toEqual(["scheduleRetry", "reportState"]);
    expect(d.state).toBe("waitingToRetry");
  });
});

describe("sip-subscriber machine: Subscription-State terminated, by reason (FIELD.md §2.2)", () => {
  it.each([["deactivated"], ["timeout"]])("%s → subscribe again at once; a second time in a row → back-off", (reason) => {
    const d = new Driver();
    d.activate();
    expect(d.send({ type: "notify.received", state: "terminated", reason })).toEqual([
      { type: "deliverBody", params: { subscriptionState: "terminated" } },
      { type: "sendSubscribe", params: { kind: "initial", expires: 600 } },
      { type: "scheduleTimeout", params: { at: d.now + 32_000 } },
    ]);
    d.send({ type: "notify.received", state: "active", expires: 600 });
    expect(types(d.send({ type: "notify.received", state: "terminated", reason }))).toEqual(["deliverBody", "scheduleRetry", "reportState"]);
  });

  it.each([["probation"], ["giveup"]])("%s;retry-after=120 → a new SUBSCRIBE after 120 s, not before", (reason) => {
    const d = new Driver();
    d.activate();
    d.send({ type: "notify.received", state: "terminated", reason, retryAfter: 120 });
    expect(d.state).toBe("waitingToRetry");
    expect(d.advance(119_999)).toEqual([]);
    expect(types(d.advance(12_001))).toEqual(["sendSubscribe", "scheduleTimeout"]);
  });

  it.each([["rejected", "denied"], ["noresource", "gone"], ["invariant", "invariant"]])("%s → stop and report %s", (reason, outcome) => {
    const d = new Driver();
    d.activate();
    expect(d.send({ type: "notify.received", state: "terminated", reason })).toEqual([
      { type: "deliverBody", params: { subscriptionState: "terminated" } },
      { type: "cancelTimers" },
      { type: "reportState", params: { state: "terminated", reason: outcome } },
    ]);
  });

  it("no reason or an unknown one → subscribe again later (RFC 6665 §4.1.3)", () => {
    const d = new Driver();
    d.activate();
    d.send({ type: "notify.received", state: "terminated" });
    expect(d.state).toBe("waitingToRetry");
  });

  it("pending, then active: each reported once", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    expect(types(d.send({ type: "notify.received", state: "pending", expires: 600 }))).toEqual(["deliverBody", "scheduleRefresh", "reportState"]);
    expect(types(d.send({ type: "notify.received", state: "pending", expires: 600 }))).toEqual(["deliverBody", "scheduleRefresh"]);
    expect(d.send({ type: "notify.received", state: "active", expires: 600 }).at(-1)).toEqual({ type: "reportState", params: { state: "active" } });
  });
});

describe("sip-subscriber machine: refresh failures", () => {
  it("481 to a refresh (the notifier lost the dialog) → a new subscription at once", () => {
    const d = new Driver();
    d.activate();
    d.advance(540_000);
    expect(types(d.send({ type: "request.failed", status: 481 }))).toEqual(["sendSubscribe", "scheduleTimeout"]);
    expect(d.log.at(-2)).toEqual({ type: "sendSubscribe", params: { kind: "initial", expires: 600 } });
    expect(d.state).toBe("notifyWait");
  });

  it("a 503 to a refresh retries the refresh sooner while the subscription still holds, then starts over", () => {
    const d = new Driver();
    d.activate();
    d.advance(540_000); // refresh sent; 60 s left
    d.send({ type: "request.failed", status: 503 });
    expect(d.state).toBe("active");
    expect(d.timer?.event).toBe("refresh.due");
    let guard = 0;
    while (d.state === "active" && guard++ < 20) {
      d.advance((d.timer?.at ?? d.now) - d.now);
      d.send({ type: "request.failed", status: 503 });
    }
    expect(d.state).toBe("waitingToRetry");
    expect(d.snapshot.context.inDialog).toBe(false);
  });
});

describe("sip-subscriber machine: unsubscribe and restart", () => {
  it("active → Expires: 0 in the dialog, terminated", () => {
    const d = new Driver();
    d.activate();
    expect(d.send({ type: "unsubscribe" })).toEqual([
      { type: "sendUnsubscribe" },
      { type: "cancelTimers" },
      { type: "reportState", params: { state: "terminated", reason: "unsubscribed" } },
    ]);
  });

  it("before any dialog exists → waits for it, then ends it", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    expect(d.send({ type: "unsubscribe" })).toEqual([]);
    expect(d.state).toBe("unsubscribing");
    expect(types(d.send({ type: "subscribe.accepted", expires: 600 }))).toEqual(["sendUnsubscribe", "cancelTimers", "reportState"]);
  });

  it("while waiting to retry → ends without sending anything", () => {
    const d = new Driver();
    d.send({ type: "subscribe.start" });
    d.send({ type: "transport.failed" });
    expect(types(d.send({ type: "unsubscribe" }))).toEqual(["cancelTimers", "reportState"]);
  });

  it("a restored active subscription refreshes at once; a restored back-off re-arms its retry", () => {
    const d = new Driver();
    d.activate();
    const restored = sipSubscriberMachine.resolveState({ value: "active", context: JSON.parse(JSON.stringify(d.snapshot.context)) });
    d.snapshot = restored;
    expect(d.send({ type: "subscription.resumed" })).toEqual([{ type: "sendSubscribe", params: { kind: "refresh", expires: 600 } }]);

    const w = new Driver();
    w.send({ type: "subscribe.start" });
    w.send({ type: "request.failed", status: 500 });
    w.snapshot = sipSubscriberMachine.resolveState({ value: "waitingToRetry", context: JSON.parse(JSON.stringify(w.snapshot.context)) });
    expect(w.send({ type: "subscription.resumed" })).toEqual([{ type: "scheduleRetry", params: { at: w.snapshot.context.retryAt } }]);
  });
});
