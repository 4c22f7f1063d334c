/**
 * Which XML parser for SIP bodies: fast-xml-parser (as tuned in
 * src/xml/backend-fxp.ts, with and without its validator) against ltx, raw
 * and through our parseXml end to end (well-formedness scan, namespace
 * resolution, safety limits). The figures decided the backend in parse.ts.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse as ltxParse } from "ltx";
import { fxpBackend } from "./fxp-backend.js";
import { ltxBackend } from "../src/xml/backend-ltx.js";
import { parseXmlWith } from "../src/xml/parse.js";
import { scanXml } from "../src/xml/scan.js";
import { measure, type BenchModule, type Figure } from "./harness.js";

/** A typical Asterisk PJSIP PIDF during a call, about 1 KB (FIELD.md §1.3). */
export const ASTERISK_PIDF_1K = `<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@pbx.example.com" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>On the phone</note>
 <tuple id="1001">
  <status>
   <basic>closed</basic>
  </status>
  <contact priority="1">sip:2001@192.0.2.51:5060;transport=udp;rinstance=2b5c1a0e7d9f3a41</contact>
  <note xml:lang="en">On the phone</note>
  <timestamp>2026-11-23T10:00:00Z</timestamp>
 </tuple>
 <dm:person id="1001-person">
  <rpid:activities>
   <rpid:on-the-phone />
  </rpid:activities>
  <dm:note>On the phone</dm:note>
  <dm:timestamp>2026-11-23T10:00:00Z</dm:timestamp>
 </dm:person>
 <dm:device id="pjsip-1001">
  <rpid:user-input>active</rpid:user-input>
  <dm:deviceID>urn:uuid:5f1a3c2e-8b4d-4e1f-9a6c-0d2b7e3f4a5b</dm:deviceID>
  <dm:note xml:lang="en">Polycom VVX 411 &amp; expansion module</dm:note>
  <dm:timestamp>2026-11-23T09:58:41Z</dm:timestamp>
 </dm:device>
</presence>
`;

const BYTES = new TextEncoder().encode(ASTERISK_PIDF_1K).byteLength;
const TARGET = 25_000;

const fxpTuned = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, parseAttributeValue: false,
  trimValues: false, processEntities: false, ignoreDeclaration: true, ignorePiTags: true, jPath: false,
});

export const title = `XML parsers on a ${BYTES}-byte Asterisk PIDF`;

export function run(): Figure[] {
  const body = ASTERISK_PIDF_1K;
  const root = body.slice(body.indexOf("<presence"));
  for (const backend of [fxpBackend, ltxBackend]) {
    if (!parseXmlWith(backend, body).ok) throw new Error(`${backend.name} cannot parse the bench body`);
  }
  return [
    measure("fast-xml-parser XMLParser (tuned, preserveOrder), raw", () => fxpTuned.parse(body), {
      note: "no namespaces, accepts mismatched tags, two roots, text after the root, '<' in attributes and unknown entities",
    }),
    measure("fast-xml-parser XMLValidator.validate alone", () => XMLValidator.validate(body), {
      note: "still accepts two roots, text after the root, '<' in attributes and unknown entities",
    }),
    measure("fast-xml-parser validate + parse", () => XMLValidator.validate(body) === true && fxpTuned.parse(body)),
    measure("ltx.parse, raw", () => ltxParse(root), { note: "ltx is as lenient, and loses text after a CDATA section" }),
    measure("our well-formedness scan alone (src/xml/scan.ts)", () => scanXml(body, 32)),
    measure("parseXml end to end, fast-xml-parser backend", () => parseXmlWith(fxpBackend, body), { targetOpsPerSec: TARGET }),
    measure("parseXml end to end, ltx backend (in use)", () => parseXmlWith(ltxBackend, body), { targetOpsPerSec: TARGET }),
  ];
}

const module: BenchModule = { title, run };
export default module;
