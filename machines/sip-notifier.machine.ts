/**
 * The notifier side of one SUBSCRIBE dialog (RFC 6665 §4.2, RFC 3856 §6): logic only.
 *
 * States carry the RFC's names (`pending`, `active`, `terminated`: the values of
 * Subscription-State). Time enters as event data (`now`, ms since epoch), deadlines
 * leave as data (`expiresAt`), so the machine is driven by `transition()` with a
 * snapshot per dialog and a restart re-arms the expiry from the persisted context.
 *
 * Actions are named and carried out by src/sip/notifier (it reads `params`):
 * - `sendNotify`: a NOTIFY is due. The adapter sends the latest state at send time
 *   (one in flight per dialog, later ones coalesced), so params say what is due, not
 *   which bytes to send.
 * - `scheduleExpiry` / `cancelExpiry`: (re)arm or drop the timer that sends `expiry.due`.
 * - `persist`: write the dialog record (or delete it once terminated).
 */
import { assign, setup } from "xstate";

/** RFC 6665 §4.1.3 / §8.4 reason codes of `Subscription-State: terminated`. */
export type TerminationReason =
  | "deactivated" | "probation" | "rejected" | "timeout" | "giveup" | "noresource" | "invariant";

export type SubscriptionStateValue = "pending" | "active" | "terminated";

export interface NotifierContext {
  /** Seconds granted by the last 200 to SUBSCRIBE. */
  readonly expires: number;
  /** ms since epoch: the subscription ends then unless refreshed (RFC 6665 §4.2.1.1). */
  readonly expiresAt: number;
  /** The gateway's policy approved this watcher before the first SUBSCRIBE was answered. */
  readonly preApproved: boolean;
  /**
   * The watcher has been authorized. RFC 3856 §6.6.2: only then may a NOTIFY carry
   * the presentity's state (a pending or rejected subscription learns nothing).
   */
  readonly authorized: boolean;
  /** Why it ended; set on entering `terminated` (undefined when a NOTIFY failed). */
  readonly reason?: TerminationReason;
  /** Status of the NOTIFY response that ended the dialog (RFC 6665 §4.2.2). */
  readonly failedWith?: number;
  /** An `Expires: 0` SUBSCRIBE that created no lasting subscription (RFC 6665 §4.4.3). */
  readonly fetch: boolean;
}

export interface NotifierInput {
  /** The policy said "approve" for this (presentity, watcher) when the SUBSCRIBE came. */
  readonly preApproved: boolean;
}

export type NotifierEvent =
  /** An initial SUBSCRIBE or one inside the dialog (refresh; `expires: 0` unsubscribes). `expires` is granted, already clamped. */
  | { readonly type: "subscribe.received"; readonly now: number; readonly expires: number }
  | { readonly type: "watcher.approved" }
  | { readonly type: "watcher.denied" }
  /** The presentity's state changed: a NOTIFY with the new body is due (active only). */
  | { readonly type: "presence.changed" }
  /** The expiry timer fired (it may fire early after a clock jump: `now` decides). */
  | { readonly type: "expiry.due"; readonly now: number }
  /** A NOTIFY got a final non-2xx response (408 stands for Timer F). */
  | { readonly type: "notify.failed"; readonly status: number }
  /** The bridge no longer serves the presentity. */
  | { readonly type: "presentity.removed" }
  /** The bridge is shutting down (SIGTERM): the watcher should subscribe again later. */
  | { readonly type: "notifier.stopping" };

export interface SendNotifyParams {
  readonly subscriptionState: SubscriptionStateValue;
  /** Only for `terminated`. */
  readonly reason?: TerminationReason;
  /** For `pending` / `active`: the adapter writes `expires=` as the seconds left until this. */
  readonly expiresAt?: number;
  /** Whether the presentity's state goes in the body (RFC 3856 §6.6.2). */
  readonly withBody: boolean;
}

/**
 * RFC 6665 §4.2.2 and RFC 5057 §5.1: the NOTIFY responses that destroy the
 * subscription usage. 481 and 408 (or Timer F) are the RFC 6665 cases; the
 * others say the watcher will never take a NOTIFY in this dialog.
 */
const USAGE_DESTROYING = new Set([404, 405, 408, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604]);

export const isUsageDestroying = (status: number): boolean => USAGE_DESTROYING.has(status);

type Ctx = { readonly context: NotifierContext };

const SCHEDULE_EXPIRY = { type: "scheduleExpiry", params: ({ context }: Ctx) => ({ expiresAt: context.expiresAt }) } as const;

/** A NOTIFY of the current state (`presence.changed`, approval, refresh). */
const NOTIFY_ACTIVE = {
  type: "sendNotify",
  params: ({ context }: Ctx): SendNotifyParams => ({ subscriptionState: "active", expiresAt: context.expiresAt, withBody: true }),
} as const;

/** Granted and active: the NOTIFY, the expiry re-armed, the dialog written (after `grant`). */
const NOTIFY_ACTIVE_AND_ARM = [NOTIFY_ACTIVE, SCHEDULE_EXPIRY, "persist"] as const;

/**
 * The end of the subscription for `reason`: one terminated NOTIFY, carrying the presentity's
 * state when `withBody` says so (RFC 3856 §6.6.2). `terminated` then cancels the expiry and persists.
 */
const terminate = (reason: TerminationReason, withBody: boolean | ((args: Ctx) => boolean)) =>
  [
    { type: "endWith", params: { reason } },
    {
      type: "sendNotify",
      params: (args: Ctx): SendNotifyParams => ({
        subscriptionState: "terminated",
        reason,
        withBody: typeof withBody === "boolean" ? withBody : withBody(args),
      }),
    },
  ] as const;

/** RFC 6665 §4.2.1.1: the subscription lapses; fired early (clock adjusted), it arms again for the real deadline. */
const expiry = (withBody: boolean) =>
  [{ guard: "isDue", target: "terminated", actions: terminate("timeout", withBody) }, { actions: SCHEDULE_EXPIRY }] as const;

/** What `pending` and `active` end by alike. */
const ENDINGS = {
  // RFC 6665 §4.2.2: the subscription is gone; no further NOTIFY.
  "notify.failed": { guard: "isUsageDestroying", target: "terminated", actions: "recordFailure" },
  // RFC 6665 §4.1.3 "deactivated": terminated, subscribe again (§4.2.2: how subscriptions move between
  // nodes). Not "noresource": the chat user still exists, and a watcher told so would not come back.
  "notifier.stopping": { target: "terminated", actions: terminate("deactivated", false) },
  // RFC 6665 §4.1.3 "noresource": the bridge no longer serves the presentity.
  "presentity.removed": { target: "terminated", actions: terminate("noresource", false) },
} as const;

export const sipNotifierMachine = setup({
  types: {
    context: {} as NotifierContext,
    events: {} as NotifierEvent,
    input: {} as NotifierInput,
  },
  actions: {
    // Carried out by the adapter from the actions `transition()` returns.
    sendNotify: (_: unknown, _params: SendNotifyParams) => {},
    scheduleExpiry: (_: unknown, _params: { readonly expiresAt: number }) => {},
    cancelExpiry: () => {},
    persist: () => {},
    // Context updates.
    grant: assign(({ event }) =>
      event.type === "subscribe.received" ? { expires: event.expires, expiresAt: event.now + event.expires * 1000 } : {}),
    authorize: assign({ authorized: true }),
    revoke: assign({ authorized: false }),
    endWith: assign((_, params: { readonly reason: TerminationReason }) => ({ reason: params.reason })),
    markFetch: assign(({ context }) => ({ fetch: context.expiresAt === 0, authorized: context.preApproved })),
    recordFailure: assign(({ event }) => (event.type === "notify.failed" ? { failedWith: event.status } : {})),
  },
  guards: {
    isUnsubscribe: ({ event }) => event.type === "subscribe.received" && event.expires === 0,
    isPreApproved: ({ context }) => context.preApproved,
    isDue: ({ context, event }) => event.type === "expiry.due" && event.now >= context.expiresAt,
    isUsageDestroying: ({ event }) => event.type === "notify.failed" && isUsageDestroying(event.status),
  },
}).createMachine({
  id: "sip-notifier",
  context: ({ input }) => ({ expires: 0, expiresAt: 0, preApproved: input.preApproved, authorized: false, fetch: false }),
  initial: "pending",
  states: {
    pending: {
      on: {
        "subscribe.received": [
          {
            // RFC 6665 §4.4.3 fetch (or an unsubscribe before any decision): one terminated
            // NOTIFY, with the presentity's state only when the watcher is authorized.
            guard: "isUnsubscribe",
            target: "terminated",
            actions: ["markFetch", ...terminate("timeout", ({ context }) => context.authorized)],
          },
          { guard: "isPreApproved", target: "active", actions: ["grant", "authorize", ...NOTIFY_ACTIVE_AND_ARM] },
          {
            // RFC 6665 §4.2.1.2: a NOTIFY at once; RFC 3856 §6.6.2: pending carries no state.
            actions: [
              "grant",
              { type: "sendNotify", params: ({ context }: Ctx): SendNotifyParams => ({ subscriptionState: "pending", expiresAt: context.expiresAt, withBody: false }) },
              SCHEDULE_EXPIRY,
              "persist",
            ],
          },
        ],
        "watcher.approved": { target: "active", actions: ["authorize", NOTIFY_ACTIVE, "persist"] },
        // RFC 6665 §4.2.2 "rejected"; RFC 3856 §6.6.2: no state goes with it.
        "watcher.denied": { target: "terminated", actions: terminate("rejected", false) },
        // A pending watcher learns nothing of the presentity, even at the end.
        "expiry.due": expiry(false),
        ...ENDINGS,
      },
    },
    active: {
      on: {
        "subscribe.received": [
          // RFC 6665 §4.2.1.4: unsubscribe; the last NOTIFY still reports the state.
          { guard: "isUnsubscribe", target: "terminated", actions: terminate("timeout", true) },
          // RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY of the current state.
          { actions: ["grant", ...NOTIFY_ACTIVE_AND_ARM] },
        ],
        "presence.changed": { actions: NOTIFY_ACTIVE },
        // RFC 8048 §5.3: the XMPP user withdrew the approval (`unsubscribed`).
        "watcher.denied": { target: "terminated", actions: ["revoke", ...terminate("rejected", false)] },
        "expiry.due": expiry(true),
        ...ENDINGS,
      },
    },
    terminated: {
      type: "final",
      entry: ["cancelExpiry", "persist"],
    },
  },
});

export type SipNotifierMachine = typeof sipNotifierMachine;

/**
 * The `presence.changed` transition without the interpreter: the hot path (STYLE.md §10).
 * One change of a presentity reaches every dialog watching it, and `transition()` costs
 * about 90 µs; this is what the machine does for that event (no context change, no state
 * change): in `active` a NOTIFY of the current state, otherwise nothing. The machine's
 * test checks the two agree in every state.
 */
export function presenceChangedNotify(value: unknown, context: NotifierContext): SendNotifyParams | undefined {
  return value === "active" ? { subscriptionState: "active", expiresAt: context.expiresAt, withBody: true } : undefined;
}
