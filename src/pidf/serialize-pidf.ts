/**
 * PidfDocument → compact RFC 3863 PIDF: default namespace pidf, `dm:` and
 * `rpid:` (and `lt:` for place types) declared on the root when used, element
 * order as the schemas require, every text and attribute escaped.
 */
import { escapeAttr, escapeText, serializeXml, type XmlElement } from "../xml/index.js";
import { hasRpid, langAttr, LOCATION_TYPE_NS, usesLocationTypes, writeRpid } from "./rpid.js";
import { DM_NS, PIDF_NS, RPID_NS, type LangText, type PidfDevice, type PidfDocument, type PidfPerson, type PidfTuple } from "./types.js";

/**
 * Writes `doc` as PIDF. Extensions are written back inside the element that
 * held them, after the modelled children (the schemas' `##other` slot). A
 * contact priority is written with at most three decimals (RFC 3863 qvalue).
 */
export function serializePidf(doc: PidfDocument): string {
  const all = [...doc.tuples, ...doc.persons, ...doc.devices];
  const dm = doc.persons.length > 0 || doc.devices.length > 0 || doc.tuples.some((t) => t.deviceIds.length > 0);
  const rpid = all.some(hasRpid);
  const lt = all.some(usesLocationTypes);
  const scope: Record<string, string> = { "": PIDF_NS };
  let declarations = ` xmlns="${PIDF_NS}"`;
  if (dm) [scope.dm, declarations] = [DM_NS, `${declarations} xmlns:dm="${DM_NS}"`];
  if (rpid) [scope.rpid, declarations] = [RPID_NS, `${declarations} xmlns:rpid="${RPID_NS}"`];
  if (lt) [scope.lt, declarations] = [LOCATION_TYPE_NS, `${declarations} xmlns:lt="${LOCATION_TYPE_NS}"`];

  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<presence${declarations} entity="${escapeAttr(doc.entity)}">`;
  for (const tuple of doc.tuples) out += writeTuple(tuple, scope);
  out += writeNotes(doc.notes, "note");
  for (const person of doc.persons) out += writePerson(person, scope);
  for (const device of doc.devices) out += writeDevice(device, scope);
  out += writeExtensions(doc.extensions, scope);
  return `${out}</presence>`;
}

/** RFC 3863 §4.1.2 order: status, extensions (RPID, dm:deviceID, others), contact, note, timestamp. */
function writeTuple(t: PidfTuple, scope: Record<string, string>): string {
  let out = `<tuple id="${escapeAttr(t.id)}">`;
  out += t.basic === undefined ? "<status/>" : `<status><basic>${t.basic}</basic></status>`;
  out += writeRpid(t);
  for (const id of t.deviceIds) out += `<dm:deviceID>${escapeText(id)}</dm:deviceID>`;
  out += writeExtensions(t.extensions, scope);
  if (t.contact !== undefined) {
    const { uri, priority } = t.contact;
    const attr = priority === undefined ? "" : ` priority="${Number(priority.toFixed(3))}"`;
    out += `<contact${attr}>${escapeText(uri)}</contact>`;
  }
  out += writeNotes(t.notes, "note");
  if (t.timestamp !== undefined) out += `<timestamp>${escapeText(t.timestamp)}</timestamp>`;
  return `${out}</tuple>`;
}

/** RFC 4479 §3.3 order: extensions (RPID first), dm:note, dm:timestamp. */
function writePerson(p: PidfPerson, scope: Record<string, string>): string {
  let out = `<dm:person id="${escapeAttr(p.id)}">${writeRpid(p)}${writeExtensions(p.extensions, scope)}`;
  out += writeNotes(p.notes, "dm:note");
  if (p.timestamp !== undefined) out += `<dm:timestamp>${escapeText(p.timestamp)}</dm:timestamp>`;
  return `${out}</dm:person>`;
}

/** RFC 4479 §3.4 order: extensions (RPID first), dm:deviceID, dm:note, dm:timestamp. */
function writeDevice(d: PidfDevice, scope: Record<string, string>): string {
  let out = `<dm:device id="${escapeAttr(d.id)}">${writeRpid(d)}${writeExtensions(d.extensions, scope)}`;
  if (d.deviceId !== undefined) out += `<dm:deviceID>${escapeText(d.deviceId)}</dm:deviceID>`;
  out += writeNotes(d.notes, "dm:note");
  if (d.timestamp !== undefined) out += `<dm:timestamp>${escapeText(d.timestamp)}</dm:timestamp>`;
  return `${out}</dm:device>`;
}

function writeNotes(notes: readonly LangText[], tag: string): string {
  let out = "";
  for (const n of notes) out += n.text === "" ? `<${tag}${langAttr(n.lang)}/>` : `<${tag}${langAttr(n.lang)}>${escapeText(n.text)}</${tag}>`;
  return out;
}

function writeExtensions(extensions: readonly XmlElement[], scope: Record<string, string>): string {
  let out = "";
  for (const ext of extensions) out += serializeXml(ext, scope);
  return out;
}
