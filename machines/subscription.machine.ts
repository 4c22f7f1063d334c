/**
 * The presence subscription between an XMPP watcher (a bare JID) and a bridged
 * contact, as RFC 6121 Appendix A defines it, seen from the contact's server
 * (the bridge's component). In the RFC's words the contact is "the user" and
 * the watcher is "the contact": `from` means the watcher receives the
 * contact's presence, `to` that the contact receives the watcher's.
 *
 * Logic only: the registry (src/gateway/subscriptions.ts) runs it with the pure
 * `transition()` API over snapshots kept as plain records (LIBRARIES.md §3: an
 * actor per subscription costs 4.7 KB; 100,000 of them would not fit), and it
 * implements the named actions. Deadlines are not `after` timers (XState does
 * not restore them, statelyai/xstate#5331): `armResend` / `armDecision` ask the
 * registry to write a deadline into the record, and its one scheduler sends
 * `resend.due` / `decision.due` back.
 *
 * "ROUTE?" / "DELIVER?" of the RFC tables become actions: `send*` routes a
 * stanza to the watcher, `deliverToContact` hands an inbound stanza to the
 * gateway. A row with "no state change" and no delivery has no transition.
 */
import { assign, setup } from "xstate";

/** The nine defined states of RFC 6121 §A.1, named for code. */
export const SUBSCRIPTION_STATES = [
  "none",
  "nonePendingOut",
  "nonePendingIn",
  "nonePendingOutIn",
  "to",
  "toPendingIn",
  "from",
  "fromPendingOut",
  "both",
] as const;
export type SubscriptionStateName = (typeof SUBSCRIPTION_STATES)[number];

/** The RFC's own spelling, for logs and test names. */
export const RFC_STATE_NAMES: Readonly<Record<SubscriptionStateName, string>> = {
  none: "None",
  nonePendingOut: "None + Pending Out",
  nonePendingIn: "None + Pending In",
  nonePendingOutIn: "None + Pending Out+In",
  to: "To",
  toPendingIn: "To + Pending In",
  from: "From",
  fromPendingOut: "From + Pending Out",
  both: "Both",
};

export interface SubscriptionContext {
  /** RFC 6121 §3.4: the contact approved before the watcher asked. */
  readonly preApproved: boolean;
}

/** Facts, past tense (STYLE.md). `*.received`: from the watcher; `*.sent`: by the contact. */
export type SubscriptionEvent =
  // Inbound from the watcher (RFC 6121 §A.3)
  | { readonly type: "subscribe.received"; readonly nick?: string }
  | { readonly type: "subscribed.received" }
  | { readonly type: "unsubscribe.received" }
  | { readonly type: "unsubscribed.received" }
  | { readonly type: "probe.received" }
  // Outbound by the contact, i.e. the gateway's decisions (RFC 6121 §A.2)
  | { readonly type: "subscribe.sent" }
  | { readonly type: "approval.sent" }
  | { readonly type: "denial.sent" }
  | { readonly type: "unsubscribe.sent" }
  | { readonly type: "unsubscribed.sent" }
  // Deadlines written into the record by armResend / armDecision
  | { readonly type: "resend.due" }
  | { readonly type: "decision.due" };
export type SubscriptionEventType = SubscriptionEvent["type"];

/** The named actions the registry implements. */
export const SUBSCRIPTION_ACTIONS = [
  "deliverToContact",
  "sendSubscribe",
  "sendSubscribed",
  "sendUnsubscribe",
  "sendUnsubscribed",
  "sendPresence",
  "sendUnavailable",
  "armResend",
  "disarmResend",
  "armDecision",
  "disarmDecision",
  "persist",
] as const;
export type SubscriptionActionName = (typeof SUBSCRIPTION_ACTIONS)[number];

// An auto-approval (§3.4 pre-approval, or §3.1.3 step 2 for a watcher already
// subscribed) answers `subscribed` and, as after any approval (§3.1.5), the
// contact's current presence.
const APPROVE: ["sendSubscribed", "sendPresence"] = ["sendSubscribed", "sendPresence"];
// RFC 6121 §3.2.2: unavailable presence goes out before the `unsubscribed`.
const CANCEL: ["sendUnavailable", "sendUnsubscribed", "persist"] = ["sendUnavailable", "sendUnsubscribed", "persist"];
const DENY: ["sendUnsubscribed", "disarmDecision", "persist"] = ["sendUnsubscribed", "disarmDecision", "persist"];

export const subscriptionMachine = setup({
  types: {
    context: {} as SubscriptionContext,
    events: {} as SubscriptionEvent,
    input: {} as Partial<SubscriptionContext> | undefined,
  },
  // Placeholders: the registry executes the action objects transition() returns.
  actions: {
    deliverToContact: () => undefined,
    sendSubscribe: () => undefined,
    sendSubscribed: () => undefined,
    sendUnsubscribe: () => undefined,
    sendUnsubscribed: () => undefined,
    sendPresence: () => undefined,
    sendUnavailable: () => undefined,
    armResend: () => undefined,
    disarmResend: () => undefined,
    armDecision: () => undefined,
    disarmDecision: () => undefined,
    persist: () => undefined,
    // RFC 6121 §3.4: the pre-approval is state of the relation, kept in the snapshot.
    notePreApproval: assign({ preApproved: true }),
    clearPreApproval: assign({ preApproved: false }),
  },
  guards: {
    isPreApproved: ({ context }) => context.preApproved,
    isNotPreApproved: ({ context }) => !context.preApproved,
  },
}).createMachine({
  id: "subscription",
  initial: "none",
  context: ({ input }) => ({ preApproved: input?.preApproved ?? false }),
  on: {
    // RFC 6121 §A.2: subscribe and unsubscribe are routed "without exception",
    // so that the contact can resynchronise; states that change override below.
    "subscribe.sent": { actions: "sendSubscribe" },
    "unsubscribe.sent": { actions: "sendUnsubscribe" },
    // RFC 6121 §4.3.2: a probe from a watcher without a subscription is
    // answered `unsubscribed`; the subscribed states override this.
    "probe.received": { actions: "sendUnsubscribed" },
  },
  states: {
    none: {
      on: {
        "subscribe.received": [
          { guard: "isPreApproved", target: "from", actions: ["clearPreApproval", ...APPROVE, "persist"] },
          { target: "nonePendingIn", actions: ["deliverToContact", "armDecision", "persist"] },
        ],
        "subscribe.sent": { target: "nonePendingOut", actions: ["sendSubscribe", "armResend", "persist"] },
        "approval.sent": { guard: "isNotPreApproved", actions: ["notePreApproval", "persist"] },
        "denial.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
        "unsubscribed.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
      },
    },
    nonePendingOut: {
      on: {
        "subscribe.received": [
          { guard: "isPreApproved", target: "fromPendingOut", actions: ["clearPreApproval", ...APPROVE, "persist"] },
          { target: "nonePendingOutIn", actions: ["deliverToContact", "armDecision", "persist"] },
        ],
        "subscribed.received": { target: "to", actions: ["deliverToContact", "disarmResend", "persist"] },
        "unsubscribed.received": { target: "none", actions: ["deliverToContact", "disarmResend", "persist"] },
        "unsubscribe.sent": { target: "none", actions: ["sendUnsubscribe", "disarmResend", "persist"] },
        "approval.sent": { guard: "isNotPreApproved", actions: ["notePreApproval", "persist"] },
        "denial.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
        "unsubscribed.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
        "resend.due": { actions: ["sendSubscribe", "armResend", "persist"] },
      },
    },
    nonePendingIn: {
      on: {
        "unsubscribe.received": { target: "none", actions: ["deliverToContact", "disarmDecision", "persist"] },
        "subscribe.sent": { target: "nonePendingOutIn", actions: ["sendSubscribe", "armResend", "persist"] },
        "approval.sent": { target: "from", actions: [...APPROVE, "disarmDecision", "persist"] },
        "denial.sent": { target: "none", actions: DENY },
        "unsubscribed.sent": { target: "none", actions: DENY },
        "decision.due": { actions: ["deliverToContact", "armDecision", "persist"] },
      },
    },
    nonePendingOutIn: {
      on: {
        "subscribed.received": { target: "toPendingIn", actions: ["deliverToContact", "disarmResend", "persist"] },
        "unsubscribe.received": { target: "nonePendingOut", actions: ["deliverToContact", "disarmDecision", "persist"] },
        "unsubscribed.received": { target: "nonePendingIn", actions: ["deliverToContact", "disarmResend", "persist"] },
        "unsubscribe.sent": { target: "nonePendingIn", actions: ["sendUnsubscribe", "disarmResend", "persist"] },
        "approval.sent": { target: "fromPendingOut", actions: [...APPROVE, "disarmDecision", "persist"] },
        "denial.sent": { target: "nonePendingOut", actions: DENY },
        "unsubscribed.sent": { target: "nonePendingOut", actions: DENY },
        "resend.due": { actions: ["sendSubscribe", "armResend", "persist"] },
        "decision.due": { actions: ["deliverToContact", "armDecision", "persist"] },
      },
    },
    to: {
      on: {
        "subscribe.received": [
          { guard: "isPreApproved", target: "both", actions: ["clearPreApproval", ...APPROVE, "persist"] },
          { target: "toPendingIn", actions: ["deliverToContact", "armDecision", "persist"] },
        ],
        "unsubscribed.received": { target: "none", actions: ["deliverToContact", "persist"] },
        "unsubscribe.sent": { target: "none", actions: ["sendUnsubscribe", "persist"] },
        "approval.sent": { guard: "isNotPreApproved", actions: ["notePreApproval", "persist"] },
        "denial.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
        "unsubscribed.sent": { guard: "isPreApproved", actions: ["clearPreApproval", "persist"] },
      },
    },
    toPendingIn: {
      on: {
        "unsubscribe.received": { target: "to", actions: ["deliverToContact", "disarmDecision", "persist"] },
        "unsubscribed.received": { target: "nonePendingIn", actions: ["deliverToContact", "persist"] },
        "unsubscribe.sent": { target: "nonePendingIn", actions: ["sendUnsubscribe", "persist"] },
        "approval.sent": { target: "both", actions: [...APPROVE, "disarmDecision", "persist"] },
        "denial.sent": { target: "to", actions: DENY },
        "unsubscribed.sent": { target: "to", actions: DENY },
        "decision.due": { actions: ["deliverToContact", "armDecision", "persist"] },
      },
    },
    from: {
      on: {
        // RFC 6121 §3.1.3 step 2: the watcher is already subscribed; auto-reply.
        "subscribe.received": { actions: APPROVE },
        // RFC 6121 §3.3.3 step 3: unavailable presence to the leaving watcher.
        "unsubscribe.received": { target: "none", actions: ["deliverToContact", "sendUnavailable", "persist"] },
        "probe.received": { actions: "sendPresence" },
        "subscribe.sent": { target: "fromPendingOut", actions: ["sendSubscribe", "armResend", "persist"] },
        "denial.sent": { target: "none", actions: CANCEL },
        "unsubscribed.sent": { target: "none", actions: CANCEL },
      },
    },
    fromPendingOut: {
      on: {
        "subscribe.received": { actions: APPROVE },
        "subscribed.received": { target: "both", actions: ["deliverToContact", "disarmResend", "persist"] },
        "unsubscribe.received": {
          target: "nonePendingOut",
          actions: ["deliverToContact", "sendUnavailable", "persist"],
        },
        "unsubscribed.received": { target: "from", actions: ["deliverToContact", "disarmResend", "persist"] },
        "probe.received": { actions: "sendPresence" },
        "unsubscribe.sent": { target: "from", actions: ["sendUnsubscribe", "disarmResend", "persist"] },
        "denial.sent": { target: "nonePendingOut", actions: CANCEL },
        "unsubscribed.sent": { target: "nonePendingOut", actions: CANCEL },
        "resend.due": { actions: ["sendSubscribe", "armResend", "persist"] },
      },
    },
    both: {
      on: {
        "subscribe.received": { actions: APPROVE },
        "unsubscribe.received": { target: "to", actions: ["deliverToContact", "sendUnavailable", "persist"] },
        "unsubscribed.received": { target: "from", actions: ["deliverToContact", "persist"] },
        "probe.received": { actions: "sendPresence" },
        "unsubscribe.sent": { target: "from", actions: ["sendUnsubscribe", "persist"] },
        "denial.sent": { target: "to", actions: CANCEL },
        "unsubscribed.sent": { target: "to", actions: CANCEL },
      },
    },
  },
});

export type SubscriptionMachine = typeof subscriptionMachine;

/** Whether the watcher receives the contact's presence (RFC 6121: `from` or `both`). */
export const watcherReceivesPresence = (state: SubscriptionStateName): boolean =>
  state === "from" || state === "fromPendingOut" || state === "both";

/** Whether the contact receives the watcher's presence (`to` or `both`). */
export const contactReceivesPresence = (state: SubscriptionStateName): boolean =>
  state === "to" || state === "toPendingIn" || state === "both";

export const isPendingIn = (state: SubscriptionStateName): boolean =>
  state === "nonePendingIn" || state === "nonePendingOutIn" || state === "toPendingIn";

export const isPendingOut = (state: SubscriptionStateName): boolean =>
  state === "nonePendingOut" || state === "nonePendingOutIn" || state === "fromPendingOut";
