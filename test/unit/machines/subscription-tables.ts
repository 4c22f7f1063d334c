/**
 * RFC 6121 Appendix A as data: every row of every table, in the RFC's order,
 * with the state names of machines/subscription.machine.ts. `change: null`
 * is the RFC's "no state change". Shared by the machine test and the
 * registry test, so both prove the same rows.
 */
import type { SubscriptionStateName } from "../../../machines/subscription.machine.js";

export interface Row {
  readonly existing: SubscriptionStateName;
  /** ROUTE? (outbound) or DELIVER? (inbound). */
  readonly pass: boolean;
  /** The new state; null for "no state change". */
  readonly change: SubscriptionStateName | null;
  /** The RFC row's footnote: the server answers the watcher itself. */
  readonly autoReply?: boolean;
  /** Outbound `subscribed` in None / None + Pending Out / To notes a pre-approval (§3.4). */
  readonly preApproval?: boolean;
}

const row = (existing: SubscriptionStateName, pass: boolean, change: SubscriptionStateName | null, extra: Partial<Row> = {}): Row => ({
  existing,
  pass,
  change,
  ...extra,
});

/** A.2.1: outbound "subscribed" (the contact approves). */
export const A_2_1_SUBSCRIBED: readonly Row[] = [
  row("none", false, null, { preApproval: true }),
  row("nonePendingOut", false, null, { preApproval: true }),
  row("nonePendingIn", true, "from"),
  row("nonePendingOutIn", true, "fromPendingOut"),
  row("to", false, null, { preApproval: true }),
  row("toPendingIn", true, "both"),
  row("from", false, null),
  row("fromPendingOut", false, null),
  row("both", false, null),
];

/** A.2.2: outbound "unsubscribed" (the contact denies or cancels). */
export const A_2_2_UNSUBSCRIBED: readonly Row[] = [
  row("none", false, null),
  row("nonePendingOut", false, null),
  row("nonePendingIn", true, "none"),
  row("nonePendingOutIn", true, "nonePendingOut"),
  row("to", false, null),
  row("toPendingIn", true, "to"),
  row("from", true, "none"),
  row("fromPendingOut", true, "nonePendingOut"),
  row("both", true, "to"),
];

/**
 * §A.2 preamble and §3.1.2 / §3.3.2: outbound "subscribe" and "unsubscribe" are
 * routed without exception; the state changes as the user's side of A.3.
 */
export const OUTBOUND_SUBSCRIBE: readonly Row[] = [
  row("none", true, "nonePendingOut"),
  row("nonePendingOut", true, null),
  row("nonePendingIn", true, "nonePendingOutIn"),
  row("nonePendingOutIn", true, null),
  row("to", true, null),
  row("toPendingIn", true, null),
  row("from", true, "fromPendingOut"),
  row("fromPendingOut", true, null),
  row("both", true, null),
];

export const OUTBOUND_UNSUBSCRIBE: readonly Row[] = [
  row("none", true, null),
  row("nonePendingOut", true, "none"),
  row("nonePendingIn", true, null),
  row("nonePendingOutIn", true, "nonePendingIn"),
  row("to", true, "none"),
  row("toPendingIn", true, "nonePendingIn"),
  row("from", true, null),
  row("fromPendingOut", true, "from"),
  row("both", true, "from"),
];

/** A.3.1: inbound "subscribe". The starred rows: the server auto-replies "subscribed" (§3.1.3 step 2). */
export const A_3_1_SUBSCRIBE: readonly Row[] = [
  row("none", true, "nonePendingIn"),
  row("nonePendingOut", true, "nonePendingOutIn"),
  row("nonePendingIn", false, null),
  row("nonePendingOutIn", false, null),
  row("to", true, "toPendingIn"),
  row("toPendingIn", false, null),
  row("from", false, null, { autoReply: true }),
  row("fromPendingOut", false, null, { autoReply: true }),
  row("both", false, null, { autoReply: true }),
];

/** A.3.2: inbound "unsubscribe". */
export const A_3_2_UNSUBSCRIBE: readonly Row[] = [
  row("none", false, null),
  row("nonePendingOut", false, null),
  row("nonePendingIn", true, "none"),
  row("nonePendingOutIn", true, "nonePendingOut"),
  row("to", false, null),
  row("toPendingIn", true, "to"),
  row("from", true, "none"),
  row("fromPendingOut", true, "nonePendingOut"),
  row("both", true, "to"),
];

/** A.3.3: inbound "subscribed". */
export const A_3_3_SUBSCRIBED: readonly Row[] = [
  row("none", false, null),
  row("nonePendingOut", true, "to"),
  row("nonePendingIn", false, null),
  row("nonePendingOutIn", true, "toPendingIn"),
  row("to", false, null),
  row("toPendingIn", false, null),
  row("from", false, null),
  row("fromPendingOut", true, "both"),
  row("both", false, null),
];

/** A.3.4: inbound "unsubscribed". */
export const A_3_4_UNSUBSCRIBED: readonly Row[] = [
  row("none", false, null),
  row("nonePendingOut", true, "none"),
  row("nonePendingIn", false, null),
  row("nonePendingOutIn", true, "nonePendingIn"),
  row("to", true, "none"),
  row("toPendingIn", true, "nonePendingIn"),
  row("from", false, null),
  row("fromPendingOut", true, "from"),
  row("both", true, "from"),
];
