import { parse, type Element } from "ltx";
import { describe, expect, it } from "vitest";
import { fail, ok } from "../../../../src/errors.js";
import type { ContactDirectory } from "../../../../src/gateway/ports.js";
import { CAPS_NODE, capsString, capsVer, CONTACT_CAPS, CONTACT_INFO, createServices } from "../../../../src/xmpp/services/index.js";
import { memoryLogger } from "../component/fakes.js";

describe("XEP-0115 verification string", () => {
  // XEP-0115 §5.2, the simple generation example.
  const exodus = {
    identities: [{ category: "client", type: "pc", name: "Exodus 0.9.1" }],
    features: ["http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps"],
  };
  it("builds S and its SHA-1 as the XEP's example does", () => {
    expect(capsString(exodus)).toBe(
      "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<",
    );
    expect(capsVer(exodus)).toBe("QgayPKawpkPSDYmwT/WM94uAlu0=");
  });
  it("gives contacts one hash of their disco#info", () => {
    expect(CONTACT_CAPS).toEqual({ node: CAPS_NODE, ver: capsVer(CONTACT_INFO), hash: "sha-1" });
  });
});

const directory: ContactDirectory = {
  lookup: (jid) => {
    if (jid.includes(" ")) return fail("jid-malformed", `${jid} is not a JID`);
    if (jid === "1001@sip.example.com") return ok({ jid, sip: "sip:1001@pbx.example.com", name: "Juliet Capulet" });
    return fail("item-not-found", `${jid} is no contact`);
  },
  resolvePrompt: (input) =>
    input.trim() === "1001" ? ok("1001@sip.example.com") : input.startsWith("tel:") ? fail("unsupported-uri-scheme", "not sip") : ok("alice\\40example.com@sip.example.com"),
};

const services = createServices({
  domain: "sip.example.com", directory, name: "SIP gateway", software: { name: "presence-bridge", version: "0.1.0" }, logger: memoryLogger(),
});
const ask = (xml: string): string => services(parse(xml) as Element).toString();
const iq = (to: string, type: string, payload: string, id = "q1"): string =>
  `<iq from='juliet@capulet.lit/balcony' to='${to}' type='${type}' id='${id}'>${payload}</iq>`;
const result = (from: string, payload = "", id = "q1"): string =>
  `<iq type="result" from="${from}" to="juliet@capulet.lit/balcony" id="${id}"${payload === "" ? "/>" : `>${payload}</iq>`}`;
const error = (from: string, type: string, condition: string, text?: string): string =>
  `<iq type="error" from="${from}" to="juliet@capulet.lit/balcony" id="q1"><error type="${type}"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>` +
  `${text === undefined ? "" : `<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">${text}</text>`}</error></iq>`;

describe("disco (XEP-0030)", () => {
  it("describes the domain as gateway/simple with the features it serves", () => {
    expect(ask(iq("sip.example.com", "get", "<query xmlns='http://jabber.org/protocol/disco#info'/>"))).toBe(
      result(
        "sip.example.com",
        '<query xmlns="http://jabber.org/protocol/disco#info"><identity category="gateway" type="simple" name="SIP gateway"/>' +
          '<feature var="http://jabber.org/protocol/caps"/><feature var="http://jabber.org/protocol/disco#info"/>' +
          '<feature var="http://jabber.org/protocol/disco#items"/><feature var="jabber:iq:gateway"/><feature var="jabber:iq:version"/>' +
          '<feature var="urn:xmpp:ping"/><feature var="vcard-temp"/></query>',
      ),
    );
  });

  it("describes a contact as client/phone, also under its caps node", () => {
    const node = `${CAPS_NODE}#${CONTACT_CAPS.ver}`;
    const answer = ask(iq("1001@sip.example.com", "get", `<query xmlns='http://jabber.org/protocol/disco#info' node='${node}'/>`));
    expect(answer).toContain(`<query xmlns="http://jabber.org/protocol/disco#info" node="${node}"><identity category="client" type="phone"/>`);
    expect(answer).toContain('<feature var="urn:xmpp:idle:1"/>');
    expect(ask(iq("1001@sip.example.com", "get", "<query xmlns='http://jabber.org/protocol/disco#info' node='other'/>"))).toContain("<item-not-found");
  });

  it("lists no items", () => {
    expect(ask(iq("sip.example.com", "get", "<query xmlns='http://jabber.org/protocol/disco#items'/>"))).toBe(
      result("sip.example.com", '<query xmlns="http://jabber.org/protocol/disco#items"/>'),
    );
  });
});

describe("the gateway prompt (XEP-0100)", () => {
  it("asks for an extension or SIP address", () => {
    expect(ask(iq("sip.example.com", "get", "<query xmlns='jabber:iq:gateway'/>"))).toMatch(
      /<query xmlns="jabber:iq:gateway"><desc>Enter the extension .*<\/desc><prompt>Extension or SIP address<\/prompt><\/query>/,
    );
  });
  it("answers with the contact's JID", () => {
    expect(ask(iq("sip.example.com", "set", "<query xmlns='jabber:iq:gateway'><prompt>1001</prompt></query>"))).toBe(
      result("sip.example.com", '<query xmlns="jabber:iq:gateway"><jid>1001@sip.example.com</jid></query>'),
    );
    expect(ask(iq("sip.example.com", "set", "<query xmlns='jabber:iq:gateway'><prompt>alice@example.com</prompt></query>"))).toContain(
      "<jid>alice\\40example.com@sip.example.com</jid>",
    );
  });
  it("refuses a missing prompt with bad-request and an address it cannot map with jid-malformed", () => {
    expect(ask(iq("sip.example.com", "set", "<query xmlns='jabber:iq:gateway'/>"))).toBe(error("sip.example.com", "modify", "bad-request", "the query has no &lt;prompt/&gt;"));
    expect(ask(iq("sip.example.com", "set", "<query xmlns='jabber:iq:gateway'><prompt>tel:+1</prompt></query>"))).toBe(
      error("sip.example.com", "modify", "jid-malformed", "not sip"),
    );
  });
});

describe("ping, version, vCard", () => {
  it("answers pings for the domain and for contacts (XEP-0199)", () => {
    expect(ask(iq("sip.example.com", "get", "<ping xmlns='urn:xmpp:ping'/>"))).toBe(result("sip.example.com"));
    expect(ask(iq("1001@sip.example.com/x", "get", "<ping xmlns='urn:xmpp:ping'/>"))).toBe(result("1001@sip.example.com/x"));
  });
  it("gives the software version without the OS (XEP-0092)", () => {
    expect(ask(iq("sip.example.com", "get", "<query xmlns='jabber:iq:version'/>"))).toBe(
      result("sip.example.com", '<query xmlns="jabber:iq:version"><name>presence-bridge</name><version>0.1.0</version></query>'),
    );
  });
  it("names a contact in its vCard (XEP-0054)", () => {
    expect(ask(iq("1001@sip.example.com", "get", "<vCard xmlns='vcard-temp'/>"))).toBe(
      result("1001@sip.example.com", '<vCard xmlns="vcard-temp"><FN>Juliet Capulet</FN></vCard>'),
    );
  });
});

describe("RFC 6120 errors", () => {
  it("service-unavailable for a namespace nobody serves, or a set of a get-only one", () => {
    expect(ask(iq("sip.example.com", "get", "<query xmlns='jabber:iq:last'/>"))).toBe(error("sip.example.com", "cancel", "service-unavailable"));
    expect(ask(iq("sip.example.com", "set", "<vCard xmlns='vcard-temp'/>"))).toBe(error("sip.example.com", "cancel", "service-unavailable"));
  });
  it("item-not-found for a contact that does not exist, jid-malformed for a bad address", () => {
    expect(ask(iq("alice@sip.example.com", "get", "<vCard xmlns='vcard-temp'/>"))).toBe(
      error("alice@sip.example.com", "cancel", "item-not-found", "alice@sip.example.com is no contact"),
    );
    expect(ask(iq("a b@sip.example.com", "get", "<ping xmlns='urn:xmpp:ping'/>"))).toContain('<error type="modify"><jid-malformed');
  });
  it("bad-request for an iq without exactly one payload", () => {
    expect(ask(iq("sip.example.com", "get", ""))).toBe(error("sip.example.com", "modify", "bad-request", "an iq get or set carries exactly one payload"));
    expect(ask(iq("sip.example.com", "get", "<ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/>"))).toContain("<bad-request");
  });
});
