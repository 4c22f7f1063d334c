/**
 * fast-check generators of wire values that the codecs must round-trip:
 * any text XML can carry, tokens already trimmed (the codecs trim URIs,
 * timestamps and other whitespace-collapsed types), names that can be element
 * names, and extension trees in the normal form the XML layer produces.
 */
import fc from "fast-check";
import { RPID_ACTIVITIES } from "../../../src/presence/types.js";
import {
  DIALOG_STATES,
  type Dialog, type DialogInfo, type DialogParticipant, type LangText, type PidfContact, type PidfDevice,
  type PidfDocument, type PidfPerson, type PidfTuple, type RpidFields, type UserInput,
} from "../../../src/pidf/index.js";
import type { XmlElement } from "../../../src/xml/index.js";

const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Any text XML 1.0 can carry, with markup characters, quotes and line ends made likely. */
export const xmlText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }).map((s) => s.replace(NOT_XML, "")),
  fc.array(fc.constantFrom("<", ">", "&", '"', "'", "\n", "\r", "\t", " ", "a", "é", "☕", "😀", "]]>", "&amp;"), { maxLength: 8 }).map((a) => a.join("")),
);
const token = xmlText.map((s) => s.trim());
const nonEmptyToken = token.filter((s) => s !== "");
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Builds an object without the keys whose value is undefined, as the codecs do. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const elementName = fc.constantFrom(...RPID_ACTIVITIES.filter((a) => a !== "other"), "x-gaming", "déjà_vu", "in_awe");
const langText: fc.Arbitrary<LangText> = fc.record({ text: xmlText, lang: optional(fc.constantFrom("en", "de", "fr-CA", "ja", "zh-Hant", "")) }).map(defined);

const userInput: fc.Arbitrary<UserInput> = fc.record({
  value: fc.constantFrom("active" as const, "idle" as const),
  lastInput: optional(nonEmptyToken),
  idleThreshold: optional(fc.integer({ min: 0, max: 999_999_999 })),
}).map(defined);

const rpid: fc.Arbitrary<RpidFields> = fc.record({
  activities: fc.array(elementName, { maxLength: 3 }),
  otherActivities: fc.array(langText, { maxLength: 2 }),
  moods: fc.array(fc.constantFrom("happy", "angry", "in_love", "other"), { maxLength: 2 }),
  placeTypes: fc.array(fc.constantFrom("office", "residence", "other"), { maxLength: 2 }),
  userInput: optional(userInput),
  sphere: optional(fc.oneof(fc.constantFrom("work", "home", "unknown"), nonEmptyToken)),
  activitiesFrom: optional(xmlText),
  activitiesUntil: optional(xmlText),
}).map(defined);

const VENDOR_NS = ["urn:example:vendor", "urn:ietf:params:xml:ns:pidf:cipid", "urn:ietf:params:xml:ns:pidf:caps", ""];

/** Extension elements as the XML layer yields them: no empty or adjacent text, no layout whitespace. */
const extension: fc.Arbitrary<XmlElement> = fc.letrec<{ el: XmlElement }>((tie) => ({
  el: fc.record({
    ns: fc.constantFrom(...VENDOR_NS),
    name: fc.constantFrom("custom", "deep", "display-name", "servcaps", "audio"),
    prefix: optional(fc.constantFrom("x", "c", "dm", "rpid")),
    attrs: fc.dictionary(fc.constantFrom("a", "id", "{urn:example:attr}flag", "xml:lang", "{urn:example:vendor}v"), xmlText, { maxKeys: 2 }),
    children: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant([]),
      xmlText.filter((s) => s !== "").map((s) => [s]),
      fc.array(tie("el"), { minLength: 1, maxLength: 2 }),
    ),
  }).map((el) => (el.ns === "" || el.prefix === undefined ? { ns: el.ns, name: el.name, attrs: el.attrs, children: el.children } : el)),
})).el;
const extensions = fc.array(extension, { maxLength: 2 });

const contact: fc.Arbitrary<PidfContact> = fc.record({
  uri: token,
  priority: optional(fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000)),
}).map(defined);

const tuple: fc.Arbitrary<PidfTuple> = fc.tuple(fc.record({
  id: xmlText,
  basic: optional(fc.constantFrom("open" as const, "closed" as const)),
  contact: optional(contact),
  notes: fc.array(langText, { maxLength: 2 }),
  timestamp: optional(token),
  deviceIds: fc.array(token, { maxLength: 2 }),
  extensions,
}), rpid).map(([t, r]) => defined({ ...t, ...r }));

const person: fc.Arbitrary<PidfPerson> = fc.tuple(fc.record({
  id: xmlText, notes: fc.array(langText, { maxLength: 2 }), timestamp: optional(token), extensions,
}), rpid).map(([p, r]) => defined({ ...p, ...r }));

const device: fc.Arbitrary<PidfDevice> = fc.tuple(fc.record({
  id: xmlText, deviceId: optional(token), notes: fc.array(langText, { maxLength: 2 }), timestamp: optional(token), extensions,
}), rpid).map(([d, r]) => defined({ ...d, ...r }));

export const pidfDocument: fc.Arbitrary<PidfDocument> = fc.record({
  kind: fc.constant("pidf" as const),
  entity: token,
  tuples: fc.array(tuple, { maxLength: 3 }),
  persons: fc.array(person, { maxLength: 2 }),
  devices: fc.array(device, { maxLength: 2 }),
  notes: fc.array(langText, { maxLength: 2 }),
  extensions,
});

const participant: fc.Arbitrary<DialogParticipant> = fc.record({
  identity: optional(nonEmptyToken), displayName: optional(xmlText), target: optional(token),
}).map(defined);

const dialog: fc.Arbitrary<Dialog> = fc.record({
  id: xmlText,
  callId: optional(xmlText),
  localTag: optional(xmlText),
  remoteTag: optional(xmlText),
  direction: optional(fc.constantFrom("initiator" as const, "recipient" as const)),
  state: fc.constantFrom(...DIALOG_STATES),
  stateEvent: optional(nonEmptyToken),
  stateCode: optional(fc.integer({ min: 100, max: 699 })),
  duration: optional(fc.nat()),
  local: optional(participant),
  remote: optional(participant),
  held: optional(fc.boolean()),
})
  // A held flag travels on the local target (serializeDialogInfo documents the entity fallback).
  .map((d) => (d.local?.target === undefined ? { ...d, held: undefined } : d))
  .map(defined);

export const dialogInfo: fc.Arbitrary<DialogInfo> = fc.record({
  kind: fc.constant("dialog-info" as const),
  entity: token,
  version: fc.nat(),
  state: fc.constantFrom("full" as const, "partial" as const),
  dialogs: fc.array(dialog, { maxLength: 3 }),
});
