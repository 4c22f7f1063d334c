import fc from "fast-check";
import { parse as ltxParse } from "ltx";
import { describe, expect, it } from "vitest";
import {
  parseXmppPresence,
  PRESENCE_TYPES,
  serializeXmppPresence,
  xmppPresenceToElement,
  type XmppPresence,
} from "../../../src/xmpp/index.js";

// Text with the characters XML escapes, whitespace, non-ASCII and astral ones; never a
// character XML 1.0 forbids, nor \r (XML parsers normalise line ends).
const ODD = ["<", ">", "&", '"', "'", "]]>", "&amp;", " ", "\n", "\t", "é", "ß", "中", "😀", "a", "Z", "0"];
const xmlChar = (c: string): boolean => {
  const code = c.codePointAt(0) ?? 0;
  return code === 0x9 || code === 0xa || (code >= 0x20 && code !== 0xfffe && code !== 0xffff);
};
const text = fc.oneof(
  fc.array(fc.constantFrom(...ODD), { maxLength: 8 }).map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => [...s].every(xmlChar)),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const dateTime = fc
  .tuple(
    fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T23:59:59Z"), noInvalidDate: true }),
    fc.constantFrom("Z", "+05:30", "-08:00"),
    fc.boolean(),
  )
  .map(([date, zone, millis]) => date.toISOString().replace(millis ? /Z$/ : /\.\d{3}Z$/, zone));

const xmppPresence: fc.Arbitrary<XmppPresence> = fc
  .record(
    {
      type: fc.constantFrom(...PRESENCE_TYPES),
      from: optional(fc.constantFrom("juliet@capulet.lit/balcony", "1001@sip.example.com", `odd"'<&>@x`)),
      to: optional(fc.constantFrom("romeo@montague.lit", "1002@sip.example.com")),
      id: optional(text),
      show: optional(fc.constantFrom("chat" as const, "away" as const, "xa" as const, "dnd" as const)),
      status: fc.dictionary(fc.constantFrom("", "en", "de", "fr-CA", "zh-Hant-TW", "x-klingon"), text, { maxKeys: 4 }),
      priority: fc.integer({ min: -128, max: 127 }),
      idleSince: optional(dateTime),
      delay: optional(fc.record({ stamp: dateTime, from: optional(fc.constantFrom("capulet.lit")), text: optional(text.filter((t) => t !== "")) })),
      caps: optional(fc.record({ node: text, ver: text, hash: fc.constantFrom("sha-1", "sha-256"), ext: optional(text) })),
      nick: optional(text),
    },
    { requiredKeys: ["type", "status", "priority"] },
  )
  .map((p) => {
    // RFC 6121: show and priority qualify available presence only, so the canonical form has none otherwise.
    if (p.type === "available") return p;
    const { show: _show, ...rest } = p;
    return { ...rest, priority: 0 };
  });

/** The value without keys whose value is undefined: what the parser produces. */
const defined = <T extends object>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("round trip: parse(serialize(p)) = p", () => {
  it("through text", () => {
    fc.assert(
      fc.property(xmppPresence, (p) => {
        const result = parseXmppPresence(serializeXmppPresence(p));
        expect(result).toEqual({ ok: true, value: { presence: defined(p), warnings: [] } });
      }),
      { numRuns: 3000 },
    );
  });

  it("through a built element, and through an element ltx parsed", () => {
    fc.assert(
      fc.property(xmppPresence, (p) => {
        const built = parseXmppPresence(xmppPresenceToElement(p));
        const reparsed = parseXmppPresence(ltxParse(serializeXmppPresence(p)));
        expect(built).toEqual({ ok: true, value: { presence: defined(p), warnings: [] } });
        expect(reparsed).toEqual(built);
      }),
      { numRuns: 1000 },
    );
  });

  it("covers every priority -128..127 and every show", () => {
    for (let priority = -128; priority <= 127; priority++) {
      for (const show of [undefined, "chat", "away", "xa", "dnd"] as const) {
        const p: XmppPresence = show === undefined ? { type: "available", status: {}, priority } : { type: "available", show, status: {}, priority };
        const result = parseXmppPresence(serializeXmppPresence(p));
        expect(result).toEqual({ ok: true, value: { presence: p, warnings: [] } });
      }
    }
  });
});
