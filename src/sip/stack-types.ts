/** The public contract of {@link SipStack}: options, the incoming-request hook, the UAC request shape. */
import type { Core } from "sip.js";
import type { Clock, Logger } from "../gateway/ports.js";
import type { SipTransportOptions } from "./transport/index.js";

export interface SipStackOptions {
  /** Listen addresses, outbound proxy, TLS … (the transport owns them). */
  readonly transport: SipTransportOptions;
  /**
   * The gateway's own address of record, e.g. `sip:presence-bridge@gw.example.com`. It is
   * the default From of requests that name none and what sip.js calls `aor`.
   */
  readonly aor: string;
  /**
   * Host written into Via sent-by and Contact (default: the address the preferred
   * transport listens on). Set it when the listen address is a wildcard.
   */
  readonly advertisedHost?: string;
  /** Port for Via and Contact (default: the bound port of the preferred transport). */
  readonly advertisedPort?: number;
  /** The user part of our Contact (default: the user of `aor`). */
  readonly contactUser?: string;
  /** Goes into `User-Agent: presence-bridge/<version>`. */
  readonly version: string;
  /** 401/407 handling for every request sent through {@link SipStack.send}; none means no credentials. */
  readonly authenticator?: RequestAuthenticator;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/**
 * What an incoming-request handler decided:
 * - `handled`: the handler answered (or will answer) the request itself;
 * - `to-core`: hand it to sip.js's core, with the Request-URI user check bypassed
 *   (so the core's dialogs, delegates and stateless replies apply to any presentity);
 * - `pass`: not mine; the next handler (and at last the core, with its normal checks) sees it.
 */
export type RequestDisposition = "handled" | "to-core" | "pass";

/**
 * Sees a request before sip.js's core does: before its method check (which answers PUBLISH
 * with 405) and its Request-URI check (which answers 404 unless the R-URI user is the UA's
 * own). Called synchronously, once per new server transaction: retransmissions of a request
 * whose transaction still exists, ACK and CANCEL go straight to the core.
 */
export type IncomingRequestHandler = (request: Core.IncomingRequestMessage) => RequestDisposition;

export interface IncomingRequestHookOptions {
  /**
   * `out-of-dialog` (default): requests without a To tag only. `in-dialog`: requests with a
   * To tag only (e.g. NOTIFYs for the subscriber's dialogs). `all`: both.
   */
  readonly scope?: "out-of-dialog" | "in-dialog" | "all";
}

/** A request to send as UAC. URIs are strings (`sip:1001@pbx.example.com`). */
export interface RequestSpec {
  readonly method: string;
  readonly requestUri: string;
  /** The From URI; defaults to the stack's `aor`. Any identity may be used (one per bridged user, or the gateway's). */
  readonly from?: string;
  readonly fromDisplayName?: string;
  /** The To URI; defaults to the Request-URI. */
  readonly to?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq?: number;
  /** Route header values, in order (a dialog's route set). */
  readonly routeSet?: readonly string[];
  readonly extraHeaders?: readonly string[];
  readonly body?: { readonly contentType: string; readonly content: string };
  /** Add our Contact (dialog-creating and target-refreshing requests need it). */
  readonly withContact?: boolean;
}

/** How a request ended when no SIP response came from the network (RFC 3261 §8.1.3.1). */
export type LocalFailure = "transport-error" | "timeout";

/** What {@link SipStack.send} hands back: the final outcome, once. */
export interface RequestOutcome {
  /** The final response (sip.js's message; for local failures a synthetic one). */
  readonly response: Core.IncomingResponseMessage;
  readonly statusCode: number;
  /** Set when the response did not come from the network. */
  readonly localFailure?: LocalFailure;
}

export interface SendOptions {
  /** Called for provisional responses (1xx). */
  readonly onProgress?: (response: Core.IncomingResponseMessage) => void;
}

/**
 * Digest authentication hooks (src/sip/digest.ts implements them). sip.js's own handling
 * is MD5-only and never preemptive, so the stack keeps it off and asks this instead.
 */
export interface RequestAuthenticator {
  /** Before the first send: add credentials from a cached challenge (preemptive). */
  prepare(message: Core.OutgoingRequestMessage): void;
  /**
   * On 401/407: put fresh credentials on `message` for one more try and return true, or
   * return false to let the challenge through as the final response. `retries` is how many
   * authenticated retries this request already had.
   */
  answer(message: Core.OutgoingRequestMessage, response: Core.IncomingResponseMessage, retries: number): boolean;
}
