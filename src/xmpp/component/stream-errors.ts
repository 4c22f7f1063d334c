/**
 * What an error on the component stream means for the link: RFC 6120 §4.9.3
 * stream errors that retrying cannot cure are fatal; everything else (a refused
 * or reset socket, a server shutting down) is retried with back-off.
 */
import type { XmppError } from "@xmpp/component";
import type { BridgeError, ErrorCode } from "../../errors.js";

const FATAL: Readonly<Record<string, { readonly code: ErrorCode; readonly message: string }>> = {
  "not-authorized": {
    code: "not-authorized",
    message: "the XMPP server refused the component secret (not-authorized); check the secret on both sides",
  },
  conflict: { code: "conflict", message: "another component is already connected for this domain (conflict)" },
  "host-unknown": {
    code: "connection-failed",
    message: "the XMPP server has no component of this domain (host-unknown); declare it in the server's config",
  },
};

export interface StreamErrorVerdict {
  readonly fatal: boolean;
  /** The condition, when it was a stream error. */
  readonly condition?: string;
  readonly error: BridgeError;
}

export function classifyStreamError(error: XmppError | Error, service: string): StreamErrorVerdict {
  const condition = "condition" in error ? error.condition : undefined;
  const fatal = condition === undefined ? undefined : FATAL[condition];
  if (condition !== undefined && fatal !== undefined) return { fatal: true, condition, error: { ...fatal, source: service } };
  const message = condition === undefined ? error.message : `stream error ${condition}${error.message === condition ? "" : `: ${error.message}`}`;
  return { fatal: false, ...(condition === undefined ? {} : { condition }), error: { code: "connection-failed", message, source: service } };
}
