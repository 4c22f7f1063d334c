/** The notifier's options and the body renderer the composition root gives it. */
import type {
  Clock,
  DialogStore,
  Logger,
  PresentityResolver,
  ServedPresentity,
  SipNotifierEvents,
} from "../gateway/ports.js";
import type { Presence } from "../presence/types.js";
import type { SipAccess } from "./access.js";
import type { SipStack } from "./stack.js";

/**
 * Presence → NOTIFY body. src/sip may not decide what a Presence means on the wire, so
 * src/app.ts passes the table's egress (`serializePidf(presenceToPidf(…))`,
 * `serializeDialogInfo(presenceToDialogInfo(…))`).
 */
export interface NotifyBodyRenderer {
  /** RFC 3863 PIDF; called once per change of a presentity and shared by all its watchers. */
  pidf(presentity: ServedPresentity, presence: Presence): string;
  /** RFC 4235 dialog-info; `version` counts this subscription's NOTIFYs with a body from 0 (RFC 4235 §4.1). */
  dialogInfo(presentity: ServedPresentity, presence: Presence, version: number): string;
}

export interface SubscriptionLimits {
  /** RFC 6665 §4.2.1.1: shorter non-zero asks get 423 with this Min-Expires (default 60 s). */
  readonly minExpires: number;
  /** Longer asks are lowered to this (default 3600 s). */
  readonly maxExpires: number;
  /** RFC 3856 §6.4: without an Expires header, an hour. */
  readonly defaultExpires: number;
  /**
   * Body-only NOTIFYs of one dialog are at least this far apart (default 1000 ms). RFC 3856
   * §6.4 asks presence notifiers to cap the rate; a second keeps a BLF key's ringing lamp live.
   */
  readonly minNotifyIntervalMs: number;
  /**
   * NOTIFYs in flight across all dialogs (default 128). Over UDP a burst larger than the
   * peer's socket buffer is lost and waits for Timer E; a window keeps it flowing.
   */
  readonly maxNotifiesInFlight: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  minExpires: 60,
  maxExpires: 3600,
  defaultExpires: 3600,
  minNotifyIntervalMs: 1000,
  maxNotifiesInFlight: 128,
};

export interface NotifierOptions {
  readonly stack: SipStack;
  readonly resolve: PresentityResolver;
  readonly events: SipNotifierEvents;
  readonly access: SipAccess;
  /** Where dialogs are kept across a restart (role `notifier`). */
  readonly store: DialogStore;
  readonly render: NotifyBodyRenderer;
  readonly limits?: Partial<SubscriptionLimits>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}
