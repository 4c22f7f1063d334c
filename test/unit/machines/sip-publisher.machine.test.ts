/** The RFC 3903 publisher machine: entity-tag life cycle, coalescing, and "ends in the latest state" under any interleaving. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { refreshAtFor } from "../../../machines/sip-retry.js";
import { sipPublisherMachine, type PublisherEvent, type SendPublishParams } from "../../../machines/sip-publisher.machine.js";

type Snapshot = SnapshotFrom<typeof sipPublisherMachine>;
type Action = { readonly type: string; readonly params?: unknown };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class Driver {
  now = 5_000_000;
  snapshot: Snapshot;
  readonly sent: SendPublishParams[] = [];

  constructor(expires = 600) {
    [this.snapshot] = initialTransition(sipPublisherMachine, { id: "sip:alice@example.com", expires });
  }

  get state(): string {
    return String(this.snapshot.value);
  }

  send(event: DistributiveOmit<PublisherEvent, "now">): Action[] {
    const [next, actions] = transition(sipPublisherMachine, this.snapshot, { ...event, now: this.now } as PublisherEvent);
    this.snapshot = next;
    const out = actions.map((a) => ({ type: a.type, ...(a.params === undefined ? {} : { params: a.params }) }));
    for (const a of out) if (a.type === "sendPublish") this.sent.push(a.params as SendPublishParams);
    return out;
  }
}

const sends = (actions: Action[]): unknown[] => actions.filter((a) => a.type === "sendPublish").map((a) => a.params);

describe("sip-publisher machine: the RFC 3903 life cycle", () => {
  it("initial (body) → 200 with SIP-ETag → refresh (no body, If-Match) → modify (body, If-Match) → remove (Expires: 0)", () => {
    const d = new Driver();
    expect(sends(d.send({ type: "publish.requested" }))).toEqual([{ kind: "initial", expires: 600 }]);
    expect(d.send({ type: "publish.accepted", etag: "e1", expires: 300 })).toEqual([
      { type: "scheduleRefresh", params: { at: refreshAtFor(d.now, 300) } },
      { type: "reportState", params: { state: "published", etag: "e1", expiresAt: d.now + 300_000 } },
    ]);
    d.now = refreshAtFor(d.now, 300);
    expect(sends(d.send({ type: "refresh.due" }))).toEqual([{ kind: "refresh", expires: 600, etag: "e1" }]);
    d.send({ type: "publish.accepted", etag: "e2", expires: 300 });
    expect(sends(d.send({ type: "publish.requested" }))).toEqual([{ kind: "modify", expires: 600, etag: "e2" }]);
    d.send({ type: "publish.accepted", etag: "e3", expires: 300 });
    expect(sends(d.send({ type: "unpublish.requested" }))).toEqual([{ kind: "remove", expires: 0, etag: "e3" }]);
    expect(d.send({ type: "publish.accepted", expires: 0 })).toEqual([{ type: "cancelTimers" }, { type: "reportState", params: { state: "removed" } }]);
    expect(d.state).toBe("idle");
  });

  it("412 → publishes afresh at once, with the latest body and no SIP-If-Match", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    d.send({ type: "publish.accepted", etag: "e1", expires: 600 });
    d.send({ type: "publish.requested" });
    expect(sends(d.send({ type: "request.failed", status: 412 }))).toEqual([{ kind: "initial", expires: 600 }]);
  });

  it("423 → asks again with Min-Expires", () => {
    const d = new Driver(60);
    d.send({ type: "publish.requested" });
    expect(sends(d.send({ type: "request.failed", status: 423, minExpires: 1800 }))).toEqual([{ kind: "initial", expires: 1800 }]);
  });

  it("503 → back-off; changes meanwhile go out as one when the retry is due", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    d.send({ type: "publish.accepted", etag: "e1", expires: 600 });
    d.send({ type: "publish.requested" });
    expect(d.send({ type: "request.failed", status: 503, retryAfter: 5 }).map((a) => a.type)).toEqual(["scheduleRetry", "reportState"]);
    d.send({ type: "publish.requested" });
    d.send({ type: "publish.requested" });
    expect(sends(d.send({ type: "retry.due" }))).toEqual([]); // not yet due
    d.now = d.snapshot.context.retryAt;
    expect(sends(d.send({ type: "retry.due" }))).toEqual([{ kind: "modify", expires: 600, etag: "e1" }]);
  });

  it.each([[403], [489], [404]])("%i → failed and reported; a later publish starts afresh", (status) => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    expect(d.send({ type: "request.failed", status }).at(-1)).toMatchObject({ type: "reportState", params: { state: "failed", statusCode: status } });
    expect(sends(d.send({ type: "publish.requested" }))).toEqual([{ kind: "initial", expires: 600 }]);
  });

  it("412 to a remove → idle and removed, nothing more sent", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    d.send({ type: "publish.accepted", etag: "e1", expires: 600 });
    d.send({ type: "unpublish.requested" });
    expect(d.send({ type: "request.failed", status: 412 })).toEqual([{ type: "cancelTimers" }, { type: "reportState", params: { state: "removed" } }]);
    expect(d.state).toBe("idle");
  });

  it("unpublish while the initial PUBLISH is in flight → remove with the tag it got", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    d.send({ type: "unpublish.requested" });
    expect(sends(d.send({ type: "publish.accepted", etag: "e1", expires: 600 }))).toEqual([{ kind: "remove", expires: 0, etag: "e1" }]);
  });

  it("unpublish while waiting to retry a publication never acknowledged → idle, nothing sent", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    d.send({ type: "transport.failed" });
    expect(d.send({ type: "unpublish.requested" })).toEqual([{ type: "cancelTimers" }, { type: "reportState", params: { state: "removed" } }]);
  });
});

describe("sip-publisher machine: coalescing", () => {
  it("1,000 changes while one PUBLISH is in flight cost one more PUBLISH, not 1,000", () => {
    const d = new Driver();
    d.send({ type: "publish.requested" });
    for (let i = 0; i < 1_000; i++) expect(d.send({ type: "publish.requested" })).toEqual([]);
    expect(sends(d.send({ type: "publish.accepted", etag: "e1", expires: 600 }))).toEqual([{ kind: "modify", expires: 600, etag: "e1" }]);
    expect(d.send({ type: "publish.accepted", etag: "e2", expires: 600 }).map((a) => a.type)).toEqual(["scheduleRefresh", "reportState"]);
    expect(d.sent).toHaveLength(2);
  });

  /**
   * A simulated ESC and adapter: the adapter's latest version goes with each initial/modify;
   * responses come back in order, some failing (412, 503) or lost (transport). Whatever the
   * interleaving, once everything is answered the ESC holds the latest wanted state.
   */
  it("ends in the latest state under any interleaving of changes, answers and failures", () => {
    type Step = { kind: "change" } | { kind: "remove" } | { kind: "answer"; outcome: "ok" | "412" | "503" | "lost" } | { kind: "time" };
    const step = fc.oneof(
      fc.constant<Step>({ kind: "change" }),
      fc.constant<Step>({ kind: "remove" }),
      fc.constantFrom<"ok" | "412" | "503" | "lost">("ok", "ok", "ok", "412", "503", "lost").map<Step>((outcome) => ({ kind: "answer", outcome })),
      fc.constant<Step>({ kind: "time" }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const d = new Driver();
      let latest = 0;
      let wanted = false;
      const esc = { etag: undefined as string | undefined, version: 0, present: false, n: 0 };
      let inFlight: { params: SendPublishParams; version: number } | undefined;
      const track = (actions: Action[]): void => {
        for (const a of actions) if (a.type === "sendPublish") inFlight = { params: a.params as SendPublishParams, version: latest };
      };
      const answer = (outcome: "ok" | "412" | "503" | "lost"): void => {
        const sent = inFlight;
        if (!sent) return;
        inFlight = undefined;
        const { kind, etag } = sent.params;
        if (outcome === "lost") return track(d.send({ type: "transport.failed" }));
        if (outcome === "503") return track(d.send({ type: "request.failed", status: 503 }));
        // A forced 412 stands for an ESC that lost the publication (expiry, restart).
        if (outcome === "412") Object.assign(esc, { present: false, etag: undefined });
        // RFC 3903 §6: a conditional request whose tag is not current gets 412.
        if (kind !== "initial" && (etag !== esc.etag || !esc.present)) return track(d.send({ type: "request.failed", status: 412 }));
        if (kind === "remove") Object.assign(esc, { present: false, etag: undefined });
        else Object.assign(esc, { present: true, etag: `e${++esc.n}`, version: kind === "refresh" ? esc.version : sent.version });
        track(d.send({ type: "publish.accepted", expires: kind === "remove" ? 0 : 600, ...(kind === "remove" ? {} : { etag: esc.etag }) }));
      };
      for (const s of steps) {
        if (s.kind === "change") { latest++; wanted = true; track(d.send({ type: "publish.requested" })); }
        else if (s.kind === "remove") { wanted = false; track(d.send({ type: "unpublish.requested" })); }
        else if (s.kind === "answer") answer(s.outcome);
        else { d.now = Math.max(d.snapshot.context.retryAt, d.snapshot.context.refreshAt, d.now); track(d.send({ type: d.state === "published" ? "refresh.due" : "retry.due" })); }
      }
      // Settle: answer everything, let retries fall due.
      for (let i = 0; i < 50 && (inFlight || d.state === "waitingToRetry"); i++) {
        if (inFlight) answer("ok");
        else { d.now = d.snapshot.context.retryAt; track(d.send({ type: "retry.due" })); }
      }
      expect(inFlight).toBeUndefined();
      expect(esc.present).toBe(wanted);
      if (wanted) expect(esc.version).toBe(latest);
    }), { numRuns: 3_000 });
  });
});
