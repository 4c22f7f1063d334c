import type { Notes, Origin, Presence, PresenceEntry } from "./types.js";

/** What equality and keys leave out. */
export interface EqualsOptions {
  /** Compare what the value says, not where it came from (echo suppression). */
  readonly ignoreOrigin?: boolean;
  /** Compare the composed view only, not the tuples or resources it came from. */
  readonly ignoreEntries?: boolean;
}

const NO_OPTIONS: EqualsOptions = {};

function listEquals(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function notesEquals(a: Notes, b: Notes): boolean {
  if (a === b) return true;
  let count = 0;
  for (const lang in a) {
    if (!Object.hasOwn(b, lang) || a[lang] !== b[lang]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

const originEquals = (a: Origin, b: Origin): boolean =>
  a === b || (a.side === b.side && a.entity === b.entity && a.via === b.via);

function entryEquals(a: PresenceEntry, b: PresenceEntry): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.availability === b.availability &&
      a.show === b.show &&
      a.phone === b.phone &&
      a.priority === b.priority &&
      a.idleSince === b.idleSince &&
      a.contact === b.contact &&
      a.updated === b.updated &&
      listEquals(a.activities, b.activities) &&
      notesEquals(a.notes, b.notes))
  );
}

function entriesEqual(a: readonly PresenceEntry[], b: readonly PresenceEntry[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!entryEquals(a[i] as PresenceEntry, b[i] as PresenceEntry)) return false;
  return true;
}

/**
 * Whether two normalised values (from `makePresence` or `compose`) say the same thing.
 * Lists are compared in order, which is set equality for the sorted ones; notes
 * by language regardless of key order. Runs per NOTIFY and per stanza: no allocation.
 */
export function presenceEquals(a: Presence, b: Presence, options: EqualsOptions = NO_OPTIONS): boolean {
  if (a === b) return true;
  return (
    a.availability === b.availability &&
    a.show === b.show &&
    a.phone === b.phone &&
    a.priority === b.priority &&
    a.idleSince === b.idleSince &&
    listEquals(a.activities, b.activities) &&
    listEquals(a.otherActivities, b.otherActivities) &&
    listEquals(a.moods, b.moods) &&
    listEquals(a.placeTypes, b.placeTypes) &&
    notesEquals(a.notes, b.notes) &&
    (options.ignoreOrigin === true || originEquals(a.origin, b.origin)) &&
    (options.ignoreEntries === true || entriesEqual(a.entries, b.entries))
  );
}

const notesKey = (notes: Notes): [string, string][] =>
  Object.keys(notes)
    .sort()
    .map((lang) => [lang, notes[lang] as string]);

const entryKey = (e: PresenceEntry): unknown[] => [
  e.id, e.availability, e.show ?? null, e.phone ?? null, e.priority, e.idleSince ?? null,
  e.contact ?? null, e.updated ?? null, e.activities, notesKey(e.notes),
];

/**
 * A stable string that is the same for two values exactly when
 * {@link presenceEquals} (with the same options) says they are equal.
 */
export function presenceKey(p: Presence, options: EqualsOptions = NO_OPTIONS): string {
  return JSON.stringify([
    p.availability, p.show ?? null, p.phone ?? null, p.priority, p.idleSince ?? null,
    p.activities, p.otherActivities, p.moods, p.placeTypes, notesKey(p.notes),
    options.ignoreOrigin === true ? null : [p.origin.side, p.origin.entity ?? null, p.origin.via ?? null],
    options.ignoreEntries === true ? null : p.entries.map(entryKey),
  ]);
}
