/**
 * Retry timing shared by the SIP UAC machines (subscriber, publisher): exponential back-off
 * with jitter, Retry-After, the refresh margin. Pure: the jitter is drawn from a hash of the
 * subscription's id and the attempt, so tests are exact and 10,000 subscriptions that fail
 * together (a PBX restart) still spread their retries instead of returning in one burst.
 */

export interface BackoffPolicy {
  /** First retry after about this long (default 2 s). */
  readonly baseMs: number;
  /** Never wait longer than this (default 5 min). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 300_000 };

/** FNV-1a of the text, as a fraction in [0, 1). */
export function jitterFraction(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): base·2^(attempt−1), capped,
 * then "equal jitter" (half fixed, half random) so no retry comes sooner than half the step.
 * A Retry-After (seconds, RFC 3261 §20.33) is a floor: never retry before it.
 */
export function retryDelayMs(id: string, attempt: number, policy: BackoffPolicy, retryAfterSeconds?: number): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = Math.round(step / 2 + (step / 2) * jitterFraction(`${id}#${attempt}`));
  if (retryAfterSeconds === undefined) return jittered;
  // Spread those told the same Retry-After over a further tenth of it.
  const floor = retryAfterSeconds * 1000;
  return Math.round(floor + floor * 0.1 * jitterFraction(`${id}#${attempt}#ra`));
}

/**
 * When to refresh a subscription or publication granted for `expires` seconds: before it
 * lapses, by a tenth of the period but at least 5 s (two Timer E rounds and a lost response),
 * and never later than halfway (RFC 6665 §4.1.2.2 and RFC 3903 §4.1 leave the margin to us).
 */
export function refreshAtFor(now: number, expiresSeconds: number): number {
  const period = expiresSeconds * 1000;
  const margin = Math.min(Math.max(period * 0.1, 5_000), period / 2);
  return now + period - margin;
}
