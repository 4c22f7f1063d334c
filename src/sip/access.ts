/**
 * Who may talk to the notifier and the PUBLISH receiver: trusted peer networks
 * (a PBX, the SIP proxy) pass as they are; anyone else answers a digest challenge
 * of ours (RFC 3261 §22.4, 401 + WWW-Authenticate) when users are configured, or
 * gets 403 (RFC 3261 §21.4.4) when they are not. So a stranger on the network can
 * neither read (SUBSCRIBE) nor write (PUBLISH) presence.
 */
import type { Core } from "sip.js";
import { ok, type Result } from "../errors.js";
import { DigestAuthenticator, type DigestOptions } from "./access-digest.js";
import { NetworkList } from "./access-networks.js";

export type { DigestAlgorithm, DigestOptions, DigestUser } from "./access-digest.js";

export interface SipAccessConfig {
  /** Addresses and CIDR prefixes, IPv4 and IPv6, whose requests need no credentials. */
  readonly trustedNetworks?: readonly string[];
  /** A digest challenge for everyone else; without it, everyone else gets 403. */
  readonly digest?: DigestOptions;
}

export type AccessVerdict =
  | { readonly allowed: true; readonly by: "trusted-network" | "digest"; readonly user?: string; readonly source: string }
  | {
    readonly allowed: false;
    readonly status: 401 | 403;
    readonly reason: string;
    /** Headers for the response (the WWW-Authenticate challenges of a 401). */
    readonly extraHeaders: readonly string[];
    /** Why, for the log: `untrusted-source`, `wrong-response`, `stale-nonce` … */
    readonly problem: string;
    readonly source: string;
  };

/**
 * Where a request came from. The transport stamps `received` on the top Via whenever
 * the packet's source differs from the sent-by host (and strips any `received` a peer
 * wrote), so `received`, else the sent-by host, is the source address (RFC 3261 §18.2.1).
 */
export function sourceAddress(message: Pick<Core.IncomingRequestMessage, "getHeader">): string {
  const top = (message.getHeader("via") ?? "").split(",")[0] ?? "";
  const received = /;\s*received\s*=\s*([^;\s,]+)/i.exec(top)?.[1];
  if (received !== undefined) return received.replace(/^\[|\]$/g, "");
  const host = /^\s*SIP\s*\/\s*2\.0\s*\/\s*\S+\s+(\[[^\]]+\]|[^\s;:]+)/i.exec(top)?.[1] ?? "";
  return host.replace(/^\[|\]$/g, "");
}

/** The Request-URI as written on the request line (digest `uri` is compared with it). */
function requestUriText(message: Pick<Core.IncomingRequestMessage, "data">): string {
  const line = message.data.slice(0, message.data.indexOf("\r\n"));
  return line.split(" ")[1] ?? "";
}

export class SipAccess {
  private constructor(
    private readonly trusted: NetworkList,
    private readonly digest: DigestAuthenticator | undefined,
  ) {}

  static create(config: SipAccessConfig, now: () => number = Date.now): Result<SipAccess> {
    const trusted = NetworkList.parse(config.trustedNetworks ?? []);
    if (!trusted.ok) return trusted;
    const digest = config.digest === undefined ? undefined : new DigestAuthenticator(config.digest, now);
    return ok(new SipAccess(trusted.value, digest));
  }

  /** True when nobody can pass (no trusted network and no users): worth a warning at start. */
  get closed(): boolean {
    return this.trusted.size === 0 && this.digest === undefined;
  }

  check(message: Pick<Core.IncomingRequestMessage, "getHeader" | "getHeaders" | "method" | "data">): AccessVerdict {
    const source = sourceAddress(message);
    if (this.trusted.contains(source)) return { allowed: true, by: "trusted-network", source };
    if (this.digest === undefined) {
      return { allowed: false, status: 403, reason: "Forbidden", extraHeaders: [], problem: "untrusted-source", source };
    }
    const answers = message.getHeaders("authorization");
    if (answers.length === 0) return this.challenge(false, "no-credentials", source);
    const uri = requestUriText(message);
    let stale = false;
    let problem = "wrong-realm";
    for (const answer of answers) {
      const checked = this.digest.verify(answer, message.method, uri);
      if (checked.ok) return { allowed: true, by: "digest", user: checked.user, source };
      // Credentials for another realm (a proxy's) are not ours to judge.
      if (checked.problem === "wrong-realm") continue;
      stale = checked.stale;
      problem = checked.problem;
      break;
    }
    return this.challenge(stale, problem, source);
  }

  private challenge(stale: boolean, problem: string, source: string): AccessVerdict {
    const extraHeaders = (this.digest?.challenges(stale) ?? []).map((c) => `WWW-Authenticate: ${c}`);
    return { allowed: false, status: 401, reason: "Unauthorized", extraHeaders, problem, source };
  }
}
