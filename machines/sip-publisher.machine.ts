/**
 * One presentity's publication at an event state compositor (RFC 3903): logic only.
 *
 * States: `idle` (nothing published), `publishing` (one PUBLISH in flight), `published`
 * (an entity-tag held, the refresh armed), `waitingToRetry`, `failed`. The body is not in the
 * machine: the adapter keeps the latest one per presentity, and the machine only knows that
 * it is `dirty` (newer than what the ESC has). One PUBLISH in flight at a time, and whatever
 * changed meanwhile goes out as ONE modify with the latest body when it completes: at any
 * offered rate the ESC ends in the latest state, with no 412 storm from racing entity-tags
 * (PEERS.md: the peer ends wrong at 1,000 changes/s).
 *
 * Actions for src/sip/publisher: `sendPublish` (initial: body, no SIP-If-Match; modify: body
 * + SIP-If-Match; refresh: no body + SIP-If-Match; remove: Expires: 0 + SIP-If-Match),
 * `scheduleRefresh`, `scheduleRetry`, `cancelTimers`, `reportState`.
 */
import { assign, setup } from "xstate";
import type { SipPublicationStatus } from "../src/gateway/ports.js";
import { DEFAULT_BACKOFF, refreshAtFor, retryDelayMs, type BackoffPolicy } from "./sip-retry.js";
import { classifyFailure } from "./sip-subscriber.rules.js";

export interface PublisherInput {
  readonly id: string;
  /** Seconds asked for in PUBLISH (default 3600). */
  readonly expires: number;
  readonly backoff?: BackoffPolicy;
}

export type PublishKind = "initial" | "modify" | "refresh" | "remove";

export interface PublisherContext {
  readonly id: string;
  readonly requestedExpires: number;
  readonly backoff: BackoffPolicy;
  /** RFC 3903 §4.1 SIP-ETag of the publication at the ESC (undefined: none). */
  readonly etag: string | undefined;
  readonly expiresAt: number;
  readonly refreshAt: number;
  readonly retryAt: number;
  readonly attempt: number;
  /** The latest wanted state is newer than what the ESC holds. */
  readonly dirty: boolean;
  /** Published (true) or removed (false) is what the gateway wants now. */
  readonly wanted: boolean;
  /** What the PUBLISH in flight is. */
  readonly inFlight: PublishKind | undefined;
  readonly lastStatus?: number;
}

export type PublisherEvent =
  | { readonly type: "publish.requested"; readonly now: number }
  | { readonly type: "unpublish.requested"; readonly now: number }
  | { readonly type: "publish.accepted"; readonly now: number; readonly etag?: string; readonly expires?: number }
  | { readonly type: "request.failed"; readonly now: number; readonly status: number; readonly retryAfter?: number; readonly minExpires?: number }
  | { readonly type: "transport.failed"; readonly now: number }
  | { readonly type: "refresh.due"; readonly now: number }
  | { readonly type: "retry.due"; readonly now: number }
  | { readonly type: "publication.resumed"; readonly now: number };

export interface SendPublishParams {
  readonly kind: PublishKind;
  readonly expires: number;
  readonly etag?: string;
}

type Ctx = { readonly context: PublisherContext };

/** What to send next, from the context: the latest state, with the entity-tag when one is held. */
export function nextPublish(context: PublisherContext): PublishKind | undefined {
  if (!context.wanted) return context.etag === undefined ? undefined : "remove";
  if (context.etag === undefined) return "initial";
  return context.dirty ? "modify" : "refresh";
}

const SEND = {
  type: "sendPublish",
  params: ({ context }: Ctx): SendPublishParams => ({
    kind: context.inFlight ?? "initial",
    expires: context.inFlight === "remove" ? 0 : context.requestedExpires,
    ...(context.etag === undefined || context.inFlight === "initial" ? {} : { etag: context.etag }),
  }),
} as const;

export const sipPublisherMachine = setup({
  types: { context: {} as PublisherContext, events: {} as PublisherEvent, input: {} as PublisherInput },
  actions: {
    sendPublish: (_: unknown, _params: SendPublishParams) => {},
    scheduleRefresh: (_: unknown, _params: { readonly at: number }) => {},
    scheduleRetry: (_: unknown, _params: { readonly at: number }) => {},
    cancelTimers: () => {},
    reportState: (_: unknown, _params: SipPublicationStatus) => {},
    want: assign({ wanted: true, dirty: true }),
    unwant: assign({ wanted: false, dirty: true }),
    /** Takes what is due: the latest state goes out now, so it is no longer dirty. */
    begin: assign(({ context }) => ({ inFlight: nextPublish(context), dirty: false, refreshAt: 0, retryAt: 0 })),
    // RFC 3903 §4.1: a refresh has no body; without an entity-tag (an ESC that sent none) publish afresh.
    beginRefresh: assign(({ context }) => ({ inFlight: context.etag === undefined ? "initial" as const : "refresh" as const, refreshAt: 0 })),
    accept: assign(({ context, event }) => {
      if (event.type !== "publish.accepted") return {};
      if (context.inFlight === "remove") return { etag: undefined, expiresAt: 0, refreshAt: 0, inFlight: undefined, attempt: 0 };
      const seconds = event.expires ?? context.requestedExpires;
      return {
        // RFC 3903 §4.1: a 2xx without SIP-ETag leaves us nothing to refresh with: publish afresh next time.
        etag: event.etag, inFlight: undefined, attempt: 0,
        expiresAt: event.now + seconds * 1000, refreshAt: refreshAtFor(event.now, seconds),
      };
    }),
    /** RFC 3903 §4.1: 412 — the ESC does not know our entity-tag: publish afresh with the latest body. */
    forgetEtag: assign({ etag: undefined, dirty: true, inFlight: undefined }),
    adoptMinExpires: assign(({ context, event }) => ({
      requestedExpires: event.type === "request.failed" && event.minExpires !== undefined ? event.minExpires : context.requestedExpires,
      dirty: true, inFlight: undefined,
    })),
    backOff: assign(({ context, event }) => {
      const attempt = context.attempt + 1;
      const retryAfter = event.type === "request.failed" ? event.retryAfter : undefined;
      return {
        attempt, inFlight: undefined, refreshAt: 0,
        // The outcome is unknown: send the latest state again when the retry comes.
        dirty: context.dirty || context.inFlight !== "refresh",
        retryAt: event.now + retryDelayMs(context.id, attempt, context.backoff, retryAfter),
        ...(event.type === "request.failed" ? { lastStatus: event.status } : {}),
      };
    }),
    fail: assign(({ event }) => ({
      etag: undefined, inFlight: undefined, refreshAt: 0, retryAt: 0, ...(event.type === "request.failed" ? { lastStatus: event.status } : {}),
    })),
  },
  guards: {
    /** After this 2xx, is something still due? (Guards see the context before `accept` runs.) */
    moreAfterAccept: ({ context }) => (context.inFlight === "remove" ? context.wanted : context.dirty || !context.wanted),
    nothingToSend: ({ context }) => nextPublish({ ...context, dirty: true }) === undefined,
    wasRemove: ({ context }) => context.inFlight === "remove",
    is412: ({ event }) => event.type === "request.failed" && event.status === 412,
    is412WhileRemoving: ({ context, event }) => event.type === "request.failed" && event.status === 412 && !context.wanted,
    canRaiseExpires: ({ context, event }) =>
      event.type === "request.failed" && event.status === 423 && event.minExpires !== undefined && event.minExpires > context.requestedExpires,
    isRetryable: ({ event }) => event.type === "request.failed" && classifyFailure(event.status, false).kind !== "fatal",
    refreshIsDue: ({ context, event }) => context.refreshAt > 0 && event.now >= context.refreshAt,
    retryIsDue: ({ context, event }) => context.retryAt > 0 && event.now >= context.retryAt,
    holdsEtag: ({ context }) => context.etag !== undefined,
  },
}).createMachine({
  id: "sip-publisher",
  context: ({ input }) => ({
    id: input.id, requestedExpires: input.expires, backoff: input.backoff ?? DEFAULT_BACKOFF, etag: undefined,
    expiresAt: 0, refreshAt: 0, retryAt: 0, attempt: 0, dirty: false, wanted: false, inFlight: undefined,
  }),
  initial: "idle",
  states: {
    idle: {
      on: {
        "publish.requested": { target: "publishing", actions: ["want", "begin", SEND] },
      },
    },
    publishing: {
      on: {
        // Coalescing: newer states wait for the PUBLISH in flight, then go out as one.
        "publish.requested": { actions: "want" },
        "unpublish.requested": { actions: "unwant" },
        "publish.accepted": [
          { guard: "moreAfterAccept", target: "publishing", actions: ["accept", "begin", SEND] },
          { guard: "wasRemove", target: "idle", actions: ["accept", "cancelTimers", { type: "reportState", params: { state: "removed" } }] },
          { target: "published", actions: "accept" },
        ],
        "request.failed": [
          // 412 to a remove: the ESC no longer has the publication — removed either way.
          { guard: "is412WhileRemoving", target: "idle", actions: ["forgetEtag", "cancelTimers", { type: "reportState", params: { state: "removed" } }] },
          { guard: "is412", target: "publishing", actions: ["forgetEtag", "begin", SEND] },
          { guard: "canRaiseExpires", target: "publishing", actions: ["adoptMinExpires", "begin", SEND] },
          { guard: "isRetryable", target: "waitingToRetry", actions: "backOff" },
          {
            target: "failed",
            actions: ["fail", "cancelTimers", {
              type: "reportState",
              params: ({ context }) => ({ state: "failed", statusCode: context.lastStatus ?? 0, reason: classifyReason(context.lastStatus ?? 0) }),
            }],
          },
        ],
        "transport.failed": { target: "waitingToRetry", actions: "backOff" },
        // The PUBLISH in flight at the restart is lost: send the latest state again.
        "publication.resumed": [
          { guard: "nothingToSend", target: "idle" },
          { target: "publishing", actions: [assign({ dirty: true }), "begin", SEND] },
        ],
      },
    },
    published: {
      entry: [
        { type: "scheduleRefresh", params: ({ context }) => ({ at: context.refreshAt }) },
        { type: "reportState", params: ({ context }) => ({ state: "published", etag: context.etag ?? "", expiresAt: context.expiresAt }) },
      ],
      on: {
        "publish.requested": { target: "publishing", actions: ["want", "begin", SEND] },
        "unpublish.requested": [
          { guard: "holdsEtag", target: "publishing", actions: ["unwant", "begin", SEND] },
          // An ESC that gave no entity-tag leaves nothing to remove by: it expires.
          { target: "idle", actions: ["unwant", "cancelTimers", { type: "reportState", params: { state: "removed" } }] },
        ],
        "refresh.due": { guard: "refreshIsDue", target: "publishing", actions: ["beginRefresh", SEND] },
        "publication.resumed": { actions: { type: "scheduleRefresh", params: ({ context }) => ({ at: context.refreshAt }) } },
      },
    },
    waitingToRetry: {
      entry: [
        { type: "scheduleRetry", params: ({ context }) => ({ at: context.retryAt }) },
        {
          type: "reportState",
          params: ({ context }) => ({ state: "retrying", retryAt: context.retryAt, ...(context.lastStatus === undefined ? {} : { statusCode: context.lastStatus }) }),
        },
      ],
      on: {
        "publish.requested": { actions: "want" },
        "unpublish.requested": [
          { guard: "holdsEtag", actions: "unwant" },
          { target: "idle", actions: ["unwant", "cancelTimers", { type: "reportState", params: { state: "removed" } }] },
        ],
        "retry.due": [
          { guard: "nothingToSend", target: "idle", actions: ["cancelTimers", { type: "reportState", params: { state: "removed" } }] },
          { guard: "retryIsDue", target: "publishing", actions: ["begin", SEND] },
        ],
        "publication.resumed": { actions: { type: "scheduleRetry", params: ({ context }) => ({ at: context.retryAt }) } },
      },
    },
    failed: {
      on: {
        "publish.requested": { target: "publishing", actions: [assign({ attempt: 0 }), "want", "begin", SEND] },
      },
    },
  },
});

function classifyReason(status: number): string {
  const failure = classifyFailure(status, false);
  return failure.kind === "fatal" ? failure.reason : "failed";
}
