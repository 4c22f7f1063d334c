import { clampPriority } from "./priority.js";
import type { Availability, Notes, Origin, Presence, PresenceEntry } from "./types.js";

/** What {@link makePresence} needs: availability and origin are required, the rest defaults. */
export type PresenceFields = Partial<Presence> & { readonly availability: Availability; readonly origin: Origin };

/** What {@link makeEntry} needs: id and availability are required, the rest defaults. */
export type EntryFields = Partial<PresenceEntry> & { readonly id: string; readonly availability: Availability };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Values this module built: already normalised and deeply frozen, so they are reused as they are.
const madeEntrySet = new WeakSet<PresenceEntry>();
const madePresenceSet = new WeakSet<Presence>();

const EMPTY_LIST: readonly string[] = Object.freeze([]);
const EMPTY_NOTES: Notes = Object.freeze({});
const EMPTY_ENTRIES: readonly PresenceEntry[] = Object.freeze([]);

/** Sorted (UTF-16 code unit order) and unique, frozen; the input itself when it already is. */
export function sortedUnique(list: readonly string[] | undefined): readonly string[] {
  if (list === undefined || list.length === 0) return EMPTY_LIST;
  let ordered = true;
  for (let i = 1; i < list.length && ordered; i++) ordered = (list[i - 1] as string) < (list[i] as string);
  if (ordered) return Object.isFrozen(list) ? list : Object.freeze(list.slice());
  const sorted = list.slice().sort();
  const out: string[] = [];
  for (const item of sorted) if (out[out.length - 1] !== item) out.push(item);
  return Object.freeze(out);
}

/** Unique in first-seen order, frozen. */
function uniqueInOrder(list: readonly string[] | undefined): readonly string[] {
  if (list === undefined || list.length === 0) return EMPTY_LIST;
  const unique = new Set(list);
  if (unique.size < list.length) return Object.freeze([...unique]);
  return Object.isFrozen(list) ? list : Object.freeze(list.slice());
}

function frozenNotes(notes: Notes | undefined): Notes {
  if (notes === undefined) return EMPTY_NOTES;
  return Object.isFrozen(notes) ? notes : Object.freeze({ ...notes });
}

function frozenOrigin(origin: Origin): Origin {
  if (Object.isFrozen(origin)) return origin;
  const copy: Mutable<Origin> = { side: origin.side };
  if (origin.entity !== undefined) copy.entity = origin.entity;
  if (origin.via !== undefined) copy.via = origin.via;
  return Object.freeze(copy);
}

/**
 * A normalised, deeply frozen {@link PresenceEntry}.
 *
 * Defaults: no activities, no notes, priority 0. Normalisation: activities sorted
 * and unique (so equality is a plain list comparison); priority truncated and
 * clamped to -128..127; unavailable ⇒ no `show` (RFC 6121 §4.7.2.1: show is a
 * sub-state of available). `phone` and `idleSince` are kept as given: the phone
 * state of a closed tuple is still a fact (Asterisk marks a tuple closed during a call).
 */
export function makeEntry(fields: EntryFields): PresenceEntry {
  if (madeEntrySet.has(fields as PresenceEntry)) return fields as PresenceEntry;
  const entry = { id: fields.id, availability: fields.availability } as Mutable<PresenceEntry>;
  if (fields.show !== undefined && fields.availability === "available") entry.show = fields.show;
  if (fields.phone !== undefined) entry.phone = fields.phone;
  entry.activities = sortedUnique(fields.activities);
  entry.notes = frozenNotes(fields.notes);
  entry.priority = clampPriority(fields.priority ?? 0);
  if (fields.idleSince !== undefined) entry.idleSince = fields.idleSince;
  if (fields.contact !== undefined) entry.contact = fields.contact;
  if (fields.updated !== undefined) entry.updated = fields.updated;
  madeEntrySet.add(Object.freeze(entry));
  return entry;
}

/** The entries normalised by {@link makeEntry}, as a frozen list (the input when it already is one). */
export function madeEntries(entries: readonly PresenceEntry[] | undefined): readonly PresenceEntry[] {
  if (entries === undefined || entries.length === 0) return EMPTY_ENTRIES;
  if (Object.isFrozen(entries) && entries.every((entry) => madeEntrySet.has(entry))) return entries;
  return Object.freeze(entries.map(makeEntry));
}

/**
 * A normalised, deeply frozen {@link Presence}.
 *
 * `availability` and `origin` must be given; everything else defaults to empty
 * (no show, no activities, no notes, priority 0, no entries). Normalisation:
 * activities, moods and place types sorted and unique; other-activity texts unique
 * in their order; priority truncated and clamped to -128..127; entries through
 * {@link makeEntry}; unavailable ⇒ no `show`. Phone state, notes, activities and
 * idle are kept on an unavailable value (RFC 6121 §4.5.1: unavailable presence
 * may carry a status), so the mapping can still say why someone is offline.
 * A value this function (or {@link compose}) returned comes back unchanged.
 */
export function makePresence(fields: PresenceFields): Presence {
  if (madePresenceSet.has(fields as Presence)) return fields as Presence;
  const presence = { availability: fields.availability } as Mutable<Presence>;
  if (fields.show !== undefined && fields.availability === "available") presence.show = fields.show;
  presence.activities = sortedUnique(fields.activities);
  presence.otherActivities = uniqueInOrder(fields.otherActivities);
  presence.moods = sortedUnique(fields.moods);
  presence.placeTypes = sortedUnique(fields.placeTypes);
  if (fields.phone !== undefined) presence.phone = fields.phone;
  presence.notes = frozenNotes(fields.notes);
  presence.priority = clampPriority(fields.priority ?? 0);
  if (fields.idleSince !== undefined) presence.idleSince = fields.idleSince;
  presence.entries = madeEntries(fields.entries);
  presence.origin = frozenOrigin(fields.origin);
  madePresenceSet.add(Object.freeze(presence));
  return presence;
}
