/**
 * The SIP body codecs on typical bodies, and how fast hostile bodies are
 * turned away. parsePidf must leave room for translation: parse + translate
 * ≥ 20,000/s per direction on one core, so parsing aims well above 25,000/s.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  parseDialogInfo, parsePidf, parseSipBody, parseXpidf, pidfFromElement, serializeDialogInfo, serializePidf,
} from "../src/pidf/index.js";
import { fxpBackend } from "./fxp-backend.js";
import { parseXmlWith } from "../src/xml/parse.js";
import { measure, type BenchModule, type Figure } from "./harness.js";
import { ASTERISK_PIDF_1K } from "./xml-parsers.bench.js";

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, "../test/fixtures", name), "utf8");
const MIB = 1024 * 1024;

export const title = "SIP presence body codecs";

export function run(): Figure[] {
  const dialog = fixture("asterisk-20-dialog-info-confirmed.xml");
  const xpidf = fixture("asterisk-20-xpidf-inuse.xml");
  const pidfDoc = parsePidf(ASTERISK_PIDF_1K);
  const dialogDoc = parseDialogInfo(dialog);
  if (!pidfDoc.ok || !dialogDoc.ok || !parseXpidf(xpidf).ok) throw new Error("bench bodies do not parse");
  const pidfValue = pidfDoc.value;
  const dialogValue = dialogDoc.value;

  const hostileMib = `<presence>${"<a>".repeat(MIB / 3)}`;
  const flatMib = `<presence>${"<b/>".repeat((MIB - 10) / 4)}`;
  const deep100k = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
  const rejected = (r: { ok: boolean }): void => {
    if (r.ok) throw new Error("a hostile body was accepted");
  };
  const size = (s: string): string => `${(new TextEncoder().encode(s).byteLength / 1024).toFixed(1)} KB`;

  return [
    measure(`parsePidf (Asterisk, ${size(ASTERISK_PIDF_1K)})`, () => parsePidf(ASTERISK_PIDF_1K), { targetOpsPerSec: 25_000 }),
    measure(`parsePidf via the fast-xml-parser backend (${size(ASTERISK_PIDF_1K)})`, () => {
      const xml = parseXmlWith(fxpBackend, ASTERISK_PIDF_1K);
      return xml.ok && pidfFromElement(xml.value);
    }, { targetOpsPerSec: 25_000, note: "the alternative backend, for the record; not in use" }),
    measure(`parseSipBody with Content-Type (PIDF, ${size(ASTERISK_PIDF_1K)})`, () => parseSipBody(ASTERISK_PIDF_1K, "application/pidf+xml")),
    measure(`parseDialogInfo (Asterisk confirmed, ${size(dialog)})`, () => parseDialogInfo(dialog), { targetOpsPerSec: 25_000 }),
    measure(`parseXpidf (Asterisk inuse with DOCTYPE, ${size(xpidf)})`, () => parseXpidf(xpidf), { targetOpsPerSec: 25_000 }),
    measure("serializePidf (the 1 KB document)", () => serializePidf(pidfValue), { targetOpsPerSec: 25_000 }),
    measure("serializeDialogInfo (the Asterisk document)", () => serializeDialogInfo(dialogValue)),
    measure("reject a 1 MiB hostile body (too-large, default 64 KiB cap)", () => rejected(parsePidf(hostileMib)), { ops: 2_000, runs: 5 }),
    measure("reject a 1 MiB body scanned to its end (cap raised to 2 MiB, not-well-formed)", () => rejected(parsePidf(flatMib, { maxBytes: 2 * MIB })), {
      ops: 20, runs: 5, warmup: 3, note: "worst case: the scan reads the whole megabyte before the missing end tag",
    }),
    measure("reject a 100,000-deep body (too-large under the default cap)", () => rejected(parsePidf(deep100k)), { ops: 2_000, runs: 5 }),
    measure("reject a 100,000-deep body with a 1 MiB cap (too-deep at level 33)", () => rejected(parsePidf(deep100k, { maxBytes: MIB })), { ops: 2_000, runs: 5 }),
  ];
}

const module: BenchModule = { title, run };
export default module;
