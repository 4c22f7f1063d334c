/**
 * Digest on the UAC side, plugged into {@link SipStack} as its {@link RequestAuthenticator}:
 * answers 401/407 (MD5, SHA-256, SHA-512/256, their -sess forms; qop auth/auth-int), keeps the
 * last challenge per domain so later requests carry credentials at once (sip.js has no
 * preemptive credentials and doubles the traffic behind a challenging proxy, LIBRARIES.md §1),
 * and gives up on a second rejection (an auth loop) unless the server said `stale=true`.
 */
import { randomBytes } from "node:crypto";
import type { Core } from "sip.js";
import type { Clock, Logger } from "../gateway/ports.js";
import { computeDigest, ha1Of, rankChallenges, type DigestChallenge, type DigestHash } from "./digest.js";
import type { RequestAuthenticator } from "./stack-types.js";

/** Credentials from the config: per realm, a password or stored HA1 values. */
export interface DigestCredential {
  /** The realm these answer; omitted: any realm. */
  readonly realm?: string;
  readonly username: string;
  readonly password?: string;
  /** H(username:realm:password) per hash, for configs that must not hold the password. */
  readonly ha1?: Partial<Record<DigestHash, string>>;
}

export interface DigestClientOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How long a cached challenge is used preemptively (default 5 min; a stale nonce costs one retry). */
  readonly cacheTtlMs?: number;
  /** Stale nonces in a row before giving up (default 2). */
  readonly maxStaleRetries?: number;
  readonly cnonce?: () => string;
}

type Kind = "www" | "proxy";
const CHALLENGE_HEADER: Readonly<Record<Kind, string>> = { www: "www-authenticate", proxy: "proxy-authenticate" };
const CREDENTIALS_HEADER: Readonly<Record<Kind, string>> = { www: "Authorization", proxy: "Proxy-Authorization" };

interface Cached {
  readonly challenge: DigestChallenge;
  nc: number;
  readonly at: number;
}

export class DigestClient implements RequestAuthenticator {
  /** `kind|domain` → the last challenge and its nonce count. */
  private readonly cache = new Map<string, Cached>();
  private readonly ttl: number;
  private readonly maxStale: number;
  private readonly cnonce: () => string;
  private readonly now: () => number;
  /** Requests answered preemptively or after a challenge (for the benchmark and tests). */
  readonly counters = { preemptive: 0, challenged: 0, gaveUp: 0 };

  constructor(private readonly credentials: readonly DigestCredential[], private readonly options: DigestClientOptions) {
    this.ttl = options.cacheTtlMs ?? 300_000;
    this.maxStale = options.maxStaleRetries ?? 2;
    this.cnonce = options.cnonce ?? (() => randomBytes(12).toString("hex"));
    this.now = options.clock ? () => options.clock?.now() ?? Date.now() : () => Date.now();
  }

  prepare(message: Core.OutgoingRequestMessage): void {
    for (const kind of ["www", "proxy"] as const) {
      const key = `${kind}|${message.toURI.host}`;
      const cached = this.cache.get(key);
      if (!cached) continue;
      if (this.now() - cached.at > this.ttl) {
        this.cache.delete(key);
        continue;
      }
      const credential = this.credentialFor(cached.challenge, message.fromURI.user);
      if (!credential) continue;
      cached.nc += 1;
      const header = this.authorize(message, cached.challenge, credential, cached.nc);
      if (header === undefined) continue;
      message.setHeader(CREDENTIALS_HEADER[kind], header);
      this.counters.preemptive++;
    }
  }

  answer(message: Core.OutgoingRequestMessage, response: Core.IncomingResponseMessage, retries: number): boolean {
    const kind: Kind = response.statusCode === 407 ? "proxy" : "www";
    const key = `${kind}|${message.toURI.host}`;
    const fromUser = message.fromURI.user;
    const fields = { callId: message.callId, method: message.method, from: message.fromURI.toString(), status: response.statusCode };
    const ranked = rankChallenges(challengeValues(response, CHALLENGE_HEADER[kind]), (c) => this.credentialFor(c, fromUser) !== undefined);
    const challenge = ranked[0];
    if (!challenge) {
      this.cache.delete(key);
      this.counters.gaveUp++;
      this.options.logger.warn("sip.digest.no-credentials", { ...fields, realm: this.realmsOf(response, kind) });
      return false;
    }
    // RFC 3261 §22.2 / RFC 7616 §3.3: a second rejection of fresh credentials is final; stale only means a new nonce.
    if (retries >= 1 && (!challenge.stale || retries > this.maxStale)) {
      this.cache.delete(key);
      this.counters.gaveUp++;
      this.options.logger.warn("sip.digest.rejected", { ...fields, realm: challenge.realm, algorithm: challenge.algorithm });
      return false;
    }
    const credential = this.credentialFor(challenge, fromUser);
    const header = credential === undefined ? undefined : this.authorize(message, challenge, credential, 1);
    if (header === undefined) return false;
    this.cache.set(key, { challenge, nc: 1, at: this.now() });
    message.setHeader(CREDENTIALS_HEADER[kind], header);
    this.counters.challenged++;
    this.options.logger.debug("sip.digest.answered", { ...fields, realm: challenge.realm, algorithm: challenge.algorithm });
    return true;
  }

  /** Forgets every cached challenge (e.g. after the peer restarted). */
  clear(): void {
    this.cache.clear();
  }

  /** The credential for a realm: the one whose username is the From user (per-user identities), else the first. */
  private credentialFor(challenge: DigestChallenge, fromUser: string | undefined): DigestCredential | undefined {
    const candidates = this.credentials.filter((c) =>
      (c.realm === undefined || c.realm === challenge.realm) && ha1Of(challenge, c.username, c) !== undefined);
    return candidates.find((c) => c.username === fromUser) ?? candidates[0];
  }

  private authorize(message: Core.OutgoingRequestMessage, challenge: DigestChallenge, credential: DigestCredential, nc: number): string | undefined {
    return computeDigest({
      challenge,
      username: credential.username,
      secret: credential,
      method: message.method,
      uri: message.ruri.toString(),
      cnonce: this.cnonce(),
      nc,
      ...(message.body === undefined ? {} : { body: message.body.body }),
    })?.header;
  }

  private realmsOf(response: Core.IncomingResponseMessage, kind: Kind): string {
    return challengeValues(response, CHALLENGE_HEADER[kind]).map((v) => /realm="([^"]*)"/i.exec(v)?.[1] ?? "?").join(",");
  }
}

/**
 * Every value of a challenge header, read from the raw message: sip.js's parser keeps only the
 * last WWW-/Proxy-Authenticate, and RFC 8760 §2.4 servers send one per algorithm.
 */
export function challengeValues(response: Core.IncomingResponseMessage, name: string): string[] {
  const raw = response.data ?? "";
  const end = raw.indexOf("\r\n\r\n");
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, " "); // RFC 3261 §7.3.1 folding
  const values: string[] = [];
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) values.push(line.slice(colon + 1).trim());
  }
  return values.length > 0 ? values : response.getHeaders(name);
}
