import { describe, expect, it } from "vitest";
import { escapeLocalpart, unescapeLocalpart } from "../../../src/mapping/addresses-escape.js";

// XEP-0106 §4.3, the table of examples (localparts of `…@example.com`).
const TABLE: readonly (readonly [string, string])[] = [
  ["space cadet", "space\\20cadet"],
  ['call me "ishmael"', "call\\20me\\20\\22ishmael\\22"],
  ["at&t guy", "at\\26t\\20guy"],
  ["d'artagnan", "d\\27artagnan"],
  ["/.fanboy", "\\2f.fanboy"],
  ["::foo::", "\\3a\\3afoo\\3a\\3a"],
  ["<foo>", "\\3cfoo\\3e"],
  ["user@host", "user\\40host"],
  ["c:\\net", "c\\3a\\net"],
  ["c:\\\\net", "c\\3a\\\\net"],
  ["c:\\cool stuff", "c\\3a\\cool\\20stuff"],
  ["c:\\5commas", "c\\3a\\5c5commas"],
];

describe("XEP-0106 escaping", () => {
  it.each(TABLE)("escapes %j as %j", (raw, escaped) => {
    expect(escapeLocalpart(raw)).toEqual({ ok: true, value: escaped });
  });

  it.each(TABLE)("reads %j back from %j", (raw, escaped) => {
    expect(unescapeLocalpart(escaped)).toBe(raw);
  });

  it("leaves a user part with nothing to escape as it is", () => {
    expect(escapeLocalpart("1001")).toEqual({ ok: true, value: "1001" });
    expect(unescapeLocalpart("1001")).toBe("1001");
  });

  it("reads escape sequences in either case, and leaves other backslashes", () => {
    expect(unescapeLocalpart("alice\\40EXAMPLE.org")).toBe("alice@EXAMPLE.org");
    expect(unescapeLocalpart("a\\2Fb")).toBe("a/b");
    expect(unescapeLocalpart("a\\41b\\")).toBe("a\\41b\\");
  });

  it("refuses what XEP-0106 §4.2 cannot escape: empty, leading or trailing space", () => {
    expect(escapeLocalpart("")).toMatchObject({ ok: false, error: { code: "jid-malformed" } });
    expect(escapeLocalpart(" 1001")).toMatchObject({ ok: false, error: { code: "jid-malformed", message: expect.stringContaining("space") } });
    expect(escapeLocalpart("1001 ")).toMatchObject({ ok: false, error: { code: "jid-malformed" } });
  });
});
