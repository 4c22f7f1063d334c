/** Options and internal records of the SIP subscriber (src/sip/subscriber.ts). */
import type { SnapshotFrom } from "xstate";
import type { sipSubscriberMachine, SubscriberEvent } from "../../machines/sip-subscriber.machine.js";
import type { BackoffPolicy } from "../../machines/sip-retry.js";
import type {
  DialogStore, SipBody, SipEventPackage, SipNotification, SipSubscriptionStatus, SipUacEvents,
} from "../gateway/ports.js";
import type { SipStack } from "./stack.js";
import type { SubscriberDialogState } from "./subscriber-dialog.js";

export interface SipSubscriberOptions {
  readonly stack: SipStack;
  readonly events: Pick<SipUacEvents, "onNotification" | "onSubscriptionStatus">;
  /** Where subscriptions are kept across a restart (role `subscriber`). */
  readonly store?: DialogStore;
  /** The From of subscriptions that name none: the gateway identity (default: the stack's aor). */
  readonly identity?: string;
  /** Seconds asked for in SUBSCRIBE (default 3600, RFC 3856 §6.4). */
  readonly expires?: number;
  /** Timer N (default 32 s, RFC 6665 §4.1.2.4). */
  readonly timerNMs?: number;
  readonly backoff?: BackoffPolicy;
  /** SUBSCRIBEs in flight at once; more wait their turn (a restart's resubscription storm). Default 256. */
  readonly maxInFlight?: number;
}

export type SubscriberSnapshot = SnapshotFrom<typeof sipSubscriberMachine>;

/** One SIP subscription per (From, presentity, event), shared by its watchers. */
export interface Subscription {
  readonly key: string;
  readonly from: string;
  readonly presentity: string;
  readonly event: SipEventPackage;
  readonly watchers: Set<string>;
  snapshot: SubscriberSnapshot;
  dialog: SubscriberDialogState | undefined;
  /** Bumped by every SUBSCRIBE whose answer still matters; older answers are ignored. */
  generation: number;
  status: SipSubscriptionStatus | undefined;
  last: SipNotification | undefined;
  /** The body of the NOTIFY being handled (for `deliverBody`). */
  current: SipBody | undefined;
  /** Events that arrived while this one was being handled (a callback re-entering). */
  queue: SubscriberEventNoTime[] | undefined;
  retired: boolean;
}

export type SubscriberEventNoTime = DistributiveOmit<SubscriberEvent, "now">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the store keeps of a subscription (JSON). */
export interface PersistedSubscription {
  readonly from: string;
  readonly presentity: string;
  readonly event: SipEventPackage;
  readonly watchers: readonly string[];
  readonly value: string;
  readonly context: SubscriberSnapshot["context"];
  readonly dialog: SubscriberDialogState | undefined;
}

/** Who owns a dialog the NOTIFY router knows. */
export type DialogRef =
  | { readonly kind: "subscription"; readonly subscription: Subscription }
  | { readonly kind: "fetch"; readonly event: SipEventPackage; readonly onNotify: (notify: FetchNotify) => void }
  /** Ended by us (Expires: 0): its final NOTIFY is still answered 200 for a while. */
  | { readonly kind: "linger"; readonly event: SipEventPackage };

export interface FetchNotify {
  readonly state: "active" | "pending" | "terminated";
  readonly body: SipBody | undefined;
}
