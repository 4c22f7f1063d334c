import { describe, expect, it } from "vitest";
import { transition } from "xstate";
import {
  RFC_STATE_NAMES,
  SUBSCRIPTION_STATES,
  isPendingIn,
  isPendingOut,
  subscriptionMachine,
  type SubscriptionEvent,
  type SubscriptionStateName,
} from "../../../machines/subscription.machine.js";
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
} from "./subscription-tables.js";

function step(state: SubscriptionStateName, event: SubscriptionEvent, preApproved = false) {
  const snapshot = subscriptionMachine.resolveState({ value: state, context: { preApproved } });
  const [next, actions] = transition(subscriptionMachine, snapshot, event);
  return { state: next.value as SubscriptionStateName, preApproved: next.context.preApproved, actions: actions.map((a): string => a.type) };
}

const label = (r: Row): string =>
  `"${RFC_STATE_NAMES[r.existing]}" → ${r.pass ? "yes" : "no"}, ${r.change === null ? "no state change" : `"${RFC_STATE_NAMES[r.change]}"`}`;

/** A table's check: the new state, and whether the stanza was passed on (routed or delivered). */
function table(title: string, rows: readonly Row[], event: SubscriptionEvent, passAction: string) {
  describe(title, () => {
    it("has the nine rows of RFC 6121 §A.1", () => {
      expect(rows.map((r) => r.existing)).toEqual([...SUBSCRIPTION_STATES]);
    });
    it.each(rows.map((r) => [label(r), r] as const))("%s", (_name, r) => {
      const out = step(r.existing, event);
      expect(out.state).toBe(r.change ?? r.existing);
      expect(out.actions.includes(passAction)).toBe(r.pass);
      expect(out.preApproved).toBe(r.preApproval === true);
      if (r.autoReply === true) expect(out.actions).toEqual(["sendSubscribed", "sendPresence"]);
      // "no state change" and nothing passed on: nothing at all happens, nothing is written.
      if (r.change === null && !r.pass && r.autoReply !== true && r.preApproval !== true) expect(out.actions).toEqual([]);
      if (r.change !== null || r.preApproval === true) expect(out.actions).toContain("persist");
      else expect(out.actions).not.toContain("persist");
    });
  });
}

table("RFC 6121 §A.2.1 outbound subscribed (approval.sent)", A_2_1_SUBSCRIBED, { type: "approval.sent" }, "sendSubscribed");
table("RFC 6121 §A.2.2 outbound unsubscribed (unsubscribed.sent)", A_2_2_UNSUBSCRIBED, { type: "unsubscribed.sent" }, "sendUnsubscribed");
table("RFC 6121 §A.2.2 outbound unsubscribed (denial.sent)", A_2_2_UNSUBSCRIBED, { type: "denial.sent" }, "sendUnsubscribed");
table("RFC 6121 §A.2 outbound subscribe (subscribe.sent)", OUTBOUND_SUBSCRIBE, { type: "subscribe.sent" }, "sendSubscribe");
table("RFC 6121 §A.2 outbound unsubscribe (unsubscribe.sent)", OUTBOUND_UNSUBSCRIBE, { type: "unsubscribe.sent" }, "sendUnsubscribe");
table("RFC 6121 §A.3.1 inbound subscribe", A_3_1_SUBSCRIBE, { type: "subscribe.received" }, "deliverToContact");
table("RFC 6121 §A.3.2 inbound unsubscribe", A_3_2_UNSUBSCRIBE, { type: "unsubscribe.received" }, "deliverToContact");
table("RFC 6121 §A.3.3 inbound subscribed", A_3_3_SUBSCRIBED, { type: "subscribed.received" }, "deliverToContact");
table("RFC 6121 §A.3.4 inbound unsubscribed", A_3_4_UNSUBSCRIBED, { type: "unsubscribed.received" }, "deliverToContact");

describe("RFC 6121 §3.4 pre-approval", () => {
  it.each([
    ["none", "from"],
    ["nonePendingOut", "fromPendingOut"],
    ["to", "both"],
  ] as const)("a pre-approved %s: an inbound subscribe is approved at once (→ %s), not delivered", (from, to) => {
    const out = step(from, { type: "subscribe.received" }, true);
    expect(out).toEqual({ state: to, preApproved: false, actions: ["sendSubscribed", "sendPresence", "persist"] });
  });

  it("pre-approving twice changes nothing the second time", () => {
    expect(step("none", { type: "approval.sent" }, true)).toEqual({ state: "none", preApproved: true, actions: [] });
  });

  it.each(["none", "nonePendingOut", "to"] as const)("an outbound unsubscribed cancels the pre-approval in %s and is not routed", (state) => {
    for (const type of ["unsubscribed.sent", "denial.sent"] as const) {
      expect(step(state, { type }, true)).toEqual({ state, preApproved: false, actions: ["persist"] });
    }
  });

  it("the pre-approval survives the contact's own subscription becoming To", () => {
    const out = step("nonePendingOut", { type: "subscribed.received" }, true);
    expect(out.state).toBe("to");
    expect(out.preApproved).toBe(true);
  });
});

describe("RFC 6121 §4.3.2 probes", () => {
  it.each(SUBSCRIPTION_STATES.map((s) => [s]))("a probe in %s changes nothing", (state) => {
    const out = step(state, { type: "probe.received" });
    expect(out.state).toBe(state);
    const subscribed = state === "from" || state === "fromPendingOut" || state === "both";
    // Subscribed watchers get the last known presence; others `unsubscribed`.
    expect(out.actions).toEqual([subscribed ? "sendPresence" : "sendUnsubscribed"]);
  });
});

describe("inbound auto-reply and unsubscribe side effects", () => {
  it("§3.3.3: a watcher that unsubscribes from From/Both gets unavailable presence", () => {
    for (const state of ["from", "fromPendingOut", "both"] as const) {
      expect(step(state, { type: "unsubscribe.received" }).actions).toEqual(["deliverToContact", "sendUnavailable", "persist"]);
    }
  });
  it("§3.2.2: cancelling a subscription sends unavailable before unsubscribed", () => {
    expect(step("both", { type: "unsubscribed.sent" }).actions).toEqual(["sendUnavailable", "sendUnsubscribed", "persist"]);
  });
  it("§3.1.5: an approval sends the contact's presence after subscribed", () => {
    expect(step("nonePendingIn", { type: "approval.sent" }).actions).toEqual(["sendSubscribed", "sendPresence", "disarmDecision", "persist"]);
  });
});

describe("deadlines are armed exactly while a request is outstanding", () => {
  const events: SubscriptionEvent["type"][] = [
    "subscribe.received", "subscribed.received", "unsubscribe.received", "unsubscribed.received", "probe.received",
    "subscribe.sent", "approval.sent", "denial.sent", "unsubscribe.sent", "unsubscribed.sent", "resend.due", "decision.due",
  ];
  const cases = SUBSCRIPTION_STATES.flatMap((state) => events.flatMap((type) => [false, true].map((pre) => [state, type, pre] as const)));

  it.each(cases)("%s + %s (pre-approved %s)", (state, type, pre) => {
    const out = step(state, { type } as SubscriptionEvent, pre);
    const wasOut = isPendingOut(state);
    const nowOut = isPendingOut(out.state);
    const wasIn = isPendingIn(state);
    const nowIn = isPendingIn(out.state);
    // A pending flag that appears arms its deadline, one that goes disarms it.
    expect(out.actions.includes("armResend")).toBe((nowOut && !wasOut) || (type === "resend.due" && wasOut));
    expect(out.actions.includes("disarmResend")).toBe(wasOut && !nowOut);
    expect(out.actions.includes("armDecision")).toBe((nowIn && !wasIn) || (type === "decision.due" && wasIn));
    expect(out.actions.includes("disarmDecision")).toBe(wasIn && !nowIn);
    // Every change of the record is written; nothing else is.
    const changed = out.state !== state || out.preApproved !== pre;
    const rearmed = out.actions.includes("armResend") || out.actions.includes("armDecision");
    expect(out.actions.includes("persist")).toBe(changed || rearmed);
  });

  it("resend.due re-sends the subscribe only while pendingOut", () => {
    expect(step("nonePendingOut", { type: "resend.due" }).actions).toEqual(["sendSubscribe", "armResend", "persist"]);
    expect(step("to", { type: "resend.due" }).actions).toEqual([]);
  });

  it("decision.due delivers the request again only while pendingIn (§3.1.3)", () => {
    expect(step("toPendingIn", { type: "decision.due" }).actions).toEqual(["deliverToContact", "armDecision", "persist"]);
    expect(step("both", { type: "decision.due" }).actions).toEqual([]);
  });
});
