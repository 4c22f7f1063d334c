import type { PhoneState, PresenceEntry, Show } from "./types.js";

/**
 * `<show/>` values from most to least available; `"none"` stands for no `<show/>`
 * (plain available). Composition picks the leading entry by this order.
 */
export const SHOW_ORDER = ["chat", "none", "away", "xa", "dnd"] as const;

/** Phone states from busiest to least busy: the composed phone state is the busiest. */
export const PHONE_ORDER = ["in-call", "on-hold", "ringing", "dialing", "idle"] as const;

const SHOW_RANK: Readonly<Record<Show | "none", number>> = { chat: 0, none: 1, away: 2, xa: 3, dnd: 4 };
const PHONE_RANK: Readonly<Record<PhoneState, number>> = { "in-call": 0, "on-hold": 1, ringing: 2, dialing: 3, idle: 4 };

/** Position in {@link SHOW_ORDER}; lower is more available. */
export const showRank = (show: Show | undefined): number => SHOW_RANK[show ?? "none"];

/** Position in {@link PHONE_ORDER}; lower is busier. */
export const phoneRank = (phone: PhoneState): number => PHONE_RANK[phone];

/**
 * An entry is engaged when its phone is dialing, ringing, in a call or on hold,
 * or its activities include `on-the-phone` (RFC 4480 §3.2).
 */
export function isEngaged(entry: Pick<PresenceEntry, "phone" | "activities">): boolean {
  const phone = entry.phone;
  if (phone !== undefined && phone !== "idle") return true;
  return entry.activities.includes("on-the-phone");
}
