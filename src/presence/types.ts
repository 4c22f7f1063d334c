/**
 * The canonical presence: the one value both sides translate to and from.
 * Nothing here knows XML, SIP or XMPP wire formats; only `src/mapping` turns a
 * protocol value into a Presence or a Presence into a protocol value.
 */

export type Availability = "available" | "unavailable";

/** RFC 6121 §4.7.2.1 `<show/>` values. Absent means plain available. */
export const SHOWS = ["chat", "away", "xa", "dnd"] as const;
export type Show = (typeof SHOWS)[number];

/**
 * Phone state as a BLF key shows it (RFC 4235 reading in FIELD.md §2.3):
 * early + recipient = ringing, early/trying/proceeding + initiator = dialing,
 * confirmed = in-call, confirmed with a held media line or an "On hold" hint = on-hold.
 */
export const PHONE_STATES = ["idle", "dialing", "ringing", "in-call", "on-hold"] as const;
export type PhoneState = (typeof PHONE_STATES)[number];

/** RFC 4480 §3.2 activities. `unknown` and `other` are part of the list. */
export const RPID_ACTIVITIES = [
  "appointment", "away", "breakfast", "busy", "dinner", "holiday", "in-transit",
  "looking-for-work", "lunch", "meal", "meeting", "on-the-phone", "other",
  "performance", "permanent-absence", "playing", "presentation", "shopping",
  "sleeping", "spectator", "steering", "travel", "tv", "unknown", "vacation",
  "working", "worship",
] as const;
export type RpidActivity = (typeof RPID_ACTIVITIES)[number];

/** Human-readable text by language tag; the key "" holds text without `xml:lang`. */
export type Notes = Readonly<Record<string, string>>;

export type Side = "sip" | "xmpp";

/** Where a value came from: what echo suppression compares. */
export interface Origin {
  readonly side: Side;
  /** The presentity or JID the value describes, as that side names it. */
  readonly entity?: string;
  /** What produced it on that side: a resource, a tuple id, a Call-ID, an ETag. */
  readonly via?: string;
}

/** One tuple, device or resource before composition. */
export interface PresenceEntry {
  /** Tuple id, device id or XMPP resource. */
  readonly id: string;
  readonly availability: Availability;
  readonly show?: Show;
  readonly phone?: PhoneState;
  readonly activities: readonly string[];
  readonly notes: Notes;
  /** XMPP scale, -128..127 (RFC 6121 §4.7.2.3). */
  readonly priority: number;
  /** ISO 8601; present only when the entry is idle (RPID user-input, XEP-0319). */
  readonly idleSince?: string;
  /** Contact URI or full JID of this entry. */
  readonly contact?: string;
  /** ISO 8601 time the entry was last updated (PIDF timestamp, XEP-0203 delay). */
  readonly updated?: string;
}

export interface Presence {
  readonly availability: Availability;
  readonly show?: Show;
  /** RFC 4480 activity names, sorted and unique; `other` texts are in {@link otherActivities}. */
  readonly activities: readonly string[];
  /** Texts of RPID `<other>` activities, in document order. */
  readonly otherActivities: readonly string[];
  /** RFC 4480 §3.4 mood names, sorted and unique. */
  readonly moods: readonly string[];
  /** RFC 4480 §3.6 place-type names, sorted and unique. */
  readonly placeTypes: readonly string[];
  readonly phone?: PhoneState;
  readonly notes: Notes;
  /** XMPP scale, -128..127. */
  readonly priority: number;
  /** ISO 8601; present only when idle. */
  readonly idleSince?: string;
  /** The tuples, devices or resources this view was composed from. */
  readonly entries: readonly PresenceEntry[];
  readonly origin: Origin;
}
