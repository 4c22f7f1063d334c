/** Every class of bad input the XML layer rejects, with its code and location. */
import { describe, expect, it } from "vitest";
import { parseXml } from "../../../src/xml/index.js";

const MIB = 1024 * 1024;

describe("parseXml: size cap (before any parsing)", () => {
  it("rejects a 1 MiB hostile string body as too-large", () => {
    const hostile = `<a>${"<b>".repeat(MIB / 3)}`;
    expect(parseXml(hostile)).toEqual({
      ok: false,
      error: { code: "too-large", message: "the body is more than 65536 bytes; the limit is 65536 bytes" },
    });
  });

  it("rejects 1 MiB of bytes as too-large with their size, even when they are not UTF-8", () => {
    expect(parseXml(new Uint8Array(MIB).fill(0xff))).toEqual({
      ok: false,
      error: { code: "too-large", message: "the body is 1048576 bytes; the limit is 65536 bytes" },
    });
  });

  it("counts UTF-8 bytes, not characters", () => {
    const body = `<a>${"€".repeat(400)}</a>`; // 407 characters, 1207 bytes
    expect(parseXml(body, { maxBytes: 1206 })).toMatchObject({ ok: false, error: { code: "too-large" } });
    expect(parseXml(body, { maxBytes: 1207 }).ok).toBe(true);
  });

  it("takes the cap from limits.maxBytes", () => {
    expect(parseXml("<a>0123456789</a>", { maxBytes: 16 })).toMatchObject({ ok: false, error: { code: "too-large" } });
    expect(parseXml("<a>0123456789</a>", { maxBytes: 17 }).ok).toBe(true);
  });
});

describe("parseXml: encoding and emptiness", () => {
  it("rejects invalid UTF-8 with the offset of the first bad byte", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("<a>Zur"), 0xfc, ...new TextEncoder().encode("ck</a>")]);
    expect(parseXml(bytes)).toEqual({ ok: false, error: { code: "invalid-utf8", message: "the body is not valid UTF-8", at: "byte 6" } });
  });

  it.each([
    ["an overlong encoding", [0x3c, 0x61, 0x3e, 0xc0, 0xbc], "byte 3"],
    ["an encoded surrogate", [0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80], "byte 3"],
    ["a truncated sequence", [0x3c, 0x61, 0x3e, 0xe2, 0x82], "byte 3"],
  ])("rejects %s as invalid-utf8", (_what, bytes, at) => {
    expect(parseXml(new Uint8Array(bytes))).toMatchObject({ ok: false, error: { code: "invalid-utf8", at } });
  });

  it.each([[""], ["  \r\n\t"], ["\uFEFF"], [new Uint8Array(0)], [new Uint8Array([0xef, 0xbb, 0xbf, 0x20])]])(
    "rejects %j as empty-body",
    (body) => {
      expect(parseXml(body)).toEqual({ ok: false, error: { code: "empty-body", message: "the body is empty" } });
    },
  );
});

describe("parseXml: DTDs and entities", () => {
  const laughs = [
    `<?xml version="1.0"?>`,
    `<!DOCTYPE lolz [`,
    ` <!ENTITY lol "lol">`,
    ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`),
    `]>`,
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"><note>&lol9;</note></presence>`,
  ].join("\n");

  it("rejects billion laughs as entity-declaration at the DOCTYPE", () => {
    expect(parseXml(laughs)).toEqual({
      ok: false,
      error: { code: "entity-declaration", message: "the DOCTYPE has an internal subset; presence bodies need no declarations", at: "line 2, column 1" },
    });
  });

  it("rejects an XXE SYSTEM entity without reading anything", () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<p>&xxe;</p>`;
    expect(parseXml(xxe)).toMatchObject({ ok: false, error: { code: "entity-declaration", at: "line 2, column 1" } });
  });

  it("rejects an empty internal subset and a subset after an external id", () => {
    expect(parseXml(`<!DOCTYPE p []><p/>`)).toMatchObject({ ok: false, error: { code: "entity-declaration" } });
    expect(parseXml(`<!DOCTYPE p SYSTEM "p.dtd" [<!ATTLIST p a CDATA "x">]><p/>`)).toMatchObject({ ok: false, error: { code: "entity-declaration" } });
  });

  it("rejects <!ENTITY outside a DOCTYPE as entity-declaration", () => {
    expect(parseXml(`<a>\n <!ENTITY x "y"></a>`)).toEqual({
      ok: false,
      error: { code: "entity-declaration", message: "entity declarations are not accepted", at: "line 2, column 2" },
    });
  });

  it.each([
    [`<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd"><presence/>`],
    [`<?xml version="1.0"?>\n<!DOCTYPE presence\n  PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">\n<presence/>`],
    [`<!DOCTYPE presence SYSTEM "http://198.51.100.1/xpidf.dtd"><presence/>`],
    [`<!DOCTYPE presence><presence/>`],
  ])("skips a bare DOCTYPE without fetching anything: %s", (xml) => {
    expect(parseXml(xml)).toEqual({ ok: true, value: { ns: "", name: "presence", attrs: {}, children: [] } });
  });
});

describe("parseXml: nesting depth", () => {
  const nested = (depth: number): string => `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`;

  it("accepts 32 levels and rejects 33 by default, at the 33rd start tag", () => {
    expect(parseXml(nested(32)).ok).toBe(true);
    expect(parseXml(nested(33))).toEqual({
      ok: false,
      error: { code: "too-deep", message: "elements are nested deeper than 32 levels", at: "line 1, column 97" },
    });
  });

  it("rejects a 100,000-deep body as too-large under the default size cap", () => {
    expect(parseXml(nested(100_000))).toMatchObject({ ok: false, error: { code: "too-large" } });
  });

  it("rejects a 100,000-deep body as too-deep when the size cap allows it, without exhausting the stack", () => {
    expect(parseXml(nested(100_000), { maxBytes: MIB })).toMatchObject({ ok: false, error: { code: "too-deep" } });
    const unclosed = "<a>".repeat(100_000);
    expect(parseXml(unclosed, { maxBytes: MIB, maxDepth: 200_000 })).toEqual({
      ok: false,
      error: { code: "too-deep", message: "elements are nested deeper than 1000 levels", at: "line 1, column 3001" },
    });
  });

  it("takes the depth from limits.maxDepth, counting self-closing leaves", () => {
    expect(parseXml("<a><b><c/></b></a>", { maxDepth: 2 })).toMatchObject({ ok: false, error: { code: "too-deep", at: "line 1, column 7" } });
    expect(parseXml("<a><b><c/></b></a>", { maxDepth: 3 }).ok).toBe(true);
  });
});

describe("parseXml: malformed XML is not-well-formed, with its place", () => {
  it.each([
    ["mismatched tags", "<a><b></a></b>", "end tag </a> does not match start tag <b>", "line 1, column 7"],
    ["an unclosed root", "<a>\n<b/>", "element <a> is not closed", "line 2, column 5"],
    ["an unclosed child", "<a><b></a>", "end tag </a> does not match start tag <b>", "line 1, column 7"],
    ["text after the root", "<a/>junk", "text is not allowed after the root element", "line 1, column 5"],
    ["text before the root", "junk<a/>", "text is not allowed before the root element", "line 1, column 1"],
    ["two roots", "<a/>\n<b/>", "a second root element <b> is not allowed", "line 2, column 1"],
    ["'<' in an attribute value", '<a x="1<2"/>', "'<' is not allowed in the value of attribute x", "line 1, column 4"],
    ["a bare '&' in text", "<a>AT&T</a>", "'&' must start a reference such as &amp; or &#38;", "line 1, column 6"],
    ["a bare '&' in an attribute", '<a x="AT&T"/>', "'&' must start a reference such as &amp; or &#38;", "line 1, column 9"],
    ["an unknown entity", "<a>&nbsp;</a>", "unknown entity &nbsp; (only &lt; &gt; &amp; &apos; &quot; are defined)", "line 1, column 4"],
    ["an unknown entity in an attribute", '<a x="&foo;"/>', "unknown entity &foo; (only &lt; &gt; &amp; &apos; &quot; are defined)", "line 1, column 7"],
    ["a reference to NUL", "<a>&#0;</a>", "character reference &#0; names no XML character", "line 1, column 4"],
    ["a reference to a surrogate", "<a>&#xD800;</a>", "character reference &#xD800; names no XML character", "line 1, column 4"],
    ["a malformed reference", "<a>&#xZZ;</a>", "'&' must start a reference such as &amp; or &#38;", "line 1, column 4"],
    ["a control character", "<a>\u0001</a>", "character U+0001 is not allowed in XML", "line 1, column 4"],
    ["a repeated attribute", '<a x="1" x="2"/>', "attribute x appears twice on <a>", "line 1, column 10"],
    ["an unquoted attribute", "<a x=1/>", "the value of attribute x of <a> must be quoted", "line 1, column 4"],
    ["an attribute without value", "<a x/>", "attribute x of <a> has no value", "line 1, column 4"],
    ["attributes without whitespace", '<a x="1"y="2"/>', "attributes of <a> must be separated by whitespace", "line 1, column 9"],
    ["an unclosed attribute value", '<a x="1', "the value of attribute x of <a> is not closed", "line 1, column 4"],
    ["a truncated start tag", "<a><b", "start tag <b> is not closed", "line 1, column 5"],
    ["a name starting with a digit", "<1a/>", "'<' must start a tag name; write &lt; in text", "line 1, column 1"],
    ["a space after '<'", "< a/>", "'<' must start a tag name; write &lt; in text", "line 1, column 1"],
    ["a bare '<' in text", "<a>1 < 2</a>", "'<' must start a tag name; write &lt; in text", "line 1, column 6"],
    ["an end tag with attributes", '<a></a x="1">', "malformed end tag", "line 1, column 4"],
    ["an end tag without start tag", "</a>", "end tag </a> has no start tag", "line 1, column 1"],
    ["']]>' in text", "<a>]]></a>", "']]>' is not allowed in text", "line 1, column 4"],
    ["an unclosed comment", "<a><!-- x</a>", "comment is not closed", "line 1, column 4"],
    ["'--' in a comment", "<a><!-- a -- b --></a>", "'--' is not allowed inside a comment", "line 1, column 11"],
    ["an unclosed CDATA section", "<a><![CDATA[x</a>", "CDATA section is not closed", "line 1, column 4"],
    ["CDATA outside the root", "<![CDATA[x]]><a/>", "CDATA section outside the root element", "line 1, column 1"],
    ["a late XML declaration", "<!-- c --><?xml version='1.0'?><a/>", "the XML declaration is only allowed at the very start", "line 1, column 11"],
    ["a malformed XML declaration", "<?xml version='1.0'><a/>", "malformed XML declaration", "line 1, column 1"],
    ["a declaration after the root", "<a/><?xml version='1.0'?>", "the XML declaration is only allowed at the very start", "line 1, column 5"],
    ["markup declarations", "<a><!ELEMENT a ANY></a>", "'<!' must start a comment or a CDATA section", "line 1, column 4"],
    ["a DOCTYPE after the root", "<a/><!DOCTYPE a>", "DOCTYPE is only allowed once, before the root element", "line 1, column 5"],
    ["a malformed DOCTYPE", "<!DOCTYPE a SYSTEM><a/>", "malformed DOCTYPE", "line 1, column 1"],
    ["no root element", "<?xml version='1.0'?>", "there is no root element", "line 1, column 22"],
  ])("%s", (_what, xml, message, at) => {
    expect(parseXml(xml)).toEqual({ ok: false, error: { code: "not-well-formed", message, at } });
  });
});
