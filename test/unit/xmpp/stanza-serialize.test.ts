import { describe, expect, it } from "vitest";
import { serializeXmppPresence, xmppPresenceToElement, type XmppPresence } from "../../../src/xmpp/index.js";

const available: XmppPresence = { type: "available", status: {}, priority: 0 };

describe("serializeXmppPresence", () => {
  it("writes an empty available presence as <presence/>", () => {
    expect(serializeXmppPresence(available)).toBe("<presence/>");
  });

  it("writes every part in canonical order", () => {
    const p: XmppPresence = {
      type: "available",
      from: "1001@sip.example.com/phone",
      to: "juliet@capulet.lit",
      id: "p1",
      show: "dnd",
      status: { en: "On the phone", "": "Am Telefon", de: "Am Telefon" },
      priority: -5,
      idleSince: "2026-11-25T10:00:00Z",
      delay: { stamp: "2026-11-25T10:00:01Z", from: "sip.example.com", text: "cached" },
      caps: { node: "https://presence-bridge.example", ver: "abc=", hash: "sha-1", ext: "x" },
      nick: "Alice",
    };
    expect(serializeXmppPresence(p)).toBe(
      '<presence from="1001@sip.example.com/phone" id="p1" to="juliet@capulet.lit">' +
        "<show>dnd</show>" +
        "<status>Am Telefon</status>" +
        '<status xml:lang="de">Am Telefon</status>' +
        '<status xml:lang="en">On the phone</status>' +
        "<priority>-5</priority>" +
        '<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="https://presence-bridge.example" ver="abc=" ext="x"/>' +
        '<nick xmlns="http://jabber.org/protocol/nick">Alice</nick>' +
        '<idle xmlns="urn:xmpp:idle:1" since="2026-11-25T10:00:00Z"/>' +
        '<delay xmlns="urn:xmpp:delay" from="sip.example.com" stamp="2026-11-25T10:00:01Z">cached</delay>' +
        "</presence>",
    );
  });

  it("omits priority 0 and writes the type unless available", () => {
    expect(serializeXmppPresence({ ...available, priority: 0, show: "away" })).toBe("<presence><show>away</show></presence>");
    expect(serializeXmppPresence({ type: "subscribe", status: {}, priority: 0, nick: "Bob" })).toBe(
      '<presence type="subscribe"><nick xmlns="http://jabber.org/protocol/nick">Bob</nick></presence>',
    );
  });

  it("writes no show or priority on unavailable presence, but its status", () => {
    expect(serializeXmppPresence({ type: "unavailable", show: "away", status: { "": "Gone" }, priority: 9 })).toBe(
      '<presence type="unavailable"><status>Gone</status></presence>',
    );
  });

  it("escapes text and attributes", () => {
    expect(serializeXmppPresence({ ...available, from: `a"b'c<d>&`, status: { "": `<b>&"'` } })).toBe(
      '<presence from="a&quot;b&apos;c&lt;d&gt;&amp;"><status>&lt;b&gt;&amp;"\'</status></presence>',
    );
  });

  it("writes an empty status and an empty delay text as empty elements", () => {
    expect(serializeXmppPresence({ ...available, status: { "": "" }, delay: { stamp: "2026-11-25T10:00:00Z", text: "" } })).toBe(
      '<presence><status/><delay xmlns="urn:xmpp:delay" stamp="2026-11-25T10:00:00Z"/></presence>',
    );
  });

  it("clamps a priority outside -128..127", () => {
    expect(serializeXmppPresence({ ...available, priority: 500 })).toBe("<presence><priority>127</priority></presence>");
  });
});

describe("xmppPresenceToElement", () => {
  it("builds an ltx element without xmlns, so the component stream's default applies", () => {
    const el = xmppPresenceToElement({ ...available, show: "chat" });
    expect(el.name).toBe("presence");
    expect(el.attrs.xmlns).toBeUndefined();
    expect(el.getChildText("show")).toBe("chat");
    expect(el.toString()).toBe(serializeXmppPresence({ ...available, show: "chat" }));
  });
});
