import { Element, parse as ltxParse } from "ltx";
import { describe, expect, it } from "vitest";
import { parseXmppPresence, type ParsedXmppPresence } from "../../../src/xmpp/index.js";

function parsed(input: string | Element): ParsedXmppPresence {
  const result = parseXmppPresence(input);
  if (!result.ok) throw new Error(`expected a parse, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}
const presenceOf = (input: string | Element) => parsed(input).presence;
const warningCodes = (input: string) => parsed(input).warnings.map((w) => w.code);

describe("parseXmppPresence: attributes and type (RFC 6121 §4.7.1)", () => {
  it("an empty <presence/> is available with defaults and no warnings", () => {
    expect(parsed("<presence/>")).toEqual({ presence: { type: "available", status: {}, priority: 0 }, warnings: [] });
  });

  it("reads from, to and id", () => {
    expect(presenceOf("<presence from='juliet@capulet.lit/balcony' to='1001@sip.example.com' id='p1'/>")).toEqual({
      type: "available", from: "juliet@capulet.lit/balcony", to: "1001@sip.example.com", id: "p1", status: {}, priority: 0,
    });
  });

  it.each(["unavailable", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "error"] as const)("type %s", (type) => {
    expect(presenceOf(`<presence type='${type}'/>`).type).toBe(type);
  });

  it.each(["bogus", "", "available", "Unavailable"])("type '%s' is invalid-value", (type) => {
    const result = parseXmppPresence(`<presence type='${type}'/>`);
    expect(result.ok ? null : result.error.code).toBe("invalid-value");
  });
});

describe("parseXmppPresence: <show/> (RFC 6121 §4.7.2.1)", () => {
  it.each(["chat", "away", "xa", "dnd"] as const)("show %s", (show) => {
    expect(parsed(`<presence><show>${show}</show></presence>`)).toEqual({
      presence: { type: "available", show, status: {}, priority: 0 }, warnings: [],
    });
  });

  it("trims whitespace around the value (xs:token)", () => {
    expect(presenceOf("<presence><show>\n  away \n</show></presence>").show).toBe("away");
  });

  it.each(["online", "busy", "", "AWAY"])("unknown value '%s' is ignored with a warning", (value) => {
    const result = parsed(`<presence><show>${value}</show></presence>`);
    expect("show" in result.presence).toBe(false);
    expect(result.warnings).toEqual([{ code: "unknown-show", message: `<show>${value}</show> is not chat, away, xa or dnd; ignored` }]);
  });

  it("the first <show/> counts", () => {
    expect(presenceOf("<presence><show>dnd</show><show>chat</show></presence>").show).toBe("dnd");
  });
});

describe("parseXmppPresence: <status/> (RFC 6121 §4.7.2.2, RFC 6120 §8.1.5)", () => {
  it("no language anywhere → key ''", () => {
    expect(presenceOf("<presence><status>Out to lunch &amp; back at 2 &lt;pm&gt;</status></presence>").status).toEqual({
      "": "Out to lunch & back at 2 <pm>",
    });
  });

  it("one per xml:lang; a status without one inherits the stanza's", () => {
    const text = "<presence xml:lang='en'><status>Gone</status><status xml:lang='de'>Weg</status><status xml:lang='fr-CA'>Parti</status></presence>";
    expect(presenceOf(text).status).toEqual({ en: "Gone", de: "Weg", "fr-CA": "Parti" });
  });

  it("an empty status is kept as ''", () => {
    expect(presenceOf("<presence><status/></presence>").status).toEqual({ "": "" });
  });

  it.each([
    ["<presence><status>one</status><status>two</status></presence>", { "": "one" }, "a second <status/> without xml:lang was ignored"],
    ["<presence xml:lang='en'><status>one</status><status xml:lang='en'>two</status></presence>", { en: "one" }, 'a second <status/> for xml:lang "en" was ignored'],
    ["<presence><status xml:lang='en'>one</status><status xml:lang='EN'>two</status></presence>", { en: "one" }, 'a second <status/> for xml:lang "EN" was ignored'],
  ])("a repeated language keeps the first and warns: %s", (text, status, message) => {
    expect(parsed(text)).toEqual({
      presence: { type: "available", status, priority: 0 },
      warnings: [{ code: "duplicate-status-lang", message }],
    });
  });

  it("unavailable presence keeps its status (RFC 6121 §4.5.1)", () => {
    expect(presenceOf("<presence type='unavailable'><status>Gone home</status></presence>")).toEqual({
      type: "unavailable", status: { "": "Gone home" }, priority: 0,
    });
  });

  it("a __proto__ language stays an ordinary key", () => {
    const status = presenceOf("<presence><status xml:lang='__proto__'>x</status></presence>").status;
    expect(Object.keys(status)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(status)).toBe(Object.prototype);
  });
});

describe("parseXmppPresence: <priority/> (RFC 6121 §4.7.2.3)", () => {
  it.each([["0", 0], ["5", 5], ["-1", -1], ["127", 127], ["-128", -128], ["+7", 7], [" 12 ", 12], ["007", 7]])("'%s' → %d", (text, value) => {
    expect(parsed(`<presence><priority>${text}</priority></presence>`)).toEqual({
      presence: { type: "available", status: {}, priority: value }, warnings: [],
    });
  });

  it.each([["128", 127], ["-129", -128], ["99999999999999999999", 127]])("out of range '%s' is clamped to %d with a warning", (text, value) => {
    expect(parsed(`<presence><priority>${text}</priority></presence>`)).toEqual({
      presence: { type: "available", status: {}, priority: value },
      warnings: [{ code: "priority-out-of-range", message: `<priority>${text}</priority> is outside -128..127; ${value} used` }],
    });
  });

  it.each(["1.5", "high", "", "1e2", "- 1"])("not an integer '%s' → 0 with a warning", (text) => {
    const result = parsed(`<presence><priority>${text}</priority></presence>`);
    expect(result.presence.priority).toBe(0);
    expect(result.warnings.map((w) => w.code)).toEqual(["priority-not-integer"]);
  });

  it("the first <priority/> counts", () => {
    expect(presenceOf("<presence><priority>3</priority><priority>9</priority></presence>").priority).toBe(3);
  });
});

describe("parseXmppPresence: unavailable and other types carry no show or priority", () => {
  it.each(["unavailable", "subscribe", "probe"])("type %s: show and priority ignored without warnings", (type) => {
    const result = parsed(`<presence type='${type}'><show>bogus</show><priority>999</priority></presence>`);
    expect(result).toEqual({ presence: { type, status: {}, priority: 0 }, warnings: [] });
  });
});

describe("parseXmppPresence: XEP elements", () => {
  it("XEP-0319 idle with a valid DateTime", () => {
    expect(presenceOf("<presence><idle xmlns='urn:xmpp:idle:1' since='1969-07-21T02:56:15Z'/></presence>").idleSince).toBe("1969-07-21T02:56:15Z");
    expect(presenceOf("<presence><idle xmlns='urn:xmpp:idle:1' since='2026-11-25T10:00:00.123+05:30'/></presence>").idleSince).toBe(
      "2026-11-25T10:00:00.123+05:30",
    );
  });

  it.each(["yesterday", "2026-11-25T10:00:00", "2026-11-25", "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-25T24:00:00Z"])(
    "XEP-0319 idle since='%s' is ignored with a warning",
    (since) => {
      const result = parsed(`<presence><idle xmlns='urn:xmpp:idle:1' since='${since}'/></presence>`);
      expect("idleSince" in result.presence).toBe(false);
      expect(result.warnings).toEqual([{ code: "invalid-idle", message: `<idle since="${since}"/> is not an XEP-0082 DateTime; ignored` }]);
    },
  );

  it("XEP-0319 idle without since warns; leap day is accepted", () => {
    expect(warningCodes("<presence><idle xmlns='urn:xmpp:idle:1'/></presence>")).toEqual(["invalid-idle"]);
    expect(presenceOf("<presence><idle xmlns='urn:xmpp:idle:1' since='2024-02-29T00:00:00Z'/></presence>").idleSince).toBe("2024-02-29T00:00:00Z");
  });

  it("idle in another namespace is not XEP-0319", () => {
    expect("idleSince" in presenceOf("<presence><idle xmlns='urn:xmpp:idle:0' since='2026-11-25T10:00:00Z'/></presence>")).toBe(false);
  });

  it("XEP-0203 delay with from and text", () => {
    const text = "<presence><delay xmlns='urn:xmpp:delay' from='capulet.lit' stamp='2002-09-10T23:41:07Z'>Offline Storage</delay></presence>";
    expect(presenceOf(text).delay).toEqual({ stamp: "2002-09-10T23:41:07Z", from: "capulet.lit", text: "Offline Storage" });
    expect(presenceOf("<presence><delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:41:07Z'/></presence>").delay).toEqual({ stamp: "2002-09-10T23:41:07Z" });
  });

  it("XEP-0203 delay with a bad stamp is ignored with a warning", () => {
    const result = parsed("<presence><delay xmlns='urn:xmpp:delay' stamp='20020910T23:41:07'/></presence>");
    expect("delay" in result.presence).toBe(false);
    expect(result.warnings).toEqual([{ code: "invalid-delay", message: '<delay stamp="20020910T23:41:07"/> is not an XEP-0082 DateTime; ignored' }]);
  });

  it("XEP-0115 caps carried through, with and without ext", () => {
    const caps = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://gajim.org' ver='QgayPKawpkPSDYmwT/WM94uAlu0='";
    expect(presenceOf(`<presence>${caps}/></presence>`).caps).toEqual({ node: "https://gajim.org", ver: "QgayPKawpkPSDYmwT/WM94uAlu0=", hash: "sha-1" });
    expect(presenceOf(`<presence>${caps} ext='voice-v1'/></presence>`).caps).toEqual({
      node: "https://gajim.org", ver: "QgayPKawpkPSDYmwT/WM94uAlu0=", hash: "sha-1", ext: "voice-v1",
    });
  });

  it("legacy caps without hash are not carried", () => {
    expect("caps" in presenceOf("<presence><c xmlns='http://jabber.org/protocol/caps' node='n' ver='1.0'/></presence>")).toBe(false);
  });

  it("XEP-0172 nick", () => {
    expect(presenceOf("<presence type='subscribe'><nick xmlns='http://jabber.org/protocol/nick'>Juliet &amp; co</nick></presence>")).toEqual({
      type: "subscribe", status: {}, priority: 0, nick: "Juliet & co",
    });
  });

  it("unknown children are ignored", () => {
    expect(presenceOf("<presence><x xmlns='vcard-temp:x:update'><photo/></x><foo>bar</foo></presence>")).toEqual({
      type: "available", status: {}, priority: 0,
    });
  });
});

describe("parseXmppPresence: namespaces", () => {
  it.each(["jabber:client", "jabber:server", "jabber:component:accept"])("accepts <presence/> in %s", (ns) => {
    expect(presenceOf(`<presence xmlns='${ns}'><show>away</show></presence>`).show).toBe("away");
  });

  it.each([
    ["<message/>", "expected <presence/> in jabber:client, jabber:server or jabber:component:accept, found <message>"],
    ["<presence xmlns='urn:other'/>", "expected <presence/> in jabber:client, jabber:server or jabber:component:accept, found <presence> in urn:other"],
  ])("rejects %s with unexpected-root", (text, message) => {
    expect(parseXmppPresence(text)).toEqual({ ok: false, error: { code: "unexpected-root", message } });
  });

  it("resolves prefixes", () => {
    const text = "<p:presence xmlns:p='jabber:client'><p:show>xa</p:show><show>dnd</show></p:presence>";
    expect(presenceOf(text).show).toBe("xa"); // the unprefixed <show> is in no namespace
  });

  it("ignores stanza children from another namespace", () => {
    expect("show" in presenceOf("<presence xmlns='jabber:client'><show xmlns='urn:other'>away</show></presence>")).toBe(false);
  });
});

describe("parseXmppPresence: ltx Element input (the @xmpp/component path)", () => {
  it("reads a built element", () => {
    const el = new Element("presence", { from: "juliet@capulet.lit/balcony" });
    el.c("show").t("chat");
    el.c("priority").t("4");
    expect(presenceOf(el)).toEqual({ type: "available", from: "juliet@capulet.lit/balcony", show: "chat", status: {}, priority: 4 });
  });

  it("inherits namespace and xml:lang from the stream element it hangs under", () => {
    const stream = ltxParse("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en'><presence><status>Hi</status><status xml:lang='de'>Hallo</status></presence></stream:stream>");
    const el = stream.getChild("presence");
    expect(el?.getNS()).toBe("jabber:component:accept");
    expect(presenceOf(el as Element).status).toEqual({ en: "Hi", de: "Hallo" });
  });

  it("rejects an element that is not presence", () => {
    const result = parseXmppPresence(new Element("iq", { xmlns: "jabber:client" }));
    expect(result.ok ? null : result.error.code).toBe("unexpected-root");
  });
});
