/** RFC 6121 §4.7.2.3: priority is an integer in -128..127. */
const MIN_PRIORITY = -128;
const MAX_PRIORITY = 127;

/** An integer in -128..127: fractions truncated, out-of-range values clamped, NaN → 0. */
export function clampPriority(priority: number): number {
  if (Number.isNaN(priority)) return 0;
  const clamped = Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority)));
  return clamped === 0 ? 0 : clamped; // no -0
}

/**
 * XMPP priority (-128..127) → PIDF contact priority (RFC 3863 §4.1.5: a qvalue, 0..1,
 * three decimals): `round((p + 128) / 255, 3)`. -128 → 0, 127 → 1.
 */
export function xmppToPidfPriority(priority: number): number {
  const p = clampPriority(priority);
  return Math.round(((p + MAX_PRIORITY + 1) * 1000) / 255) / 1000;
}

/**
 * PIDF contact priority (0..1) → XMPP priority: `round(q * 255 - 128)`, clamped to
 * -128..127; a value that is not a number gives 0. Inverts {@link xmppToPidfPriority}
 * for every integer -128..127 (three decimals err by at most 0.13 on the XMPP scale).
 */
export function pidfToXmppPriority(q: number): number {
  if (Number.isNaN(q)) return 0;
  const bounded = Math.min(1, Math.max(0, q));
  return clampPriority(Math.round(bounded * 255 + MIN_PRIORITY));
}
