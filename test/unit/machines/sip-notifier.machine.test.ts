/**
 * The notifier machine as a table: each row is a script of events and simulated time,
 * and the Subscription-State values (and other actions) it must produce.
 */
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import {
  isUsageDestroying,
  presenceChangedNotify,
  sipNotifierMachine,
  type NotifierEvent,
  type SendNotifyParams,
} from "../../../machines/sip-notifier.machine.js";

type Snapshot = SnapshotFrom<typeof sipNotifierMachine>;

/** One step of a script: an event (time is filled in), or time passing. */
type Step =
  | { readonly subscribe: number }
  | { readonly advance: number }
  | "approve" | "deny" | "change" | "removed" | "stopping"
  | { readonly failed: number };

const T0 = Date.UTC(2026, 0, 1, 12);

/**
 * Runs a script against the machine with a simulated clock: `scheduleExpiry` arms one
 * timer, and `advance` fires `expiry.due` when the clock passes it, as the adapter does.
 */
function run(preApproved: boolean, steps: readonly Step[]) {
  let now = T0;
  let timer: number | undefined;
  const notifies: string[] = [];
  const log: string[] = [];
  let [snapshot, actions] = initialTransition(sipNotifierMachine, { preApproved });
  const apply = (acts: typeof actions): void => {
    for (const a of acts) {
      if (a.type === "sendNotify") notifies.push(format(a.params as SendNotifyParams, now));
      else if (a.type === "scheduleExpiry") timer = (a.params as { expiresAt: number }).expiresAt;
      else if (a.type === "cancelExpiry") timer = undefined;
      if (["sendNotify", "scheduleExpiry", "cancelExpiry", "persist"].includes(a.type)) log.push(a.type);
    }
  };
  const send = (event: NotifierEvent): void => {
    [snapshot, actions] = transition(sipNotifierMachine, snapshot, event);
    apply(actions);
  };
  apply(actions);
  for (const step of steps) {
    if (step === "approve") send({ type: "watcher.approved" });
    else if (step === "deny") send({ type: "watcher.denied" });
    else if (step === "change") send({ type: "presence.changed" });
    else if (step === "removed") send({ type: "presentity.removed" });
    else if (step === "stopping") send({ type: "notifier.stopping" });
    else if ("subscribe" in step) send({ type: "subscribe.received", now, expires: step.subscribe });
    else if ("failed" in step) send({ type: "notify.failed", status: step.failed });
    else {
      const until = now + step.advance;
      while (timer !== undefined && timer <= until && snapshot.status !== "done") {
        now = timer;
        timer = undefined;
        send({ type: "expiry.due", now });
      }
      now = until;
    }
  }
  return { snapshot: snapshot as Snapshot, notifies, log, timer };
}

/** The Subscription-State header the adapter would write, and `+body` when state goes with it. */
function format(p: SendNotifyParams, now: number): string {
  const expires = p.expiresAt === undefined ? "" : `;expires=${Math.max(0, Math.ceil((p.expiresAt - now) / 1000))}`;
  const reason = p.reason === undefined ? "" : `;reason=${p.reason}`;
  return `${p.subscriptionState}${p.subscriptionState === "terminated" ? reason : expires}${p.withBody ? "+body" : ""}`;
}

interface Row {
  readonly name: string;
  readonly preApproved?: boolean;
  readonly steps: readonly Step[];
  readonly notifies: readonly string[];
  readonly state: "pending" | "active" | "terminated";
  readonly reason?: string;
}

const TABLE: readonly Row[] = [
  { name: "new watcher waits in pending, no state in the NOTIFY", steps: [{ subscribe: 3600 }], notifies: ["pending;expires=3600"], state: "pending" },
  {
    name: "approval makes it active with the state",
    steps: [{ subscribe: 3600 }, { advance: 10_000 }, "approve"],
    notifies: ["pending;expires=3600", "active;expires=3590+body"],
    state: "active",
  },
  {
    name: "a pre-approved watcher is active at once",
    preApproved: true,
    steps: [{ subscribe: 600 }],
    notifies: ["active;expires=600+body"],
    state: "active",
  },
  {
    name: "denial terminates with reason=rejected and no state",
    steps: [{ subscribe: 3600 }, "deny"],
    notifies: ["pending;expires=3600", "terminated;reason=rejected"],
    state: "terminated",
    reason: "rejected",
  },
  {
    name: "approval withdrawn while active",
    preApproved: true,
    steps: [{ subscribe: 3600 }, "deny"],
    notifies: ["active;expires=3600+body", "terminated;reason=rejected"],
    state: "terminated",
    reason: "rejected",
  },
  {
    name: "changes while pending send nothing (RFC 3856 §6.6.2)",
    steps: [{ subscribe: 3600 }, "change", "change"],
    notifies: ["pending;expires=3600"],
    state: "pending",
  },
  {
    name: "every change while active is a NOTIFY with the state",
    preApproved: true,
    steps: [{ subscribe: 3600 }, { advance: 1000 }, "change", { advance: 1000 }, "change"],
    notifies: ["active;expires=3600+body", "active;expires=3599+body", "active;expires=3598+body"],
    state: "active",
  },
  {
    name: "refresh re-arms the expiry and answers with a NOTIFY",
    preApproved: true,
    steps: [{ subscribe: 60 }, { advance: 50_000 }, { subscribe: 60 }, { advance: 50_000 }],
    notifies: ["active;expires=60+body", "active;expires=60+body"],
    state: "active",
  },
  {
    name: "no refresh: expiry sends terminated;reason=timeout",
    preApproved: true,
    steps: [{ subscribe: 60 }, { advance: 60_000 }],
    notifies: ["active;expires=60+body", "terminated;reason=timeout+body"],
    state: "terminated",
    reason: "timeout",
  },
  {
    name: "a pending subscription expires too, without state",
    steps: [{ subscribe: 60 }, { advance: 61_000 }],
    notifies: ["pending;expires=60", "terminated;reason=timeout"],
    state: "terminated",
    reason: "timeout",
  },
  {
    name: "unsubscribe in the dialog: terminated;reason=timeout with the last state",
    preApproved: true,
    steps: [{ subscribe: 3600 }, { subscribe: 0 }],
    notifies: ["active;expires=3600+body", "terminated;reason=timeout+body"],
    state: "terminated",
    reason: "timeout",
  },
  {
    name: "fetch by an approved watcher: one terminated NOTIFY with the state (RFC 6665 §4.4.3)",
    preApproved: true,
    steps: [{ subscribe: 0 }],
    notifies: ["terminated;reason=timeout+body"],
    state: "terminated",
    reason: "timeout",
  },
  {
    name: "fetch by a watcher nobody approved yet: terminated without state",
    steps: [{ subscribe: 0 }],
    notifies: ["terminated;reason=timeout"],
    state: "terminated",
    reason: "timeout",
  },
  {
    name: "481 to a NOTIFY ends the subscription without another NOTIFY",
    preApproved: true,
    steps: [{ subscribe: 3600 }, { failed: 481 }, "change"],
    notifies: ["active;expires=3600+body"],
    state: "terminated",
  },
  {
    name: "408 (Timer F) ends it as well",
    steps: [{ subscribe: 3600 }, { failed: 408 }],
    notifies: ["pending;expires=3600"],
    state: "terminated",
  },
  {
    name: "a 500 to a NOTIFY keeps the subscription",
    preApproved: true,
    steps: [{ subscribe: 3600 }, { failed: 500 }, "change"],
    notifies: ["active;expires=3600+body", "active;expires=3600+body"],
    state: "active",
  },
  {
    name: "presentity no longer served: terminated;reason=noresource",
    preApproved: true,
    steps: [{ subscribe: 3600 }, "removed"],
    notifies: ["active;expires=3600+body", "terminated;reason=noresource"],
    state: "terminated",
    reason: "noresource",
  },
  {
    name: "the bridge shuts down: an active watcher is told to subscribe again (reason=deactivated)",
    preApproved: true,
    steps: [{ subscribe: 3600 }, "stopping"],
    notifies: ["active;expires=3600+body", "terminated;reason=deactivated"],
    state: "terminated",
    reason: "deactivated",
  },
  {
    name: "the bridge shuts down: a pending watcher too",
    preApproved: false,
    steps: [{ subscribe: 3600 }, "stopping"],
    notifies: ["pending;expires=3600", "terminated;reason=deactivated"],
    state: "terminated",
    reason: "deactivated",
  },
  {
    name: "nothing happens after terminated",
    preApproved: true,
    steps: [{ subscribe: 0 }, "change", { subscribe: 3600 }, "approve", "deny"],
    notifies: ["terminated;reason=timeout+body"],
    state: "terminated",
  },
];

describe("sip-notifier machine (RFC 6665 §4.2, RFC 3856 §6)", () => {
  it.each(TABLE)("$name", (row) => {
    const { snapshot, notifies } = run(row.preApproved ?? false, row.steps);
    expect(notifies).toEqual(row.notifies);
    expect(snapshot.value).toBe(row.state);
    if (row.reason !== undefined) expect(snapshot.context.reason).toBe(row.reason);
  });

  it("an early timer re-arms; the deadline decides", () => {
    let [s] = initialTransition(sipNotifierMachine, { preApproved: false });
    [s] = transition(sipNotifierMachine, s, { type: "subscribe.received", now: T0, expires: 60 });
    const [early, earlyActions] = transition(sipNotifierMachine, s, { type: "expiry.due", now: T0 + 59_000 });
    expect(early.value).toBe("pending");
    expect(earlyActions.map((a) => [a.type, a.params])).toEqual([["scheduleExpiry", { expiresAt: T0 + 60_000 }]]);
    const [due, actions] = transition(sipNotifierMachine, s, { type: "expiry.due", now: T0 + 60_000 });
    expect(due.value).toBe("terminated");
    expect(actions.map((a) => a.type)).toEqual(["sendNotify", "cancelExpiry", "persist"]);
    expect(actions[0]?.params).toEqual({ subscriptionState: "terminated", reason: "timeout", withBody: false });
  });

  it("keeps the deadline as data: expiresAt survives a persisted snapshot", () => {
    const { snapshot } = run(true, [{ subscribe: 600 }]);
    const persisted = JSON.parse(JSON.stringify(sipNotifierMachine.getPersistedSnapshot(snapshot))) as Snapshot;
    const restored = sipNotifierMachine.resolveState(persisted);
    expect(restored.context.expiresAt).toBe(T0 + 600_000);
    const [next, actions] = transition(sipNotifierMachine, restored, { type: "presence.changed" });
    expect(next.value).toBe("active");
    expect(actions.map((a) => a.type)).toEqual(["sendNotify"]);
  });

  it("persists on every state change and cancels the timer on termination", () => {
    expect(run(false, [{ subscribe: 60 }, "approve", "deny"]).log).toEqual([
      "sendNotify", "scheduleExpiry", "persist", // pending
      "sendNotify", "persist", // active
      "sendNotify", "cancelExpiry", "persist", // terminated
    ]);
  });

  it.each([
    ["pending", false, [{ subscribe: 600 }]],
    ["active", true, [{ subscribe: 600 }]],
    ["active after a refresh", true, [{ subscribe: 600 }, { advance: 5000 }, { subscribe: 900 }]],
    ["terminated", true, [{ subscribe: 600 }, "deny"]],
  ] as const)("the presence.changed hot path agrees with the machine (%s)", (_name, preApproved, steps) => {
    const { snapshot } = run(preApproved, steps as readonly Step[]);
    const [next, actions] = transition(sipNotifierMachine, snapshot, { type: "presence.changed" });
    expect(next.value).toBe(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
    const fromMachine = actions.filter((a) => a.type === "sendNotify").map((a) => a.params);
    const fast = presenceChangedNotify(snapshot.value, snapshot.context);
    expect(fast === undefined ? [] : [fast]).toEqual(fromMachine);
    expect(actions.filter((a) => a.type !== "sendNotify")).toEqual([]);
  });

  it("knows which NOTIFY responses destroy the usage (RFC 6665 §4.2.2, RFC 5057 §5.1)", () => {
    expect([481, 408, 489, 404].every(isUsageDestroying)).toBe(true);
    expect([500, 503, 401, 407, 491, 200].some(isUsageDestroying)).toBe(false);
  });
});
