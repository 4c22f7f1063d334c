/**
 * A subscription record is the persisted form of a machine snapshot: the
 * RFC 6121 state as `state` + `pendingIn` + `pendingOut` (the roster's
 * subscription and ask), the pre-approval, and the deadlines as data.
 */
import type { SubscriptionStateName } from "../../machines/subscription.machine.js";
import type { SubscriptionRecord } from "./ports.js";

type Subscription = SubscriptionRecord["state"];

const FLAGS: Readonly<Record<SubscriptionStateName, readonly [Subscription, boolean, boolean]>> = {
  // state name: [subscription, pendingIn, pendingOut]
  none: ["none", false, false],
  nonePendingOut: ["none", false, true],
  nonePendingIn: ["none", true, false],
  nonePendingOutIn: ["none", true, true],
  to: ["to", false, false],
  toPendingIn: ["to", true, false],
  from: ["from", false, false],
  fromPendingOut: ["from", false, true],
  both: ["both", false, false],
};

/**
 * The defined state of a record. Flag combinations RFC 6121 §A.1 does not
 * define (a pendingIn on `from`, a pendingOut on `to`) cannot be reached by the
 * machine; a record written by hand with one is read as its subscription alone.
 */
export function stateOfRecord(record: SubscriptionRecord | undefined): SubscriptionStateName {
  if (record === undefined) return "none";
  switch (record.state) {
    case "none":
      if (record.pendingIn) return record.pendingOut ? "nonePendingOutIn" : "nonePendingIn";
      return record.pendingOut ? "nonePendingOut" : "none";
    case "to":
      return record.pendingIn ? "toPendingIn" : "to";
    case "from":
      return record.pendingOut ? "fromPendingOut" : "from";
    case "both":
      return "both";
  }
}

export function flagsOfState(state: SubscriptionStateName): {
  readonly state: Subscription;
  readonly pendingIn: boolean;
  readonly pendingOut: boolean;
} {
  const [subscription, pendingIn, pendingOut] = FLAGS[state];
  return { state: subscription, pendingIn, pendingOut };
}

/** A record worth keeping: anything but plain None without a pre-approval. */
export const isMeaningful = (record: SubscriptionRecord): boolean =>
  record.state !== "none" || record.pendingIn || record.pendingOut || record.preApproved;

/** The key of a relation in logs and maps. */
export const relationKey = (contact: string, watcher: string): string => `${contact} ${watcher}`;

export type DeadlineKind = "resend" | "decision";

/** One deadline of a relation, as a scheduler entry; stale once the record's `resendAt`/`decideBy` moves. */
export interface Deadline {
  readonly at: number;
  readonly contact: string;
  readonly watcher: string;
  readonly kind: DeadlineKind;
}

/** The deadlines a record carries, as scheduler entries. */
export function deadlinesOf(record: SubscriptionRecord | undefined): Deadline[] {
  if (record === undefined) return [];
  const out: Deadline[] = [];
  if (record.resendAt !== undefined) out.push({ at: record.resendAt, contact: record.contact, watcher: record.watcher, kind: "resend" });
  if (record.decideBy !== undefined) out.push({ at: record.decideBy, contact: record.contact, watcher: record.watcher, kind: "decision" });
  return out;
}
