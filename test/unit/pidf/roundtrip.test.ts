/** parse(serialize(doc)) deep-equals doc, for generated documents. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDialogInfo, parsePidf, serializeDialogInfo, serializePidf } from "../../../src/pidf/index.js";
import { parseXml, serializeXml } from "../../../src/xml/index.js";
import { dialogInfo, pidfDocument } from "./arbitraries.js";

describe("round trip (fast-check)", () => {
  it("parsePidf(serializePidf(doc)) equals doc", () => {
    fc.assert(fc.property(pidfDocument, (doc) => {
      expect(parsePidf(serializePidf(doc), { maxBytes: 1 << 20 })).toEqual({ ok: true, value: doc });
    }), { numRuns: 400 });
  });

  it("parseDialogInfo(serializeDialogInfo(doc)) equals doc", () => {
    fc.assert(fc.property(dialogInfo, (doc) => {
      expect(parseDialogInfo(serializeDialogInfo(doc), { maxBytes: 1 << 20 })).toEqual({ ok: true, value: doc });
    }), { numRuns: 400 });
  });

  it("serializeXml output of any PIDF extension parses back to the same element", () => {
    fc.assert(fc.property(pidfDocument, (doc) => {
      for (const ext of doc.extensions) expect(parseXml(serializeXml(ext))).toEqual({ ok: true, value: ext });
    }), { numRuns: 200 });
  });
});
