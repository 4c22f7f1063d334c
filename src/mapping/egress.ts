/**
 * Egress: projection of the canonical Presence onto a protocol value. No decisions
 * here: the table's rules already chose show, activities and notes.
 *
 * PIDF `<basic>` is derived from availability (available ⇒ open). A rule that wants
 * a closed tuple says `"basic": "closed"`, which makes the presence unavailable: the
 * canonical value keeps one availability, read the same way by both sides.
 */
import { isEngaged, xmppToPidfPriority } from "../presence/index.js";
import type { Presence, PresenceEntry, RpidActivity } from "../presence/types.js";
import { RPID_ACTIVITIES } from "../presence/types.js";
import type { Dialog, DialogInfo, LangText, PidfDocument, PidfPerson, PidfTuple } from "../pidf/types.js";
import type { XmppPresence } from "../xmpp/types.js";

/** Choices a caller may make for the PIDF it sends. */
export interface PidfOptions {
  /**
   * `<tuple id>`; default: the presence's origin (`via`), else its first entry, made a valid xs:ID.
   * For a chat user's presence (one resource or several) it is the prefix of each resource's
   * tuple id (`<tupleId>-<resource>`) and names the person element (`p-<tupleId>`), so
   * person-sync knows its own elements and a resource keeps its tuple id whatever the count.
   */
  readonly tupleId?: string;
  /**
   * `<contact>` URI; default: the entity (asterisk#1898: never the watcher's URI), and for
   * several resources each resource's GRUU of the entity.
   */
  readonly contact?: string;
  /** `<timestamp>` of the tuple (the caller owns the clock). */
  readonly timestamp?: string;
}

const RPID = new Set<string>(RPID_ACTIVITIES);

/** XML Schema ID (NCName): letters, digits, `.`, `-`, `_`, not starting with a digit, `.` or `-`. */
function xmlId(raw: string, fallback: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, "_");
  if (cleaned === "") return fallback;
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `${fallback}-${cleaned}`;
}

const langTexts = (notes: Presence["notes"]): LangText[] =>
  Object.keys(notes).map((lang) => (lang === "" ? { text: notes[lang] as string } : { text: notes[lang] as string, lang }));

/** XMPP `<presence/>`: availability → type, show, notes → status, priority, idle (XEP-0319). */
export function presenceToXmpp(p: Presence): XmppPresence {
  const available = p.availability === "available";
  return {
    type: available ? "available" : "unavailable",
    ...(available && p.show !== undefined ? { show: p.show } : {}),
    status: p.notes,
    priority: available ? p.priority : 0,
    ...(p.idleSince === undefined ? {} : { idleSince: p.idleSince }),
  };
}

function person(p: Presence, id: string): PidfPerson | undefined {
  const activities = p.activities.filter((a): a is RpidActivity => RPID.has(a) && a !== "other");
  const idle = p.idleSince;
  if (activities.length === 0 && p.otherActivities.length === 0 && p.moods.length === 0 && p.placeTypes.length === 0 && idle === undefined) {
    return undefined;
  }
  return {
    id,
    activities,
    otherActivities: p.otherActivities.map((text) => ({ text })),
    moods: p.moods,
    placeTypes: p.placeTypes,
    // RFC 4480 §3.8: idle with the time of the last input (XEP-0319 since).
    ...(idle === undefined ? {} : { userInput: { value: "idle" as const, lastInput: idle } }),
    notes: [],
    extensions: [],
  };
}

const emptyTuple = { deviceIds: [], extensions: [], activities: [], otherActivities: [], moods: [], placeTypes: [] } as const;

/** RFC 7247 §3.2: the resourcepart of a full JID becomes the GRUU `gr` parameter (RFC 5627). */
const gruu = (entity: string, resource: string): string => (resource === "" ? entity : `${entity};gr=${encodeURIComponent(resource)}`);

/**
 * RFC 8048 §6.2 (resourcepart ⇄ tuple id, GRUU contact): one tuple per XMPP resource, in
 * the composed order (the leading resource first, and it carries the view's notes: the
 * table's rules wrote them). Tuple ids come from the resources alone, so a SIP watcher sees
 * the same tuple for a resource across changes. The person element is the composed view.
 */
function perResource(p: Presence, entity: string, options: PidfOptions): PidfDocument {
  const ids = new Set<string>();
  const prefix = options.tupleId;
  const tuples = p.entries.map((e: PresenceEntry, index): PidfTuple => {
    let id = prefix === undefined ? xmlId(e.id, "t") : `${prefix}-${xmlId(e.id, "t")}`;
    while (ids.has(id)) id = `${id}_`;
    ids.add(id);
    const open = p.availability === "available" && (e.availability === "available" || isEngaged(e));
    return {
      id,
      basic: open ? "open" : "closed",
      contact: { uri: options.contact ?? gruu(entity, e.id), priority: xmppToPidfPriority(e.priority) },
      notes: langTexts(index === 0 ? p.notes : e.notes),
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
      ...emptyTuple,
    };
  });
  const who = person(p, xmlId(`p-${prefix ?? entity}`, "p"));
  return { kind: "pidf", entity, tuples, persons: who === undefined ? [] : [who], devices: [], notes: [], extensions: [] };
}

/**
 * PIDF (RFC 3863 + RFC 4479/4480): one tuple (basic from availability, contact with
 * the rescaled priority, notes with xml:lang) and, when there is anything to say,
 * one person with the RPID activities, `<other>` texts, moods, place types and
 * user-input idle. A chat user's presence composed from several resources
 * (`xmppResourcesToPresence`), or from any number with `tupleId`, has one tuple per resource instead.
 */
export function presenceToPidf(p: Presence, entity: string, options: PidfOptions = {}): PidfDocument {
  // A named tuple (person-sync's PUBLISH) is per resource even for one, so its ids never change with the count.
  const tuples = options.tupleId === undefined ? 2 : 1;
  if (p.origin.side === "xmpp" && p.entries.length >= tuples) return perResource(p, entity, options);
  const tupleId = options.tupleId ?? xmlId(p.origin.via ?? p.entries[0]?.id ?? "", "t");
  const tuple: PidfTuple = {
    id: tupleId,
    basic: p.availability === "available" ? "open" : "closed",
    contact: { uri: options.contact ?? entity, priority: xmppToPidfPriority(p.priority) },
    notes: langTexts(p.notes),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...emptyTuple,
  };
  const who = person(p, xmlId(`p-${tupleId}`, "p"));
  return { kind: "pidf", entity, tuples: [tuple], persons: who === undefined ? [] : [who], devices: [], notes: [], extensions: [] };
}

/**
 * dialog-info (RFC 4235) for BLF watchers: the phone state as one dialog, or none
 * when the phone is idle, unknown or the presentity unavailable. `version` is the
 * watcher's subscription counter, kept by the caller.
 */
export function presenceToDialogInfo(p: Presence, entity: string, version: number): DialogInfo {
  const dialogs: Dialog[] = [];
  const phone = p.availability === "available" ? p.phone : undefined;
  if (phone !== undefined && phone !== "idle") {
    const id = xmlId(p.entries.find((e) => e.phone === phone)?.id ?? "", "call");
    if (phone === "ringing") dialogs.push({ id, state: "early", direction: "recipient" });
    else if (phone === "dialing") dialogs.push({ id, state: "early", direction: "initiator" });
    else dialogs.push({ id, state: "confirmed", ...(phone === "on-hold" ? { held: true } : {}) });
  }
  return { kind: "dialog-info", entity, version, state: "full", dialogs };
}
