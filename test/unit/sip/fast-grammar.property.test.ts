/**
 * Equivalence of the fast paths (src/sip/transport/fast-grammar.ts) with sip.js's
 * grammar: generated header values, and mutations of them, parse to the same
 * classes, fields, key order and strings either way (or both to -1).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BAIL, fastGrammarParse, fastPath, grammarParse } from "../../../src/sip/transport/fast-grammar.js";
import * as gen from "./fast-grammar-arbitraries.js";

const RULES: readonly (readonly [string, fc.Arbitrary<string>])[] = [
  ["Request_Response", gen.startLine],
  ["Via", gen.via],
  ["From", gen.fromTo],
  ["To", gen.fromTo],
  ["Contact", gen.contact],
  ["Record_Route", gen.recordRoute],
  ["Call_ID", gen.callId],
  ["CSeq", gen.cseq],
  ["Content_Length", gen.number],
  ["Max_Forwards", gen.number],
  ["Content_Type", gen.contentType],
  ["Event", gen.event],
  ["Subscription_State", gen.subscriptionState],
  ["SIP_URI", gen.sipUri],
];

describe("fast grammar paths ≡ sip.js grammar (fast-check)", () => {
  for (const [rule, base] of RULES) {
    it(`${rule}: generated and mutated values parse the same both ways`, () => {
      let fast = 0;
      let valid = 0;
      fc.assert(
        fc.property(fc.oneof({ weight: 3, arbitrary: base }, { weight: 2, arbitrary: gen.mutated(base) }), (value) => {
          const expected = grammarParse(value, rule);
          if (fastPath(value, rule) !== BAIL) fast++;
          if (expected !== -1) valid++;
          expect(gen.canonical(fastGrammarParse(value, rule))).toEqual(gen.canonical(expected));
        }),
        { numRuns: 4_000 },
      );
      // The generators must reach the fast path, not only the fallback.
      expect(fast).toBeGreaterThan(400);
      expect(valid).toBeGreaterThan(fast * 0.9);
    });
  }

  it("IPv6 references (the grammar's ordered IPv6address choice) in a URI host and a Via sent-by", () => {
    let fast = 0;
    const values = fc.tuple(gen.ipv6, fc.constantFrom("", ":5060")).chain(([address, port]) =>
      fc.constantFrom(["To", `<sip:alice@${address}${port};transport=tcp>;tag=1`], ["Via", `SIP/2.0/TCP ${address}${port};branch=z9hG4bK1`],
        ["Request_Response", `NOTIFY sip:${address}${port} SIP/2.0`]));
    fc.assert(
      fc.property(values, ([rule, value]) => {
        if (fastPath(value, rule) !== BAIL) fast++;
        expect(gen.canonical(fastGrammarParse(value, rule))).toEqual(gen.canonical(grammarParse(value, rule)));
      }),
      { numRuns: 4_000 },
    );
    expect(fast).toBeGreaterThan(400);
  });
});
