import { describe, expect, it } from "vitest";
import { addressDirectory, compileAddresses, parseJid, parseSipUri, type AddressBook } from "../../../src/mapping/index.js";
import type { AddressRules } from "../../../src/mapping/types.js";

function book(rules: AddressRules | undefined, componentDomain = "sip.example.com"): AddressBook {
  const compiled = compileAddresses(rules, { componentDomain });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
  return compiled.value;
}

const value = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const SITE: AddressRules = {
  domains: [
    { xmpp: "sip.example.com", sip: "pbx.example.com" },
    { xmpp: "example.com", sip: "example.com" },
  ],
  links: [{ jid: "juliet@capulet.lit", sip: "1001", name: "Juliet Capulet" }],
};

describe("RFC 7247 §3 address mapping, same domain by default", () => {
  const b = book(undefined, "example.com");
  it("maps a bare JID to the SIP URI of the same user and domain, and back", () => {
    expect(b.jidToSip("juliet@example.com")).toEqual({ ok: true, value: "sip:juliet@example.com" });
    expect(b.sipToJid("sip:juliet@example.com")).toEqual({ ok: true, value: "juliet@example.com" });
    expect(b.sipToJid("sip:romeo@example.net")).toEqual({ ok: true, value: "romeo@example.net" });
  });

  it("maps a full JID's resource to the GRUU gr parameter (RFC 7247 §3.2)", () => {
    expect(b.jidToSip("romeo@example.net/orchard")).toEqual({ ok: true, value: "sip:romeo@example.net;gr=orchard" });
  });

  it("escapes SIP user parts a localpart cannot hold (XEP-0106), decoding %-escapes first", () => {
    expect(b.sipToJid("sip:alice%20smith@example.net")).toEqual({ ok: true, value: "alice\\20smith@example.net" });
    expect(b.jidToSip("alice\\20smith@example.net")).toEqual({ ok: true, value: "sip:alice%20smith@example.net" });
  });

  it("folds the case of domains and localparts (RFC 7622 §3.3.1) and drops URI parameters", () => {
    expect(b.sipToJid("sip:Juliet@EXAMPLE.com;transport=tcp")).toEqual({ ok: true, value: "juliet@example.com" });
  });
});

describe("bridged contacts in the component's domain", () => {
  const b = book(SITE);

  it("takes the contacts' SIP domain from the component's domain pair", () => {
    expect(b.contactSipDomain).toBe("pbx.example.com");
    expect(b.contactToSip("1001@sip.example.com")).toEqual({ ok: true, value: "sip:1001@pbx.example.com" });
  });

  it.each([
    ["1001", "1001@sip.example.com"],
    ["sip:1001@pbx.example.com", "1001@sip.example.com"],
    ["  1002  ", "1002@sip.example.com"],
    ["sip:1001@PBX.example.com:5060", "1001@sip.example.com"],
    ["alice@example.com", "alice\\40example.com@sip.example.com"],
    ["sip:bob@other.example.org", "bob\\40other.example.org@sip.example.com"],
    ["+4930123456", "+4930123456@sip.example.com"],
  ])("the XEP-0100 prompt %j gives %j", (input, jid) => {
    expect(b.sipToContact(input)).toEqual({ ok: true, value: jid });
  });

  it("reads an escaped whole address back to its SIP URI", () => {
    expect(b.contactToSip("alice\\40example.com@sip.example.com")).toEqual({ ok: true, value: "sip:alice@example.com" });
  });

  it("names a linked contact by its link, others by their user part or address", () => {
    expect(b.contactName("1001@sip.example.com")).toEqual({ ok: true, value: "Juliet Capulet" });
    expect(b.contactName("1002@sip.example.com")).toEqual({ ok: true, value: "1002" });
    expect(b.contactName("alice\\40example.com@sip.example.com")).toEqual({ ok: true, value: "alice@example.com" });
  });

  it("follows a link from the person's JID to the extension and back", () => {
    expect(b.jidToSip("juliet@capulet.lit")).toEqual({ ok: true, value: "sip:1001@pbx.example.com" });
    expect(b.jidToSip("juliet@capulet.lit/balcony")).toEqual({ ok: true, value: "sip:1001@pbx.example.com;gr=balcony" });
    expect(b.sipToJid("sip:1001@pbx.example.com")).toEqual({ ok: true, value: "juliet@capulet.lit" });
    expect(b.sipToJid("sip:1002@pbx.example.com")).toEqual({ ok: true, value: "1002@sip.example.com" });
  });

  it("answers item-not-found for JIDs that are no contact", () => {
    expect(b.contactToSip("juliet@example.com")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
    expect(b.contactToSip("sip.example.com")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
  });
});

describe("templates", () => {
  it("applies jidToSip and sipToJid", () => {
    const b = book({ domains: [{ xmpp: "example.com", sip: "voip.example.com" }], jidToSip: "sip:x-{local}@{domain}", sipToJid: "{user}.sip@{domain}" }, "gw.example.com");
    expect(b.jidToSip("alice@example.com")).toEqual({ ok: true, value: "sip:x-alice@voip.example.com" });
    expect(b.sipToJid("sip:alice@voip.example.com")).toEqual({ ok: true, value: "alice.sip@example.com" });
  });

  it("reports a bad template, pair or link with its JSON pointer", () => {
    const r = compileAddresses(
      { jidToSip: "sip:{user}@{domain}", sipToJid: "{user", domains: [{ xmpp: "a b", sip: "pbx" }], links: [{ jid: "nobody", sip: "sip:x y@pbx" }] },
      { componentDomain: "sip.example.com" },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => [e.code, e.at])).toEqual([
      ["invalid-template", "/addresses/jidToSip"],
      ["invalid-template", "/addresses/sipToJid"],
      ["jid-malformed", "/addresses/domains/0/xmpp"],
      ["jid-malformed", "/addresses/links/0/jid"],
    ]);
  });

  it("with escaping none, refuses user parts that need escaping", () => {
    const b = book({ escaping: "none" });
    expect(b.sipToContact("alice smith")).toMatchObject({ ok: false, error: { code: "invalid-uri" } });
    expect(b.sipToContact("alice@example.org")).toMatchObject({ ok: false, error: { code: "jid-malformed" } });
  });
});

describe("invalid input gives typed errors", () => {
  const b = book(SITE);
  it.each([
    ["", "invalid-uri"],
    ["tel:+4930123", "unsupported-uri-scheme"],
    ["http://example.com", "unsupported-uri-scheme"],
    ["sip:@pbx.example.com", "invalid-uri"],
    ["sip:alice:secret@pbx.example.com", "invalid-uri"],
    ["sip:1001@pbx.example.com:99999", "invalid-uri"],
    ["sip:1%ZZ@pbx", "invalid-uri"],
    ["sip:pbx.example.com", "invalid-uri"],
    ["1001 2", "invalid-uri"],
    ["sip:1001@bad host", "invalid-uri"],
  ])("prompt %j → %s", (input, code) => {
    expect(b.sipToContact(input)).toMatchObject({ ok: false, error: { code } });
  });

  it.each([
    ["@example.com", "jid-malformed"],
    ["juliet@", "jid-malformed"],
    ["juliet@example.com/", "jid-malformed"],
    ["jul iet@example.com", "jid-malformed"],
    ["a".repeat(1024) + "@example.com", "jid-malformed"],
    ["a\u0001b@example.com", "jid-malformed"],
  ])("JID %# → %s", (jid, code) => {
    expect(b.jidToSip(jid)).toMatchObject({ ok: false, error: { code } });
  });

  it("parses JIDs and SIP URIs into their parts", () => {
    expect(value(parseJid("Juliet@Capulet.LIT/Balcony"))).toEqual({ local: "juliet", domain: "capulet.lit", resource: "Balcony" });
    expect(value(parseSipUri("sips:1001@[2001:db8::1]:5061;transport=tls?subject=x"))).toEqual({
      scheme: "sips", user: "1001", host: "[2001:db8::1]", port: 5061, params: { transport: "tls" },
    });
  });
});

describe("addressDirectory", () => {
  const b = book(SITE);
  it("looks contacts up by JID with their SIP URI and name", () => {
    const d = addressDirectory(b);
    expect(d.lookup("1001@sip.example.com/phone")).toEqual({ ok: true, value: { jid: "1001@sip.example.com", sip: "sip:1001@pbx.example.com", name: "Juliet Capulet" } });
    expect(d.lookup("juliet@example.com")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
    expect(d.lookup("a b@sip.example.com")).toMatchObject({ ok: false, error: { code: "jid-malformed" } });
  });
  it("narrows contacts to a pattern, for lookups and the prompt", () => {
    const d = addressDirectory(b, /^sip:[0-9]{4}@pbx\.example\.com$/);
    expect(d.lookup("1001@sip.example.com").ok).toBe(true);
    expect(d.lookup("alice@sip.example.com")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
    expect(d.resolvePrompt("1002")).toEqual({ ok: true, value: "1002@sip.example.com" });
    expect(d.resolvePrompt("alice@example.org")).toMatchObject({ ok: false, error: { code: "item-not-found" } });
  });
});
