/**
 * HTTP Digest for SIP (RFC 3261 §22.4, RFC 2617, RFC 7616; RFC 8760 adds SHA-256 and
 * SHA-512/256 to SIP): challenge parsing, the response computation, the Authorization value.
 * Pure: the caller supplies cnonce and nc.
 */
import { createHash } from "node:crypto";

export type DigestHash = "MD5" | "SHA-256" | "SHA-512-256";
/** RFC 7616 §3.3: each hash has a `-sess` variant. */
export type DigestAlgorithm = DigestHash | `${DigestHash}-sess`;
export type DigestQop = "auth" | "auth-int";

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly opaque?: string;
  /** The qop values offered; empty for an RFC 2069 challenge. */
  readonly qop: readonly DigestQop[];
  readonly stale: boolean;
}

const NODE_HASH: Readonly<Record<DigestHash, string>> = { "MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512-256" };

/** RFC 8760 §2.3: a client uses the strongest algorithm it supports; MD5 last. */
const STRENGTH: Readonly<Record<DigestHash, number>> = { "MD5": 0, "SHA-256": 1, "SHA-512-256": 2 };

export const hashOf = (algorithm: DigestAlgorithm): DigestHash => algorithm.replace(/-sess$/, "") as DigestHash;
export const strengthOf = (algorithm: DigestAlgorithm): number => STRENGTH[hashOf(algorithm)];

export function digestHash(hash: DigestHash, text: string): string {
  return createHash(NODE_HASH[hash]).update(text, "utf8").digest("hex");
}

function canonicalAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return "MD5"; // RFC 2617 §3.2.1: absent means MD5
  const m = /^(md5|sha-256|sha-512-256)(-sess)?$/i.exec(value.trim());
  if (!m) return undefined;
  const base = (m[1] ?? "").toUpperCase() as DigestHash;
  return m[2] === undefined ? base : `${base}-sess`;
}

/** Splits `a=b, c="d, e", f=g` into pairs, honouring quoted strings with backslash escapes. */
function authParams(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push([(m[1] ?? "").toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "")]);
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

/**
 * Parses one WWW-Authenticate / Proxy-Authenticate value. Returns undefined for other schemes,
 * algorithms we cannot compute, or challenges without realm or nonce (nothing to answer).
 */
export function parseChallenge(value: string): DigestChallenge | undefined {
  const m = /^\s*digest\s+/i.exec(value);
  if (!m) return undefined;
  const params = new Map(authParams(value.slice(m[0].length)));
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  const algorithm = canonicalAlgorithm(params.get("algorithm"));
  if (realm === undefined || nonce === undefined || algorithm === undefined) return undefined;
  const offered = params.get("qop");
  const qop = (offered ?? "")
    .split(",")
    .map((q) => q.trim().toLowerCase())
    .filter((q): q is DigestQop => q === "auth" || q === "auth-int");
  // RFC 7616 §3.3: a qop list without one we know cannot be answered.
  if (offered !== undefined && qop.length === 0) return undefined;
  const opaque = params.get("opaque");
  return {
    realm,
    nonce,
    algorithm,
    ...(opaque === undefined ? {} : { opaque }),
    qop,
    stale: (params.get("stale") ?? "").toLowerCase() === "true",
  };
}

/** Several challenges (RFC 8760 §2.4: one per algorithm) → the strongest one we can answer first. */
export function rankChallenges(values: readonly string[], usable: (c: DigestChallenge) => boolean): DigestChallenge[] {
  return values
    .map(parseChallenge)
    .filter((c): c is DigestChallenge => c !== undefined && usable(c))
    .sort((a, b) => strengthOf(b.algorithm) - strengthOf(a.algorithm));
}

/** Where HA1 comes from: the password, or a stored H(username:realm:password) per hash. */
export interface DigestSecret {
  readonly password?: string;
  readonly ha1?: Partial<Record<DigestHash, string>>;
}

export interface DigestInput {
  readonly challenge: DigestChallenge;
  readonly username: string;
  readonly secret: DigestSecret;
  readonly method: string;
  /** The digest-uri: in SIP, the Request-URI (RFC 3261 §22.4). */
  readonly uri: string;
  readonly cnonce: string;
  /** The nonce count (1 for the first use of a nonce). */
  readonly nc: number;
  /** The request body, for qop=auth-int. */
  readonly body?: string;
}

export interface DigestAnswer {
  readonly response: string;
  readonly qop: DigestQop | undefined;
  readonly ncHex: string;
  /** The whole header value: `Digest username="…", …`. */
  readonly header: string;
}

/** The HA1 for this challenge's hash, or undefined when the secret has neither password nor that HA1. */
export function ha1Of(challenge: DigestChallenge, username: string, secret: DigestSecret): string | undefined {
  const hash = hashOf(challenge.algorithm);
  return secret.password !== undefined
    ? digestHash(hash, `${username}:${challenge.realm}:${secret.password}`)
    : secret.ha1?.[hash];
}

/** RFC 7616 §3.4.1–3.4.3 (and RFC 2617 §3.2.2 without qop). Undefined when HA1 cannot be had. */
export function computeDigest(input: DigestInput): DigestAnswer | undefined {
  const { challenge, username, method, uri, cnonce } = input;
  const hash = hashOf(challenge.algorithm);
  const base = ha1Of(challenge, username, input.secret);
  if (base === undefined) return undefined;
  // RFC 7616 §3.4.2: for -sess, A1 = H(user:realm:password):nonce:cnonce.
  const ha1 = challenge.algorithm.endsWith("-sess") ? digestHash(hash, `${base}:${challenge.nonce}:${cnonce}`) : base;
  const qop: DigestQop | undefined = challenge.qop.includes("auth") ? "auth" : challenge.qop.includes("auth-int") ? "auth-int" : undefined;
  // RFC 7616 §3.4.3: A2 = method:uri, plus :H(body) for auth-int.
  const ha2 = digestHash(hash, qop === "auth-int" ? `${method}:${uri}:${digestHash(hash, input.body ?? "")}` : `${method}:${uri}`);
  const ncHex = input.nc.toString(16).padStart(8, "0");
  const response = qop === undefined
    ? digestHash(hash, `${ha1}:${challenge.nonce}:${ha2}`)
    : digestHash(hash, `${ha1}:${challenge.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`);
  const quote = (s: string): string => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [
    `username=${quote(username)}`, `realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(uri)}`, `response=${quote(response)}`, `algorithm=${challenge.algorithm}`,
    ...(challenge.opaque === undefined ? [] : [`opaque=${quote(challenge.opaque)}`]),
    ...(qop === undefined ? [] : [`qop=${qop}`, `nc=${ncHex}`, `cnonce=${quote(cnonce)}`]),
  ];
  return { response, qop, ncHex, header: `Digest ${parts.join(", ")}` };
}
