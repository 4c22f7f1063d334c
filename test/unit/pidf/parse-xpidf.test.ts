import { describe, expect, it } from "vitest";
import { parseXpidf } from "../../../src/pidf/index.js";

const DOCTYPE = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">\n`;
const xpidf = (address: string, presentity = `<presentity uri="sip:1001@pbx;method=SUBSCRIBE"/>`): string =>
  `${DOCTYPE}<presence>${presentity}<atom id="1001">${address}</atom></presence>`;

describe("parseXpidf", () => {
  it.each([["open"], ["closed"], ["inuse"]])("reads the status %s", (status) => {
    expect(parseXpidf(xpidf(`<address uri="sip:1001@192.0.2.4;user=ip"><status status="${status}"/></address>`))).toEqual({
      ok: true,
      value: { kind: "xpidf", entity: "sip:1001@pbx;method=SUBSCRIBE", addresses: [{ uri: "sip:1001@192.0.2.4;user=ip", status }] },
    });
  });

  it("reads msnsubstatus and priority, behind a DOCTYPE it never fetches", () => {
    const r = parseXpidf(xpidf(`<address uri="sip:1001@h" priority="0.800000"><status status="inuse"/><msnsubstatus substatus="onthephone"/></address>`));
    expect(r).toMatchObject({ ok: true, value: { addresses: [{ uri: "sip:1001@h", status: "inuse", substatus: "onthephone", priority: 0.8 }] } });
  });

  it("reads the addresses of every atom", () => {
    const xml = `<presence><presentity uri="sip:a@b"/><atom id="1"><address uri="sip:1"><status status="open"/></address>`
      + `<address uri="sip:2"><status status="closed"/></address></atom><atom id="2"><address uri="sip:3"><status status="inuse"/></address></atom></presence>`;
    expect(parseXpidf(xml)).toMatchObject({ ok: true, value: { addresses: [{ uri: "sip:1" }, { uri: "sip:2" }, { uri: "sip:3" }] } });
  });

  it.each([
    [xpidf(`<address uri="sip:x"><status status="busy"/></address>`), "invalid-value", `status "busy" is not one of open, closed, inuse`, "/presence/atom[1]/address[1]/status"],
    [xpidf(`<address uri="sip:x"><status/></address>`), "missing-attribute", "<status> has no status attribute", "/presence/atom[1]/address[1]/status"],
    [xpidf(`<address uri="sip:x"/>`), "missing-element", "<address> has no <status>", "/presence/atom[1]/address[1]"],
    [xpidf(`<address><status status="open"/></address>`), "missing-attribute", "<address> has no uri attribute", "/presence/atom[1]/address[1]"],
    [xpidf("", ""), "missing-element", "<presence> has no <presentity>", "/presence"],
    [xpidf("", "<presentity/>"), "missing-attribute", "<presentity> has no uri attribute", "/presence/presentity"],
    [`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"/>`, "unexpected-root", "the root element is {urn:ietf:params:xml:ns:pidf}presence; an XPIDF body has <presence> in no namespace", "/"],
  ])("%#: rejects with %s", (xml, code, message, at) => {
    expect(parseXpidf(xml)).toEqual({ ok: false, error: { code, message, at } });
  });
});
