/**
 * The RFC 6121 Appendix A rows again, end to end through the registry: a
 * record in the existing state in the store, a restart, the stanza; then the
 * state held, the record stored, and whether the stanza really went out
 * (routed to the watcher, or delivered to the gateway).
 */
import { describe, expect, it } from "vitest";
import { fixedPolicy } from "../../../src/gateway/approval-policy.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { flagsOfState } from "../../../src/gateway/subscriptions-record.js";
import type { SubscriptionOutcome } from "../../../src/gateway/subscriptions-types.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import {
  A_2_1_SUBSCRIBED,
  A_2_2_UNSUBSCRIBED,
  A_3_1_SUBSCRIBE,
  A_3_2_UNSUBSCRIBE,
  A_3_3_SUBSCRIBED,
  A_3_4_UNSUBSCRIBED,
  OUTBOUND_SUBSCRIBE,
  OUTBOUND_UNSUBSCRIBE,
  type Row,
} from "../machines/subscription-tables.js";
import { RecordingEffects, RecordingLogger, SimClock } from "./helpers.js";

const C = "1001@sip.example.com";
const W = "juliet@capulet.lit";

type Call = (registry: SubscriptionRegistry) => SubscriptionOutcome;

const TABLES: readonly [string, readonly Row[], Call, string][] = [
  ["§A.2.1 approve()", A_2_1_SUBSCRIBED, (r) => r.approve(C, W), `subscribed ${C} → ${W}`],
  ["§A.2.2 cancel()", A_2_2_UNSUBSCRIBED, (r) => r.cancel(C, W), `unsubscribed ${C} → ${W}`],
  ["§A.2.2 deny()", A_2_2_UNSUBSCRIBED, (r) => r.deny(C, W), `unsubscribed ${C} → ${W}`],
  ["§A.2 subscribe()", OUTBOUND_SUBSCRIBE, (r) => r.subscribe(C, W), `subscribe ${C} → ${W}`],
  ["§A.2 unsubscribe()", OUTBOUND_UNSUBSCRIBE, (r) => r.unsubscribe(C, W), `unsubscribe ${C} → ${W}`],
  ["§A.3.1 received subscribe", A_3_1_SUBSCRIBE, (r) => r.received(C, W, "subscribe"), `ask ${C} about ${W}`],
  ["§A.3.2 received unsubscribe", A_3_2_UNSUBSCRIBE, (r) => r.received(C, W, "unsubscribe"), `deliver unsubscribe ${W} → ${C}`],
  ["§A.3.3 received subscribed", A_3_3_SUBSCRIBED, (r) => r.received(C, W, "subscribed"), `deliver subscribed ${W} → ${C}`],
  ["§A.3.4 received unsubscribed", A_3_4_UNSUBSCRIBED, (r) => r.received(C, W, "unsubscribed"), `deliver unsubscribed ${W} → ${C}`],
];

describe.each(TABLES)("RFC 6121 %s through the registry", (_title, rows, call, passed) => {
  it.each(rows.map((r) => [r.existing, r] as const))("from %s", (_existing, row) => {
    const store = new MemoryStore();
    const clock = new SimClock();
    if (row.existing !== "none") {
      const flags = flagsOfState(row.existing);
      store.putSubscription({
        contact: C, watcher: W, ...flags, preApproved: false, updatedAt: 1,
        ...(flags.pendingOut ? { resendAt: clock.now() + 60_000, resendCount: 0 } : {}),
        ...(flags.pendingIn ? { decideBy: clock.now() + 60_000, askCount: 0 } : {}),
      });
    }
    const effects = new RecordingEffects();
    const registry = new SubscriptionRegistry({ store, clock, effects, logger: new RecordingLogger(), policy: fixedPolicy("defer") });
    registry.restore();
    const out = call(registry);
    const expected = row.change ?? row.existing;
    expect(out.after).toBe(expected);
    expect(registry.stateOf(C, W)).toBe(expected);
    const sent = effects.take();
    expect(sent.includes(passed)).toBe(row.pass);
    if (row.autoReply === true) expect(sent).toEqual([`subscribed ${C} → ${W}`, `presence ${C} → ${W}`]);
    const stored = store.getSubscription(C, W);
    if (expected === "none" && row.preApproval !== true) expect(stored).toBeUndefined();
    else expect(stored).toMatchObject({ ...flagsOfState(expected), preApproved: row.preApproval === true });
    // Deadlines follow the pending flags.
    expect(stored?.resendAt !== undefined).toBe(stored?.pendingOut === true);
    expect(stored?.decideBy !== undefined).toBe(stored?.pendingIn === true);
  });
});
