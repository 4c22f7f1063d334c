/** Both backends must build the same tree, so switching is one import line in parse.ts. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fxpBackend } from "../../../bench/fxp-backend.js";
import { ltxBackend } from "../../../src/xml/backend-ltx.js";
import { parseXmlWith } from "../../../src/xml/parse.js";

const fixtures = join(import.meta.dirname, "../../fixtures");
const bodies: [string, string][] = [
  ...readdirSync(fixtures).filter((f) => f.endsWith(".xml")).map((f): [string, string] => [f, readFileSync(join(fixtures, f), "utf8")]),
  ["cdata, comments, PIs and references", `<a x="1&#10;2&amp;" y="t\tu">p <![CDATA[<q>&amp;]]> r<!-- c -->s<?pi?>&#x263A;<b/> </a>`],
  ["names that are object keys", `<a constructor="1" toString="2"><constructor/><prototype/><hasOwnProperty/></a>`],
  ["namespace errors", `<a><p:b/></a>`],
];

describe("XML backends: fast-xml-parser and ltx agree", () => {
  it.each(bodies)("%s", (_name, body) => {
    expect(parseXmlWith(fxpBackend, body)).toEqual(parseXmlWith(ltxBackend, body));
  });

  it("both take 1000 levels and cap deeper limits at 1000", () => {
    const nested = (depth: number): string => `${"<a>".repeat(depth)}x${"</a>".repeat(depth)}`;
    const limits = { maxBytes: 1 << 20, maxDepth: 100_000 };
    for (const backend of [fxpBackend, ltxBackend]) {
      expect(parseXmlWith(backend, nested(1000), limits).ok).toBe(true);
      expect(parseXmlWith(backend, nested(100_000), limits)).toMatchObject({ ok: false, error: { code: "too-deep" } });
    }
    expect(parseXmlWith(fxpBackend, nested(1000), limits)).toEqual(parseXmlWith(ltxBackend, nested(1000), limits));
  });
});
