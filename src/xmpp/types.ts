import type { Notes, Show } from "../presence/types.js";

/** RFC 6121 presence `type` values; `available` stands for the absent attribute. */
export const PRESENCE_TYPES = [
  "available", "unavailable", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "error",
] as const;
export type PresenceType = (typeof PRESENCE_TYPES)[number];

/** XEP-0115 entity capabilities, carried through untouched. */
export interface Caps {
  readonly node: string;
  readonly ver: string;
  readonly hash: string;
  readonly ext?: string;
}

/** XEP-0203 delayed delivery. */
export interface Delay {
  readonly stamp: string;
  readonly from?: string;
  readonly text?: string;
}

/** A `<presence/>` stanza as the wire has it; decides nothing. */
export interface XmppPresence {
  readonly type: PresenceType;
  readonly from?: string;
  readonly to?: string;
  readonly id?: string;
  readonly show?: Show;
  /** `<status/>` texts by `xml:lang`; "" for the one without. */
  readonly status: Notes;
  /** -128..127, 0 when absent (RFC 6121 §4.7.2.3). */
  readonly priority: number;
  /** XEP-0319 `<idle since=…>`. */
  readonly idleSince?: string;
  readonly delay?: Delay;
  readonly caps?: Caps;
  /** XEP-0172 `<nick>`, as used in subscription requests. */
  readonly nick?: string;
}

/** Something in the stanza that RFC 6121 says to ignore or correct, reported to the caller. */
export interface XmppWarning {
  readonly code: "unknown-show" | "priority-out-of-range" | "priority-not-integer" | "duplicate-status-lang" | "invalid-idle" | "invalid-delay";
  readonly message: string;
}
