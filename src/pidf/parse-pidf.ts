/**
 * RFC 3863 PIDF with the RFC 4479 data model and RFC 4480 RPID → PidfDocument.
 * Liberal where nothing is at stake (unknown elements become extensions,
 * misplaced RPID is still read), strict where meaning is: the root, the
 * presentity's `entity`, tuple ids and `<basic>` values.
 */
import { ok, type Result } from "../errors.js";
import { isElement, parseXml, type XmlElement, type XmlLimits } from "../xml/index.js";
import { failAt, langOf, langText, rootName, tokenOf, type Draft, type Failure } from "./common.js";
import { finishRpid, newRpid, readRpid, type RpidDraft } from "./rpid.js";
import {
  DM_NS, PIDF_NS,
  type LangText, type PidfContact, type PidfDevice, type PidfDocument, type PidfPerson, type PidfTuple,
} from "./types.js";

/** Parses an `application/pidf+xml` body. */
export function parsePidf(input: string | Uint8Array, limits?: Partial<XmlLimits>): Result<PidfDocument> {
  const xml = parseXml(input, limits);
  return xml.ok ? pidfFromElement(xml.value) : xml;
}

/** Reads a parsed `<presence>` element (RFC 3863 §4.1). */
export function pidfFromElement(root: XmlElement): Result<PidfDocument> {
  if (root.ns !== PIDF_NS || root.name !== "presence") {
    return failAt("unexpected-root", `the root element is ${rootName(root)}; a PIDF body has {${PIDF_NS}}presence`, "/");
  }
  const path = "/presence";
  const entity = root.attrs.entity;
  if (entity === undefined) return failAt("missing-attribute", "<presence> has no entity attribute (RFC 3863 §4.1.1)", path);
  const lang = langOf(root, undefined);
  const doc: Draft<PidfDocument> = { kind: "pidf", entity: entity.trim(), tuples: [], persons: [], devices: [], notes: [], extensions: [] };
  const tuples: PidfTuple[] = [];
  const persons: PidfPerson[] = [];
  const devices: PidfDevice[] = [];
  const notes: LangText[] = [];
  const extensions: XmlElement[] = [];
  for (const child of root.children) {
    if (!isElement(child)) continue;
    if (child.ns === PIDF_NS && child.name === "tuple") {
      const tuple = readTuple(child, lang, `${path}/tuple[${tuples.length + 1}]`);
      if ("ok" in tuple) return tuple;
      tuples.push(tuple);
    } else if (child.ns === PIDF_NS && child.name === "note") notes.push(langText(child, lang));
    else if (child.ns === DM_NS && child.name === "person") persons.push(readPerson(child, lang));
    else if (child.ns === DM_NS && child.name === "device") devices.push(readDevice(child, lang));
    else extensions.push(child);
  }
  doc.tuples = tuples;
  doc.persons = persons;
  doc.devices = devices;
  doc.notes = notes;
  doc.extensions = extensions;
  return ok(doc);
}

/** RFC 3863 §4.1.2 `<tuple>`; RPID found in it or in its `<status>` is the tuple's. */
function readTuple(el: XmlElement, inherited: string | undefined, path: string): PidfTuple | Failure {
  const id = el.attrs.id;
  if (id === undefined) return failAt("missing-attribute", "<tuple> has no id attribute (RFC 3863 §4.1.2)", path);
  const lang = langOf(el, inherited);
  const rpid = newRpid();
  const notes: LangText[] = [];
  const deviceIds: string[] = [];
  const extensions: XmlElement[] = [];
  let basic: PidfTuple["basic"];
  let contact: PidfContact | undefined;
  let timestamp: string | undefined;
  for (const child of el.children) {
    if (!isElement(child)) continue;
    if (child.ns === PIDF_NS) {
      switch (child.name) {
        case "status": {
          const read = readStatus(child, rpid, lang, extensions, `${path}/status`);
          if (typeof read === "object") return read;
          basic ??= read;
          continue;
        }
        case "contact":
          contact ??= readContact(child);
          continue;
        case "note":
          notes.push(langText(child, lang));
          continue;
        case "timestamp":
          timestamp ??= tokenOf(child);
          continue;
      }
    } else if (child.ns === DM_NS && child.name === "deviceID") {
      deviceIds.push(tokenOf(child));
      continue;
    } else if (readRpid(child, rpid, lang)) continue;
    extensions.push(child);
  }
  const tuple: Draft<PidfTuple> = { id } as Draft<PidfTuple>;
  if (basic !== undefined) tuple.basic = basic;
  if (contact !== undefined) tuple.contact = contact;
  tuple.notes = notes;
  if (timestamp !== undefined) tuple.timestamp = timestamp;
  tuple.deviceIds = deviceIds;
  finishRpid(tuple, rpid);
  tuple.extensions = extensions;
  return tuple;
}

/**
 * RFC 3863 §4.1.4 `<status>`: returns `<basic>` (undefined when absent) or the
 * failure for a value other than open/closed. Other children are RPID the
 * producer put here, or extensions.
 */
function readStatus(
  el: XmlElement,
  rpid: RpidDraft,
  lang: string | undefined,
  extensions: XmlElement[],
  path: string,
): PidfTuple["basic"] | Failure {
  let basic: PidfTuple["basic"];
  for (const child of el.children) {
    if (!isElement(child)) continue;
    if (child.ns === PIDF_NS && child.name === "basic") {
      const value = tokenOf(child);
      if (value !== "open" && value !== "closed") {
        return failAt("invalid-value", `<basic> is "${value}"; RFC 3863 §4.1.4 allows open or closed`, `${path}/basic`);
      }
      basic ??= value;
    } else if (!readRpid(child, rpid, lang)) extensions.push(child);
  }
  return basic;
}

/** RFC 3863 §4.1.5: a URI and a priority in 0..1; a priority out of range is left out. */
function readContact(el: XmlElement): PidfContact {
  const uri = tokenOf(el);
  const raw = el.attrs.priority?.trim();
  if (raw === undefined || !/^[0-9]*\.?[0-9]+$|^[0-9]+\.$/.test(raw)) return { uri };
  const priority = Number(raw);
  return priority >= 0 && priority <= 1 ? { uri, priority } : { uri };
}

/** RFC 4479 §3.3 `<dm:person>`; its id is kept as "" when a producer leaves it out. */
function readPerson(el: XmlElement, inherited: string | undefined): PidfPerson {
  const parts = readDataModel(el, inherited);
  const person: Draft<PidfPerson> = { id: el.attrs.id ?? "" } as Draft<PidfPerson>;
  person.notes = parts.notes;
  if (parts.timestamp !== undefined) person.timestamp = parts.timestamp;
  finishRpid(person, parts.rpid);
  person.extensions = parts.extensions;
  return person;
}

/** RFC 4479 §3.4 `<dm:device>` with its `<dm:deviceID>`. */
function readDevice(el: XmlElement, inherited: string | undefined): PidfDevice {
  const parts = readDataModel(el, inherited);
  const device: Draft<PidfDevice> = { id: el.attrs.id ?? "" } as Draft<PidfDevice>;
  if (parts.deviceId !== undefined) device.deviceId = parts.deviceId;
  device.notes = parts.notes;
  if (parts.timestamp !== undefined) device.timestamp = parts.timestamp;
  finishRpid(device, parts.rpid);
  device.extensions = parts.extensions;
  return device;
}

interface DataModelParts {
  readonly rpid: RpidDraft;
  readonly notes: LangText[];
  readonly extensions: XmlElement[];
  timestamp?: string;
  deviceId?: string;
}

/** Children common to person and device. A PIDF-namespace `<note>` is read as dm:note, as some producers write it. */
function readDataModel(el: XmlElement, inherited: string | undefined): DataModelParts {
  const lang = langOf(el, inherited);
  const parts: DataModelParts = { rpid: newRpid(), notes: [], extensions: [] };
  for (const child of el.children) {
    if (!isElement(child)) continue;
    if (child.ns === DM_NS || child.ns === PIDF_NS) {
      if (child.name === "note") {
        parts.notes.push(langText(child, lang));
        continue;
      }
      if (child.name === "timestamp") {
        parts.timestamp ??= tokenOf(child);
        continue;
      }
      if (child.name === "deviceID" && child.ns === DM_NS) {
        parts.deviceId ??= tokenOf(child);
        continue;
      }
    } else if (readRpid(child, parts.rpid, lang)) continue;
    parts.extensions.push(child);
  }
  return parts;
}
