/**
 * The property: under the default table, XMPP → canonical → PIDF on the wire
 * → canonical gives back the same presence, for every availability, show, status
 * (any text, several languages) and priority.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { presenceToPidf, sipToPresence, xmppToPresence } from "../../../src/mapping/index.js";
import { parsePidf, serializePidf } from "../../../src/pidf/index.js";
import { presenceEquals } from "../../../src/presence/index.js";
import type { Show } from "../../../src/presence/types.js";
import type { XmppPresence } from "../../../src/xmpp/types.js";
import { profile } from "./builders.js";

const table = profile("default");

/** Characters XML 1.0 can carry, weighted towards the ones that need escaping or normalising. */
const char = fc.oneof(
  fc.constantFrom("<", "&", '"', "'", ">", "]]>", " ", "\t", "\n", "\r", "\r\n", "&amp;", "{note}", "}}"),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
  fc.constantFrom("é", "ß", "Ω", "在", "宅", "😀", "\u00a0", "\u2028", "\ufeff"),
);
const text = fc.string({ unit: char, maxLength: 24 });
const status = fc.dictionary(fc.constantFrom("", "en", "de", "fr-CA", "ja", "zh-Hant"), text, { maxKeys: 4 });

const stanza: fc.Arbitrary<XmppPresence> = fc.record({
  type: fc.constantFrom("available" as const, "unavailable" as const),
  show: fc.constantFrom<Show | undefined>(undefined, "chat", "away", "xa", "dnd"),
  status,
  priority: fc.integer({ min: -128, max: 127 }),
}).map(({ show, ...rest }) => ({ ...rest, from: "juliet@capulet.lit/balcony", ...(show === undefined ? {} : { show }) }));

function roundTrip(sent: XmppPresence) {
  const canonical = xmppToPresence(sent, table).presence;
  const wire = serializePidf(presenceToPidf(canonical, "sip:juliet@capulet.lit"));
  const parsed = parsePidf(wire);
  if (!parsed.ok) throw new Error(`${parsed.error.message} in ${wire}`);
  return { canonical, back: sipToPresence(parsed.value, table).presence, wire };
}

describe("round trip XMPP → SIP → XMPP under the default table", () => {
  it("gives back the same canonical presence for every availability, show, status and priority", () => {
    fc.assert(
      fc.property(stanza, (sent) => {
        const { canonical, back } = roundTrip(sent);
        expect({ ...back, entries: [], origin: canonical.origin }).toEqual({ ...canonical, entries: [], origin: canonical.origin });
        expect(presenceEquals(back, canonical, { ignoreOrigin: true, ignoreEntries: true })).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps markup characters and several languages as they were (a worked example)", () => {
    const { canonical, back, wire } = roundTrip({
      type: "available", show: "xa", priority: -5, from: "juliet@capulet.lit/balcony",
      status: { "": `Tom & "Jerry" <b>'s</b>`, de: "Heute\r\nnicht da", ja: "在宅勤務 😀" },
    });
    expect(back).toMatchObject({ availability: "available", show: "xa", priority: -5, activities: ["away"], otherActivities: ["xa"] });
    expect(back.notes).toEqual({ "": `Tom & "Jerry" <b>'s</b>`, de: "Heute\r\nnicht da", ja: "在宅勤務 😀" });
    expect(presenceEquals(back, canonical, { ignoreOrigin: true, ignoreEntries: true })).toBe(true);
    expect(wire).toContain("<rpid:other>xa</rpid:other>");
  });
});
