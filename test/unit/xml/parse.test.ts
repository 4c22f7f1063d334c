import { describe, expect, it } from "vitest";
import { parseXml, type XmlElement } from "../../../src/xml/index.js";

const PIDF = "urn:ietf:params:xml:ns:pidf";
const DM = "urn:ietf:params:xml:ns:pidf:data-model";
const RPID = "urn:ietf:params:xml:ns:pidf:rpid";

function parsed(xml: string | Uint8Array): XmlElement {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(`expected a parse, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** The tree without prefixes: what must not depend on how a producer wrote names. */
function unprefixed(el: XmlElement): unknown {
  return { ns: el.ns, name: el.name, attrs: el.attrs, children: el.children.map((c) => (typeof c === "string" ? c : unprefixed(c))) };
}

describe("parseXml: namespace resolution", () => {
  it("resolves a default namespace and prefixes to URI + local name, keeping the prefix", () => {
    const root = parsed(`<presence xmlns="${PIDF}" xmlns:dm="${DM}" entity="sip:a@example.com"><dm:person id="p"/></presence>`);
    expect(root).toEqual({
      ns: PIDF, name: "presence", attrs: { entity: "sip:a@example.com" },
      children: [{ ns: DM, name: "person", prefix: "dm", attrs: { id: "p" }, children: [] }],
    });
  });

  it("gives the same tree for prefixed, default-namespace and redeclared styles", () => {
    const styles = [
      `<presence xmlns="${PIDF}" xmlns:dm="${DM}" xmlns:rpid="${RPID}" entity="e"><dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person></presence>`,
      `<p:presence xmlns:p="${PIDF}" entity="e"><d:person xmlns:d="${DM}" id="p"><r:activities xmlns:r="${RPID}"><r:busy/></r:activities></d:person></p:presence>`,
      `<presence xmlns="${PIDF}" entity="e"><person xmlns="${DM}" id="p"><activities xmlns="${RPID}"><busy/></activities></person></presence>`,
      `<x:presence xmlns:x="${PIDF}" xmlns="${RPID}" entity="e"><x:person xmlns:x="${DM}" id="p"><activities><busy/></activities></x:person></x:presence>`,
    ];
    const trees = styles.map((s) => unprefixed(parsed(s)));
    for (const tree of trees) expect(tree).toEqual(trees[0]);
    expect(trees[0]).toEqual({
      ns: PIDF, name: "presence", attrs: { entity: "e" },
      children: [{ ns: DM, name: "person", attrs: { id: "p" }, children: [
        { ns: RPID, name: "activities", attrs: {}, children: [{ ns: RPID, name: "busy", attrs: {}, children: [] }] },
      ] }],
    });
  });

  it("puts an unprefixed element in no namespace when none is declared, and undeclares the default with xmlns=\"\"", () => {
    const root = parsed(`<a xmlns="urn:x"><b xmlns=""><c/></b></a>`);
    expect(root.ns).toBe("urn:x");
    expect(root.children[0]).toEqual({ ns: "", name: "b", attrs: {}, children: [{ ns: "", name: "c", attrs: {}, children: [] }] });
  });

  it("keys namespaced attributes by Clark name, keeps xml:lang as is, drops declarations", () => {
    const root = parsed(`<a xmlns:v="urn:vendor" v:version="2" xml:lang="de" xml:space="preserve" id="1"/>`);
    expect(root.attrs).toEqual({
      "{urn:vendor}version": "2",
      "xml:lang": "de",
      "{http://www.w3.org/XML/1998/namespace}space": "preserve",
      id: "1",
    });
  });

  it("resolves a prefix declared on an ancestor, and a redeclaration only inside its element", () => {
    const root = parsed(`<p:a xmlns:p="urn:one"><p:b xmlns:p="urn:two"><p:c/></p:b><p:d/></p:a>`);
    const [b, d] = root.children as XmlElement[];
    expect([root.ns, b?.ns, (b?.children[0] as XmlElement).ns, d?.ns]).toEqual(["urn:one", "urn:two", "urn:two", "urn:one"]);
  });

  it.each([
    [`<p:a/>`, "undeclared namespace prefix p on <p:a>", "line 1, column 1"],
    [`<a>\n  <q:b/></a>`, "undeclared namespace prefix q on <q:b>", "line 2, column 3"],
    [`<a\n q:x="1"/>`, "undeclared namespace prefix q on attribute q:x of <a>", "line 2, column 2"],
    [`<a xmlns:p="urn:x"><p:b:c/></a>`, "<p:b:c> is not a valid qualified name", "line 1, column 20"],
    [`<a xmlns:p=""/>`, `the prefix p cannot be undeclared (xmlns:p="") in XML 1.0`, "line 1, column 4"],
    [`<a xmlns:p="urn:x" xmlns:q="urn:x" p:id="1" q:id="2"/>`, "attribute {urn:x}id appears twice on <a>", "line 1, column 45"],
  ])("rejects %s as not-well-formed", (xml, message, at) => {
    expect(parseXml(xml)).toEqual({ ok: false, error: { code: "not-well-formed", message, at } });
  });
});

describe("parseXml: text", () => {
  it("decodes the five predefined entities and character references", () => {
    const root = parsed(`<n a="&quot;&#x41;&#66;">&lt;&gt;&amp;&apos;&quot; &#9731; &#x1F600;</n>`);
    expect(root.attrs.a).toBe('"AB');
    expect(root.children).toEqual(["<>&'\" ☃ 😀"]);
  });

  it("keeps CDATA content raw and merges it with surrounding text", () => {
    expect(parsed(`<n>a <![CDATA[<b> &amp;]]> c</n>`).children).toEqual(["a <b> &amp; c"]);
  });

  it("drops comments and processing instructions, joining the text around them", () => {
    expect(parsed(`<n>On <!-- ]]> inside --> the<?pi x?> phone</n>`).children).toEqual(["On  the phone"]);
  });

  it("drops whitespace between child elements but keeps the text of leaf elements as written", () => {
    const root = parsed(`<a>\n  <b>  padded  </b>\n  <c> </c>\n</a>`);
    expect(root.children).toEqual([
      { ns: "", name: "b", attrs: {}, children: ["  padded  "] },
      { ns: "", name: "c", attrs: {}, children: [" "] },
    ]);
  });

  it("keeps mixed content", () => {
    expect(parsed(`<a>x<b/>y</a>`).children).toEqual(["x", { ns: "", name: "b", attrs: {}, children: [] }, "y"]);
  });

  it("normalises line ends to LF (XML 1.0 §2.11) and attribute whitespace to spaces (§3.3.3)", () => {
    const root = parsed(`<a v="x\r\ny\tz" w="1&#10;2">l1\r\nl2\rl3</a>`);
    expect(root.attrs).toEqual({ v: "x y z", w: "1\n2" });
    expect(root.children).toEqual(["l1\nl2\nl3"]);
  });

  it("reads UTF-8 bytes, with or without a byte order mark", () => {
    const text = `<n>Zurück ☕</n>`;
    const bytes = new TextEncoder().encode(text);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(parsed(bytes).children).toEqual(["Zurück ☕"]);
    expect(parsed(withBom).children).toEqual(["Zurück ☕"]);
    expect(parsed(`\uFEFF${text}`).children).toEqual(["Zurück ☕"]);
  });

  it("accepts element and attribute names that are JavaScript object keys", () => {
    const root = parsed(`<a constructor="1" toString="2"><constructor/><__proto__/><prototype/></a>`);
    expect(root.attrs).toEqual({ constructor: "1", toString: "2" });
    expect(root.children.map((c) => (c as XmlElement).name)).toEqual(["constructor", "__proto__", "prototype"]);
  });

  it("forgives whitespace before the XML declaration, and reads <?xml-stylesheet?> as a processing instruction", () => {
    expect(parsed(`\r\n <?xml version="1.0"?><a/>`)).toEqual({ ns: "", name: "a", attrs: {}, children: [] });
    expect(parsed(`<?xml-stylesheet href="s.xsl"?><a/>`)).toEqual({ ns: "", name: "a", attrs: {}, children: [] });
  });

  it("skips the XML declaration, comments and whitespace around the root", () => {
    expect(parsed(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- x -->\n<a/>\n<!-- y -->\n`)).toEqual({ ns: "", name: "a", attrs: {}, children: [] });
  });
});
