/**
 * PIDF → entries and presentity facts, faithfully: one entry per tuple (RFC 3863),
 * with what the devices it references say (RFC 4479 §3.3); persons and
 * presence-level notes are facts about the presentity. Nothing is decided here.
 */
import { makeEntry, pidfToXmppPriority, type PresentityFacts } from "../presence/index.js";
import type { Notes, PresenceEntry } from "../presence/types.js";
import type { LangText, PidfDevice, PidfDocument, PidfTuple, RpidFields } from "../pidf/types.js";

/** What a SIP body says before composition. */
export interface Lifted {
  readonly entries: readonly PresenceEntry[];
  readonly presentity: PresentityFacts;
  readonly basic?: "open" | "closed";
  /** RPID user-input idle somewhere, with or without a last-input time. */
  readonly idle: boolean;
}

const EMPTY_NOTES: Notes = Object.freeze({});

/** Texts by language; the first text of a language wins; blank texts say nothing. */
export function notesOf(...lists: readonly (readonly LangText[])[]): Notes {
  let out: Record<string, string> | undefined;
  for (const list of lists) {
    for (const note of list) {
      const lang = note.lang ?? "";
      if (note.text.trim() === "" || (out !== undefined && Object.hasOwn(out, lang))) continue;
      (out ??= {})[lang] = note.text;
    }
  }
  return out === undefined ? EMPTY_NOTES : Object.freeze(out);
}

const idleSince = (fields: RpidFields): string | undefined =>
  fields.userInput?.value === "idle" ? fields.userInput.lastInput : undefined;

const isIdle = (fields: RpidFields): boolean => fields.userInput?.value === "idle";

function devicesOf(tuple: PidfTuple, devices: readonly PidfDevice[]): readonly PidfDevice[] {
  if (tuple.deviceIds.length === 0 || devices.length === 0) return [];
  return devices.filter((d) => d.deviceId !== undefined && tuple.deviceIds.includes(d.deviceId));
}

function tupleEntry(tuple: PidfTuple, devices: readonly PidfDevice[]): PresenceEntry {
  let activities = tuple.activities;
  let since = idleSince(tuple);
  for (const device of devices) {
    if (device.activities.length > 0) activities = [...activities, ...device.activities];
    since ??= idleSince(device);
  }
  const notes = devices.length === 0 ? notesOf(tuple.notes) : notesOf(tuple.notes, ...devices.map((d) => d.notes));
  return makeEntry({
    id: tuple.id,
    // RFC 3863 §4.1.4: a tuple without <basic> says nothing about reachability; read as closed.
    availability: tuple.basic === "open" ? "available" : "unavailable",
    activities,
    notes,
    priority: tuple.contact?.priority === undefined ? 0 : pidfToXmppPriority(tuple.contact.priority),
    idleSince: since,
    contact: tuple.contact?.uri,
    updated: tuple.timestamp,
  });
}

/** Lifts a PIDF document: tuples → entries; persons, tuple `<other>` texts and presence notes → facts. */
export function liftPidf(doc: PidfDocument): Lifted {
  const entries: PresenceEntry[] = [];
  let basic: "open" | "closed" | undefined;
  let idle = false;
  const tupleOther: string[] = [];
  for (const tuple of doc.tuples) {
    const devices = devicesOf(tuple, doc.devices);
    entries.push(tupleEntry(tuple, devices));
    if (tuple.basic === "open") basic = "open";
    else if (tuple.basic === "closed" && basic === undefined) basic = "closed";
    idle ||= isIdle(tuple) || devices.some(isIdle);
    for (const text of tuple.otherActivities) tupleOther.push(text.text);
    for (const device of devices) for (const text of device.otherActivities) tupleOther.push(text.text);
  }

  const activities: string[] = [];
  const moods: string[] = [];
  const placeTypes: string[] = [];
  const other: string[] = [];
  let since: string | undefined;
  for (const person of doc.persons) {
    activities.push(...person.activities);
    moods.push(...person.moods);
    placeTypes.push(...person.placeTypes);
    for (const text of person.otherActivities) other.push(text.text);
    since ??= idleSince(person);
    idle ||= isIdle(person);
  }
  const presentity: PresentityFacts = {
    activities,
    otherActivities: tupleOther.length === 0 && other.length === 0 ? other : [...other, ...tupleOther].filter((text) => text.trim() !== ""),
    moods,
    placeTypes,
    notes: doc.persons.length === 0 ? notesOf(doc.notes) : notesOf(...doc.persons.map((p) => p.notes), doc.notes),
    idleSince: since,
  };
  return { entries, presentity, basic, idle };
}
