/**
 * Reconnect delays: exponential back-off with "full jitter" (each delay drawn
 * uniformly below the exponential ceiling), so a fleet of bridges restarted with
 * their XMPP server does not reconnect in lock step. Replaces @xmpp/reconnect's
 * fixed 1 s delay (LIBRARIES.md §2). Pure: the random source is injected.
 */

export interface ReconnectBackoff {
  /** Ceiling of the first delay, ms. */
  readonly initialDelayMs: number;
  /** Highest ceiling, ms. */
  readonly maxDelayMs: number;
  /** Ceiling growth per failed attempt. */
  readonly factor: number;
  /** 0: no jitter (the ceiling itself); 1: full jitter (uniform in [0, ceiling]). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: ReconnectBackoff = { initialDelayMs: 500, maxDelayMs: 60_000, factor: 2, jitter: 1 };

/**
 * The delay before the next attempt after `failures` (≥ 1) consecutive failures:
 * ceiling = min(maxDelayMs, initialDelayMs × factor^(failures − 1)), and the delay
 * is drawn uniformly from [ceiling × (1 − jitter), ceiling].
 */
export function reconnectDelay(failures: number, options: ReconnectBackoff, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(ceiling * (1 - jitter * random()));
}
