/**
 * The subscriber side of one SIP subscription (RFC 6665 §4.1, RFC 3856): logic only.
 *
 * States carry the RFC's names: `init`, `notifyWait` (SUBSCRIBE sent, no NOTIFY yet; Timer N
 * runs, RFC 6665 §4.1.2.4), `pending` and `active` (the Subscription-State values),
 * `waitingToRetry` (a back-off between subscriptions), `unsubscribing` (the last watcher left
 * before the dialog existed) and `terminated`. Time enters as event data (`now`, ms since
 * epoch); deadlines leave as data (`refreshAt`, `retryAt`, `notifyBy`) so one scheduler can
 * serve 10,000 subscriptions and a restart re-arms them (`subscription.resumed`).
 *
 * Actions are carried out by src/sip/subscriber (it reads `params`): `sendSubscribe`
 * (initial: a new dialog; refresh: inside the dialog), `sendUnsubscribe` (Expires: 0 in the
 * dialog), `scheduleRefresh` / `scheduleRetry` / `scheduleTimeout` (one timer per
 * subscription: each replaces the last), `cancelTimers`, `deliverBody` (hand the NOTIFY's
 * body to the gateway), `reportState`.
 */
import { assign, setup } from "xstate";
import type { SipSubscriptionStatus } from "../src/gateway/ports.js";
import { DEFAULT_BACKOFF, refreshAtFor, retryDelayMs, type BackoffPolicy } from "./sip-retry.js";
import { classifyFailure, classifyTermination, type TerminatedReason } from "./sip-subscriber.rules.js";

export type { TerminatedReason } from "./sip-subscriber.rules.js";

export interface SubscriberInput {
  /** Stable id of the subscription (seeds the jitter). */
  readonly id: string;
  /** Seconds asked for in SUBSCRIBE (RFC 3856 §6.4 default 3600). */
  readonly expires: number;
  /** Timer N, 64·T1 (RFC 6665 §4.1.2.4). */
  readonly timerNMs?: number;
  readonly backoff?: BackoffPolicy;
}

export interface SubscriberContext {
  readonly id: string;
  readonly requestedExpires: number;
  readonly timerNMs: number;
  readonly backoff: BackoffPolicy;
  /** ms since epoch when the remote subscription lapses unless refreshed (0: none known). */
  readonly expiresAt: number;
  /** Deadlines (0: not armed). */
  readonly refreshAt: number;
  readonly retryAt: number;
  readonly notifyBy: number;
  /** Failures since the last successful refresh (the back-off exponent). */
  readonly attempt: number;
  /** A dialog exists (2xx or NOTIFY seen): refreshes and Expires: 0 go inside it. */
  readonly inDialog: boolean;
  /** Status of the last failure, for the report. */
  readonly lastStatus?: number;
  readonly outcome?: { readonly reason: TerminatedReason; readonly statusCode?: number };
}

export type SubscriptionStateValue = "active" | "pending" | "terminated";

export type SubscriberEvent =
  | { readonly type: "subscribe.start"; readonly now: number }
  /** A 2xx to our SUBSCRIBE; `expires` from its Expires header (RFC 6665 §4.1.2.1). */
  | { readonly type: "subscribe.accepted"; readonly now: number; readonly expires?: number }
  /** A final non-2xx (after digest); `retryAfter` seconds, `minExpires` from a 423. */
  | { readonly type: "request.failed"; readonly now: number; readonly status: number; readonly retryAfter?: number; readonly minExpires?: number }
  /** No response at all: the connection failed or the datagram could not be sent. */
  | { readonly type: "transport.failed"; readonly now: number }
  | {
      readonly type: "notify.received";
      readonly now: number;
      readonly state: SubscriptionStateValue;
      readonly expires?: number;
      readonly reason?: string;
      readonly retryAfter?: number;
    }
  | { readonly type: "refresh.due"; readonly now: number }
  | { readonly type: "retry.due"; readonly now: number }
  | { readonly type: "notify.timeout"; readonly now: number }
  /** The last watcher left. */
  | { readonly type: "unsubscribe"; readonly now: number }
  /** Restored from the store after a restart: re-arm, refresh the dialog at once to learn the current state. */
  | { readonly type: "subscription.resumed"; readonly now: number };

export interface SendSubscribeParams {
  readonly kind: "initial" | "refresh";
  readonly expires: number;
}

const nowOf = (event: SubscriberEvent): number => event.now;
const retryAfterOf = (event: SubscriberEvent): number | undefined =>
  event.type === "request.failed" || event.type === "notify.received" ? event.retryAfter : undefined;
const failureOf = (event: SubscriberEvent, inDialog: boolean) =>
  event.type === "request.failed" ? classifyFailure(event.status, inDialog) : undefined;

type Ctx = { readonly context: SubscriberContext };

/** A new dialog: SUBSCRIBE out of dialog, Timer N armed. */
const START_INITIAL = [
  "beginInitial",
  { type: "sendSubscribe", params: ({ context }: Ctx): SendSubscribeParams => ({ kind: "initial", expires: context.requestedExpires }) },
  { type: "scheduleTimeout", params: ({ context }: Ctx) => ({ at: context.notifyBy }) },
] as const;

const SEND_REFRESH = { type: "sendSubscribe", params: ({ context }: Ctx): SendSubscribeParams => ({ kind: "refresh", expires: context.requestedExpires }) } as const;
const SCHEDULE_REFRESH = { type: "scheduleRefresh", params: ({ context }: Ctx) => ({ at: context.refreshAt }) } as const;

/** An active or pending NOTIFY: take its expiry, hand on its body, re-arm the refresh. */
const ADOPT = (state: "active" | "pending") => ["grant", { type: "deliverBody", params: { subscriptionState: state } }, SCHEDULE_REFRESH] as const;

const DELIVER_FINAL = { type: "deliverBody", params: { subscriptionState: "terminated" } } as const;

/** `Subscription-State: terminated` by reason (FIELD.md §2.2; sip-subscriber.rules.ts). */
const ON_TERMINATED = [
  {
    // Once at once; a notifier that keeps terminating us gets the back-off.
    guard: "mayResubscribeNow",
    target: "notifyWait",
    actions: [DELIVER_FINAL, "countImmediate", ...START_INITIAL],
  },
  { guard: { type: "terminationIs", params: { kind: "stop" } }, target: "terminated", actions: [DELIVER_FINAL, "endByTermination"] },
  // resubscribe-later (after retry-after seconds when given), or resubscribe-now once too often.
  { guard: { type: "notifyIs", params: { state: "terminated" } }, target: "waitingToRetry", actions: [DELIVER_FINAL, "backOff"] },
] as const;

/** What `pending` and `active` share. */
const SUBSCRIBED = {
  "notify.received": [
    { guard: { type: "notifyIs", params: { state: "active" } }, target: "active", actions: [...ADOPT("active")] },
    { guard: { type: "notifyIs", params: { state: "pending" } }, target: "pending", actions: [...ADOPT("pending")] },
    ...ON_TERMINATED,
  ],
  "refresh.due": { guard: "refreshIsDue", actions: ["refreshInFlight", SEND_REFRESH] },
  "subscription.resumed": { actions: ["refreshInFlight", SEND_REFRESH] },
  "subscribe.accepted": { actions: ["grant", "refreshSucceeded", SCHEDULE_REFRESH] },
  "request.failed": [
    { guard: "canRaiseExpires", actions: ["adoptMinExpires", SEND_REFRESH] },
    // RFC 6665 §4.1.2.2: 481 to a refresh — the subscription is gone; subscribe anew (a restarted notifier).
    { guard: { type: "failureIs", params: { kind: "dialog-gone" } }, target: "notifyWait", actions: ["countImmediate", ...START_INITIAL] },
    { guard: { type: "failureIs", params: { kind: "fatal" } }, target: "terminated", actions: "endByFailure" },
    // Other errors leave the subscription valid until it lapses (§4.1.2.2): retry the refresh sooner.
    { guard: "retryBeforeExpiry", actions: ["backOffRefresh", SCHEDULE_REFRESH] },
    { target: "waitingToRetry", actions: "backOff" },
  ],
  "transport.failed": [
    { guard: "retryBeforeExpiry", actions: ["backOffRefresh", SCHEDULE_REFRESH] },
    { target: "waitingToRetry", actions: "backOff" },
  ],
  unsubscribe: { target: "terminated", actions: ["sendUnsubscribe", { type: "endWith", params: { reason: "unsubscribed" } }] },
} as const;

export const sipSubscriberMachine = setup({
  types: {
    context: {} as SubscriberContext,
    events: {} as SubscriberEvent,
    input: {} as SubscriberInput,
  },
  actions: {
    // Carried out by the adapter from the actions `transition()` returns.
    sendSubscribe: (_: unknown, _params: SendSubscribeParams) => {},
    sendUnsubscribe: () => {},
    scheduleRefresh: (_: unknown, _params: { readonly at: number }) => {},
    scheduleRetry: (_: unknown, _params: { readonly at: number }) => {},
    scheduleTimeout: (_: unknown, _params: { readonly at: number }) => {},
    cancelTimers: () => {},
    deliverBody: (_: unknown, _params: { readonly subscriptionState: SubscriptionStateValue }) => {},
    reportState: (_: unknown, _params: SipSubscriptionStatus) => {},
    // Context updates.
    beginInitial: assign(({ context, event }) => ({
      inDialog: false, expiresAt: 0, refreshAt: 0, retryAt: 0, notifyBy: nowOf(event) + context.timerNMs,
    })),
    adoptMinExpires: assign(({ context, event }) => ({
      requestedExpires: event.type === "request.failed" && event.minExpires !== undefined ? event.minExpires : context.requestedExpires,
    })),
    /** The remote granted `expires` seconds (a 200's Expires or a NOTIFY's expires parameter). */
    grant: assign(({ context, event }) => {
      const expires = event.type === "subscribe.accepted" || event.type === "notify.received" ? event.expires : undefined;
      const seconds = expires ?? (context.expiresAt === 0 ? context.requestedExpires : undefined);
      const now = nowOf(event);
      return {
        inDialog: true,
        notifyBy: event.type === "notify.received" ? 0 : context.notifyBy,
        ...(seconds === undefined ? {} : { expiresAt: now + seconds * 1000, refreshAt: refreshAtFor(now, seconds) }),
      };
    }),
    refreshSucceeded: assign({ attempt: 0 }),
    refreshInFlight: assign({ refreshAt: 0 }),
    backOff: assign(({ context, event }) => {
      const attempt = context.attempt + 1;
      const status = event.type === "request.failed" ? event.status : undefined;
      return {
        attempt, inDialog: false, expiresAt: 0, refreshAt: 0, notifyBy: 0,
        retryAt: nowOf(event) + retryDelayMs(context.id, attempt, context.backoff, retryAfterOf(event)),
        ...(status === undefined ? {} : { lastStatus: status }),
      };
    }),
    /** A refresh failed but the subscription still holds until expiresAt (RFC 6665 §4.1.2.2): try again sooner. */
    backOffRefresh: assign(({ context, event }) => {
      const attempt = context.attempt + 1;
      return { attempt, refreshAt: nowOf(event) + retryDelayMs(context.id, attempt, context.backoff, retryAfterOf(event)) };
    }),
    countImmediate: assign(({ context }) => ({ attempt: context.attempt + 1 })),
    endWith: assign(({ event }, params: { readonly reason: TerminatedReason }) => ({
      outcome: { reason: params.reason, ...(event.type === "request.failed" ? { statusCode: event.status } : {}) },
      refreshAt: 0, retryAt: 0, notifyBy: 0,
    })),
    endByFailure: assign(({ context, event }) => {
      const failure = failureOf(event, context.inDialog);
      const reason: TerminatedReason = failure?.kind === "fatal" ? failure.reason : "failed";
      return { outcome: { reason, ...(event.type === "request.failed" ? { statusCode: event.status } : {}) }, refreshAt: 0, retryAt: 0, notifyBy: 0 };
    }),
    endByTermination: assign(({ event }) => {
      const handling = classifyTermination(event.type === "notify.received" ? event.reason : undefined);
      return { outcome: { reason: handling.kind === "stop" ? handling.reason : "failed" }, refreshAt: 0, retryAt: 0, notifyBy: 0 };
    }),
  },
  guards: {
    notifyIs: ({ event }, params: { readonly state: SubscriptionStateValue }) => event.type === "notify.received" && event.state === params.state,
    terminationIs: ({ event }, params: { readonly kind: ReturnType<typeof classifyTermination>["kind"] }) =>
      event.type === "notify.received" && event.state === "terminated" && classifyTermination(event.reason).kind === params.kind,
    failureIs: ({ context, event }, params: { readonly kind: ReturnType<typeof classifyFailure>["kind"] }) =>
      failureOf(event, context.inDialog)?.kind === params.kind,
    /** A 423 whose Min-Expires is more than we asked (else asking again would loop). */
    canRaiseExpires: ({ context, event }) =>
      event.type === "request.failed" && event.status === 423 && event.minExpires !== undefined && event.minExpires > context.requestedExpires,
    /** deactivated/timeout, the first time since the last good refresh, and no retry-after to honour. */
    mayResubscribeNow: ({ context, event }) =>
      event.type === "notify.received" && event.state === "terminated" && classifyTermination(event.reason).kind === "resubscribe-now" &&
      context.attempt === 0 && event.retryAfter === undefined,
    inDialog: ({ context }) => context.inDialog,
    refreshIsDue: ({ context, event }) => context.refreshAt > 0 && nowOf(event) >= context.refreshAt,
    retryIsDue: ({ context, event }) => context.retryAt > 0 && nowOf(event) >= context.retryAt,
    notifyIsLate: ({ context, event }) => context.notifyBy > 0 && nowOf(event) >= context.notifyBy,
    /** A refresh retry after back-off still lands before the subscription lapses. */
    retryBeforeExpiry: ({ context, event }) =>
      nowOf(event) + retryDelayMs(context.id, context.attempt + 1, context.backoff, retryAfterOf(event)) < context.expiresAt,
    grantsNothing: ({ event }) => event.type === "subscribe.accepted" && event.expires === 0,
  },
}).createMachine({
  id: "sip-subscriber",
  context: ({ input }) => ({
    id: input.id, requestedExpires: input.expires, timerNMs: input.timerNMs ?? 32_000, backoff: input.backoff ?? DEFAULT_BACKOFF,
    expiresAt: 0, refreshAt: 0, retryAt: 0, notifyBy: 0, attempt: 0, inDialog: false,
  }),
  initial: "init",
  states: {
    init: {
      on: {
        "subscribe.start": { target: "notifyWait", actions: [...START_INITIAL] },
        unsubscribe: { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
      },
    },
    notifyWait: {
      on: {
        "subscribe.accepted": [
          // A 2xx granting 0 s created nothing lasting: treat it as a failure.
          { guard: "grantsNothing", target: "waitingToRetry", actions: "backOff" },
          // The dialog exists; Timer N keeps running until the first NOTIFY (RFC 6665 §4.1.2.4).
          { actions: "grant" },
        ],
        "notify.received": [
          { guard: { type: "notifyIs", params: { state: "active" } }, target: "active", actions: [...ADOPT("active")] },
          { guard: { type: "notifyIs", params: { state: "pending" } }, target: "pending", actions: [...ADOPT("pending")] },
          ...ON_TERMINATED,
        ],
        "request.failed": [
          { guard: "canRaiseExpires", target: "notifyWait", actions: ["adoptMinExpires", ...START_INITIAL] },
          { guard: { type: "failureIs", params: { kind: "fatal" } }, target: "terminated", actions: "endByFailure" },
          { target: "waitingToRetry", actions: "backOff" },
        ],
        "transport.failed": { target: "waitingToRetry", actions: "backOff" },
        "notify.timeout": { guard: "notifyIsLate", target: "waitingToRetry", actions: "backOff" },
        unsubscribe: [
          { guard: "inDialog", target: "terminated", actions: ["sendUnsubscribe", { type: "endWith", params: { reason: "unsubscribed" } }] },
          { target: "unsubscribing" },
        ],
        // The SUBSCRIBE in flight at the restart is lost: send a new one.
        "subscription.resumed": { target: "notifyWait", actions: [...START_INITIAL] },
      },
    },
    pending: { entry: { type: "reportState", params: { state: "pending" } }, on: SUBSCRIBED },
    active: { entry: { type: "reportState", params: { state: "active" } }, on: SUBSCRIBED },
    waitingToRetry: {
      entry: [
        { type: "scheduleRetry", params: ({ context }) => ({ at: context.retryAt }) },
        {
          type: "reportState",
          params: ({ context }) => ({ state: "retrying", retryAt: context.retryAt, ...(context.lastStatus === undefined ? {} : { statusCode: context.lastStatus }) }),
        },
      ],
      on: {
        "retry.due": { guard: "retryIsDue", target: "notifyWait", actions: [...START_INITIAL] },
        "subscription.resumed": { actions: { type: "scheduleRetry", params: ({ context }) => ({ at: context.retryAt }) } },
        unsubscribe: { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
      },
    },
    unsubscribing: {
      on: {
        // The dialog now exists: end it (RFC 6665 §4.1.2.3, Expires: 0).
        "subscribe.accepted": { target: "terminated", actions: ["grant", "sendUnsubscribe", { type: "endWith", params: { reason: "unsubscribed" } }] },
        "notify.received": [
          { guard: { type: "notifyIs", params: { state: "terminated" } }, target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
          { target: "terminated", actions: ["grant", "sendUnsubscribe", { type: "endWith", params: { reason: "unsubscribed" } }] },
        ],
        "request.failed": { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
        "transport.failed": { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
        "notify.timeout": { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
        "subscription.resumed": { target: "terminated", actions: { type: "endWith", params: { reason: "unsubscribed" } } },
      },
    },
    terminated: {
      type: "final",
      entry: [
        "cancelTimers",
        {
          type: "reportState",
          params: ({ context }) => ({
            state: "terminated",
            reason: context.outcome?.reason ?? "failed",
            ...(context.outcome?.statusCode === undefined ? {} : { statusCode: context.outcome.statusCode }),
          }),
        },
      ],
    },
  },
});
