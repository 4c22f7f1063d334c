import { describe, expect, it } from "vitest";
import { escapeAttr, escapeText, parseXml, serializeXml, type XmlElement } from "../../../src/xml/index.js";

const el = (ns: string, name: string, children: XmlElement["children"] = [], attrs: XmlElement["attrs"] = {}, prefix?: string): XmlElement =>
  prefix === undefined ? { ns, name, attrs, children } : { ns, name, prefix, attrs, children };

function reparsed(xml: string): XmlElement {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe("escapeText / escapeAttr", () => {
  it("escapes markup characters in text and leaves other text as is", () => {
    expect(escapeText(`a < b & c > d "e" 'f'`)).toBe(`a &lt; b &amp; c &gt; d "e" 'f'`);
    expect(escapeText("plain ☕ text\nwith lines")).toBe("plain ☕ text\nwith lines");
  });

  it("escapes both quotes and keeps TAB, LF and CR as references in attributes", () => {
    expect(escapeAttr(`"Al" & 'Bo' <x>\t\n\r`)).toBe("&quot;Al&quot; &amp; &apos;Bo&apos; &lt;x&gt;&#9;&#10;&#13;");
  });

  it("keeps CR in text as a reference and drops characters XML cannot carry", () => {
    expect(escapeText("a\rb\u0001c\uFFFEd\uD800e😀")).toBe("a&#13;bcde😀");
    expect(escapeAttr("x\u0000y")).toBe("xy");
  });
});

describe("serializeXml", () => {
  it("declares namespaces where the binding in scope differs, keeping written prefixes", () => {
    const tree = el("urn:a", "root", [el("urn:b", "child", ["t"], {}, "b"), el("urn:a", "same"), el("", "none")]);
    expect(serializeXml(tree)).toBe(`<root xmlns="urn:a"><b:child xmlns:b="urn:b">t</b:child><same/><none xmlns=""/></root>`);
  });

  it("repeats no binding the enclosing document already declares", () => {
    const ext = el("urn:ietf:params:xml:ns:pidf:rpid", "class", ["calendar"], {}, "rpid");
    expect(serializeXml(ext, { "": "urn:ietf:params:xml:ns:pidf", rpid: "urn:ietf:params:xml:ns:pidf:rpid" })).toBe("<rpid:class>calendar</rpid:class>");
    expect(serializeXml(ext, { rpid: "urn:other" })).toBe(`<rpid:class xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">calendar</rpid:class>`);
  });

  it("writes Clark-named attributes with an in-scope or a fresh prefix, and xml:lang as is", () => {
    const tree = el("urn:v", "x", [], { "{urn:v}version": "2", "{urn:w}flag": "on", "xml:lang": "fr", id: "1" }, "v");
    expect(serializeXml(tree)).toBe(`<v:x xmlns:v="urn:v" xmlns:ns1="urn:w" v:version="2" ns1:flag="on" xml:lang="fr" id="1"/>`);
  });

  it("escapes text and attribute values", () => {
    expect(serializeXml(el("", "n", [`<"&'>`], { a: `<"&'>` }))).toBe(`<n a="&lt;&quot;&amp;&apos;&gt;">&lt;"&amp;'&gt;</n>`);
  });

  it("round-trips parsed documents exactly", () => {
    const docs = [
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@example.com"><tuple id="t"><status><basic>open</basic></status><note xml:lang="en">A &amp; &lt;b&gt; "q"</note></tuple><dm:person id="p"/></presence>`,
      `<x:custom xmlns:x="urn:example:vendor-ext" x:a="1" b="&#10;"><x:deep>keep me</x:deep><y xmlns="urn:y">mixed <z/> text</y></x:custom>`,
      `<a xmlns:p="urn:one"><p:b xmlns:p="urn:two"><p:c/></p:b><p:d xmlns:q="urn:one" q:attr="v"/></a>`,
    ];
    for (const doc of docs) {
      const tree = reparsed(doc);
      expect(reparsed(serializeXml(tree))).toEqual(tree);
    }
  });
});
