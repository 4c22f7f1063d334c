/**
 * A digest challenge of our own for incoming requests (RFC 3261 §22.4, RFC 2617 §3,
 * RFC 8760 for SHA-256). Nonces are stateless: a timestamp and a random part signed
 * with an HMAC, so they expire without a table and survive a restart when the
 * secret is configured.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type DigestAlgorithm = "MD5" | "SHA-256";

export interface DigestUser {
  readonly user: string;
  /** The password, or the precomputed H(user:realm:password) per algorithm (lower-case hex). */
  readonly password?: string;
  readonly ha1?: Readonly<Partial<Record<DigestAlgorithm, string>>>;
}

export interface DigestOptions {
  readonly realm: string;
  readonly users: readonly DigestUser[];
  /** Offered in this order of preference (RFC 8760 §2.4: one challenge per algorithm). Default SHA-256, MD5. */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** How long a nonce is good for (default 300 s); after that the answer is 401 with `stale=true`. */
  readonly nonceLifetimeSeconds?: number;
  /** HMAC key for nonces; default random per process (nonces then die with the process). */
  readonly secret?: string;
}

export type DigestCheck =
  | { readonly ok: true; readonly user: string; readonly algorithm: DigestAlgorithm }
  /** `stale`: the credentials were right but the nonce too old (RFC 2617 §3.2.1). */
  | { readonly ok: false; readonly problem: string; readonly stale: boolean };

const HASH: Readonly<Record<DigestAlgorithm, string>> = { MD5: "md5", "SHA-256": "sha256" };

const hash = (algorithm: DigestAlgorithm, text: string): string => createHash(HASH[algorithm]).update(text).digest("hex");

/** Parses `Digest a="b", c=d` (RFC 2617 §3.2.2) into lower-case names and unquoted values. */
export function parseDigestParams(header: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+/i.exec(header);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const rest = header.slice(m[0].length);
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/y;
  let match: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (match = re.exec(rest)) !== null) {
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "");
    params.set((match[1] ?? "").toLowerCase(), value);
  }
  return params;
}

export class DigestAuthenticator {
  readonly realm: string;
  readonly algorithms: readonly DigestAlgorithm[];
  private readonly lifetimeMs: number;
  private readonly secret: Buffer;
  private readonly users: ReadonlyMap<string, DigestUser>;

  constructor(options: DigestOptions, private readonly now: () => number) {
    this.realm = options.realm;
    this.algorithms = options.algorithms && options.algorithms.length > 0 ? options.algorithms : ["SHA-256", "MD5"];
    this.lifetimeMs = (options.nonceLifetimeSeconds ?? 300) * 1000;
    this.secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret, "utf8");
    this.users = new Map(options.users.map((u) => [u.user, u]));
  }

  /** `timestamp.random.signature`, hex. */
  makeNonce(): string {
    const body = `${Math.floor(this.now() / 1000).toString(16)}.${randomBytes(8).toString("hex")}`;
    return `${body}.${this.sign(body)}`;
  }

  /** One `WWW-Authenticate` value per algorithm, most preferred first (RFC 8760 §2.4). */
  challenges(stale: boolean): string[] {
    const nonce = this.makeNonce();
    return this.algorithms.map((algorithm) =>
      `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"${stale ? ", stale=true" : ""}`);
  }

  /**
   * Checks an `Authorization` value for `method` and the request's Request-URI
   * (RFC 2617 §3.2.2.5: the `uri` must name the same resource).
   */
  verify(header: string, method: string, requestUri: string): DigestCheck {
    const p = parseDigestParams(header);
    if (!p) return { ok: false, problem: "not-digest", stale: false };
    const username = p.get("username");
    const nonce = p.get("nonce");
    const uri = p.get("uri");
    const response = p.get("response")?.toLowerCase();
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { ok: false, problem: "missing-parameter", stale: false };
    }
    if (p.get("realm") !== this.realm) return { ok: false, problem: "wrong-realm", stale: false };
    const algorithm = (this.algorithms.find((a) => a.toLowerCase() === (p.get("algorithm") ?? "MD5").toLowerCase()));
    if (algorithm === undefined) return { ok: false, problem: "algorithm-not-offered", stale: false };
    if (uri !== requestUri) return { ok: false, problem: "uri-mismatch", stale: false };
    const age = this.nonceAge(nonce);
    if (age === undefined) return { ok: false, problem: "foreign-nonce", stale: false };
    const user = this.users.get(username);
    const ha1 = user?.ha1?.[algorithm]?.toLowerCase()
      ?? (user?.password === undefined ? undefined : hash(algorithm, `${username}:${this.realm}:${user.password}`));
    if (ha1 === undefined) return { ok: false, problem: "unknown-user", stale: false };
    const ha2 = hash(algorithm, `${method}:${uri}`);
    const qop = p.get("qop");
    let expected: string;
    if (qop === undefined) {
      // RFC 2069 compatibility (RFC 3261 §22.4).
      expected = hash(algorithm, `${ha1}:${nonce}:${ha2}`);
    } else if (qop.toLowerCase() === "auth") {
      const nc = p.get("nc");
      const cnonce = p.get("cnonce");
      if (nc === undefined || cnonce === undefined || !/^[0-9a-fA-F]{8}$/.test(nc)) return { ok: false, problem: "missing-parameter", stale: false };
      expected = hash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    } else {
      return { ok: false, problem: "qop-not-offered", stale: false };
    }
    if (!equalHex(expected, response)) return { ok: false, problem: "wrong-response", stale: false };
    // RFC 2617 §3.2.1: a right answer with an old nonce is "stale": ask again without asking for the password.
    if (age > this.lifetimeMs) return { ok: false, problem: "stale-nonce", stale: true };
    return { ok: true, user: username, algorithm };
  }

  /** ms since the nonce was issued, or undefined if we did not issue it. */
  private nonceAge(nonce: string): number | undefined {
    const parts = nonce.split(".");
    if (parts.length !== 3) return undefined;
    const [stamp = "", random = "", signature = ""] = parts;
    if (!equalHex(this.sign(`${stamp}.${random}`), signature)) return undefined;
    return this.now() - parseInt(stamp, 16) * 1000;
  }

  private sign(text: string): string {
    return createHmac("sha256", this.secret).update(text).digest("hex").slice(0, 32);
  }
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
