/**
 * sip.js `Parser.parseMessage` before and after patches/sip.js+0.21.2.patch
 * (the grammar's bytecode decoded once per process instead of on every parse,
 * header-name normalisation memoised),
 * and with the fast paths of src/sip/transport/fast-grammar.ts in front of the
 * grammar. "Before" is a copy of the installed sip.js with the patch reversed,
 * loaded from a temporary folder; "patched" is the installed one with its own
 * grammar; "fast paths" is the installed one as the transport runs it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Core, Grammar } from "sip.js";
import type * as SipJs from "sip.js";
import { fastGrammarParse, grammarParse } from "../src/sip/transport/fast-grammar.js";
import { KAMAILIO_NOTIFY, OK_200 } from "../test/unit/sip/fast-grammar-messages.js";
import { measure, type BenchModule, type Figure } from "./harness.js";

type Parse = (data: string) => unknown;

const pidf = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:1001@pbx.example.com"><tuple id="t1"><status><basic>open</basic></status><contact priority="0.8">sip:1001@pbx.example.com</contact></tuple><dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities><dm:note>Zürich office</dm:note></dm:person></presence>`;

const NOTIFY = [
  "NOTIFY sip:gw@192.0.2.10:5070;transport=tcp SIP/2.0",
  "Via: SIP/2.0/TCP 192.0.2.20:5060;branch=z9hG4bK7251066a;rport=5060;received=192.0.2.20",
  "Max-Forwards: 70",
  "To: <sip:gw@192.0.2.10>;tag=uevrrll4hp",
  "From: <sip:1001@pbx.example.com>;tag=22c33ee910a5",
  "Call-ID: b330g9gud286r7lkdcpn@192.0.2.20",
  "CSeq: 102 NOTIFY",
  "Event: presence",
  "Subscription-State: active;expires=3580",
  "Contact: <sip:1001@192.0.2.20:5060;transport=tcp>",
  "User-Agent: Asterisk PBX 20.5.0",
  "Content-Type: application/pidf+xml",
  `Content-Length: ${Buffer.byteLength(pidf)}`,
  "",
  pidf,
].join("\r\n");

const SUBSCRIBE = [
  "SUBSCRIBE sip:1001@pbx.example.com SIP/2.0",
  "Via: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK9dc1e3;rport=5070;received=192.0.2.10",
  "Max-Forwards: 70",
  "To: <sip:1001@pbx.example.com>",
  "From: \"Juliet\" <sip:juliet@capulet.lit>;tag=lrj5jc0q3b",
  "Call-ID: q7s4j1b0qso1mmd3pq4i",
  "CSeq: 1 SUBSCRIBE",
  "Event: presence",
  "Expires: 3600",
  "Accept: application/pidf+xml",
  "Contact: <sip:gw@192.0.2.10:5070;transport=tcp>",
  "Supported: outbound",
  "User-Agent: presence-bridge",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

const PATCHED = "const peg$bytecode = peg$bytecodeCache || (peg$bytecodeCache = [";
const HEADERIZE_MEMO = "// Memoised: the parser calls it several times per header";
const HEADERIZE_PLAIN = "function headerizeUncached(str) {";

/** A private copy of sip.js with the grammar patch taken out again. */
async function loadUnpatched(): Promise<{ parse: Parse; cleanup: () => void; note: string }> {
  const lib = dirname(createRequire(import.meta.url).resolve("sip.js"));
  const dir = mkdtempSync(join(tmpdir(), "sipjs-unpatched-"));
  cpSync(lib, join(dir, "lib"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const grammarPath = join(dir, "lib", "grammar", "pegjs", "dist", "grammar.js");
  const grammar = readFileSync(grammarPath, "utf8");
  const note = grammar.includes(PATCHED) ? "patch reversed in a copy" : "installed sip.js was not patched; copy used as is";
  const start = grammar.indexOf(PATCHED);
  const unpatched = start < 0 ? grammar : grammar.slice(0, start) + "const peg$bytecode = [" +
    grammar.slice(start + PATCHED.length).replace("\n    ]);\n    let peg$currPos", "\n    ];\n    let peg$currPos");
  writeFileSync(grammarPath, unpatched);
  // The patch's second part: headerize memoised.
  const utilsPath = join(dir, "lib", "core", "messages", "utils.js");
  const utils = readFileSync(utilsPath, "utf8");
  const memoStart = utils.indexOf(HEADERIZE_MEMO);
  const memoEnd = utils.indexOf(HEADERIZE_PLAIN);
  if (memoStart >= 0 && memoEnd > memoStart) {
    writeFileSync(utilsPath, `${utils.slice(0, memoStart)}export function headerize(str) {${utils.slice(memoEnd + HEADERIZE_PLAIN.length)}`);
  }
  const mod = (await import(pathToFileURL(join(dir, "lib", "index.js")).href)) as typeof SipJs;
  const factory = new mod.Core.LoggerFactory();
  factory.builtinEnabled = false;
  const logger = factory.getLogger("bench");
  return { parse: (data) => mod.Core.Parser.parseMessage(data, logger), cleanup: () => rmSync(dir, { recursive: true, force: true }), note };
}

/** The installed sip.js, with its Grammar.parse set to the grammar alone or to the fast paths in front of it. */
function patchedParse(grammar: (input: string, rule: string) => unknown): Parse {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  const logger = factory.getLogger("bench");
  return (data) => {
    (Grammar as { parse: unknown }).parse = grammar;
    return Core.Parser.parseMessage(data, logger);
  };
}

const bench: BenchModule = {
  title: "sip.js message parser: grammar bytecode decoded once and headerize memoised (patches/sip.js+0.21.2.patch), fast paths (src/sip/transport/fast-grammar.ts)",
  async run(): Promise<readonly Figure[]> {
    const before = await loadUnpatched();
    const after = patchedParse(grammarParse);
    const withFastPaths = patchedParse(fastGrammarParse);
    const messages = [NOTIFY, SUBSCRIBE, KAMAILIO_NOTIFY, OK_200];
    for (const parse of [before.parse, after, withFastPaths]) {
      if (messages.some((m) => parse(m) === undefined)) throw new Error("the bench messages do not parse");
    }
    const slow = { runs: 5, ops: 1_000, warmup: 300, note: before.note };
    const fast = { runs: 5, ops: 5_000, warmup: 1_000 };
    const fastest = { runs: 5, ops: 20_000, warmup: 5_000 };
    const size = (m: string): string => `${Buffer.byteLength(m)} B`;
    const figures = [
      measure(`parseMessage NOTIFY (${size(NOTIFY)}, PIDF), unpatched`, () => before.parse(NOTIFY), slow),
      measure(`parseMessage NOTIFY (${size(NOTIFY)}, PIDF), patched`, () => after(NOTIFY), fast),
      measure(`parseMessage NOTIFY (${size(NOTIFY)}, PIDF), patched + fast paths`, () => withFastPaths(NOTIFY), fastest),
      measure(`parseMessage SUBSCRIBE (${size(SUBSCRIBE)}), unpatched`, () => before.parse(SUBSCRIBE), slow),
      measure(`parseMessage SUBSCRIBE (${size(SUBSCRIBE)}), patched`, () => after(SUBSCRIBE), fast),
      measure(`parseMessage SUBSCRIBE (${size(SUBSCRIBE)}), patched + fast paths`, () => withFastPaths(SUBSCRIBE), fastest),
      measure(`parseMessage Kamailio NOTIFY (${size(KAMAILIO_NOTIFY)}), patched`, () => after(KAMAILIO_NOTIFY), fast),
      measure(`parseMessage Kamailio NOTIFY (${size(KAMAILIO_NOTIFY)}), patched + fast paths`, () => withFastPaths(KAMAILIO_NOTIFY), fastest),
      measure(`parseMessage 200 OK to SUBSCRIBE (${size(OK_200)}), patched`, () => after(OK_200), fast),
      measure(`parseMessage 200 OK to SUBSCRIBE (${size(OK_200)}), patched + fast paths`, () => withFastPaths(OK_200), fastest),
    ];
    before.cleanup();
    return figures;
  },
};

export const { title, run } = bench;
