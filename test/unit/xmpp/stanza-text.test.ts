import { describe, expect, it } from "vitest";
import { parseXmppPresence } from "../../../src/xmpp/index.js";

const errorOf = (text: string, maxBytes?: number) => {
  const result = parseXmppPresence(text, maxBytes === undefined ? undefined : { maxBytes });
  return result.ok ? null : result.error;
};

describe("parseXmppPresence: bad text", () => {
  it.each([
    ["<presence><show>away</show>", "the stanza is not well-formed XML: an element is not closed, or there is none"],
    ["<presence", "the stanza is not well-formed XML: an element is not closed, or there is none"],
    ["just text", "the stanza is not well-formed XML: an element is not closed, or there is none"],
    ["<presence><show>away</status></presence>", "the stanza is not well-formed XML: </status> does not close <show>"],
    ["<presence><a></b></a></presence>", "the stanza is not well-formed XML: </b> does not close <a>"],
    ["<presence/><presence/>", "the stanza is not well-formed XML: content after the root element"],
    ["<presence/>trailing", "the stanza is not well-formed XML: text outside the root element"],
    ["leading<presence/>", "the stanza is not well-formed XML: text outside the root element"],
    ["<presence><status>&custom;</status></presence>", "the stanza is not well-formed XML: Illegal XML entity &custom;"],
    ["<presence><status>&#0;</status></presence>", "the stanza is not well-formed XML: Illegal XML character 0x0"],
  ])("%s is not-well-formed", (text, message) => {
    expect(errorOf(text)).toEqual({ code: "not-well-formed", message });
  });

  it("accepts an XML declaration, comments and surrounding whitespace", () => {
    const result = parseXmppPresence("<?xml version='1.0'?>\n<!-- hi -->\n<presence><show>dnd</show></presence>\n");
    expect(result.ok && result.value.presence.show).toBe("dnd");
  });

  it("rejects a DOCTYPE with its position (RFC 6120 §11.1)", () => {
    expect(errorOf("<?xml version='1.0'?>\n  <!DOCTYPE presence [<!ENTITY x 'y'>]><presence>&x;</presence>")).toEqual({
      code: "entity-declaration",
      message: "XMPP forbids <!DOCTYPE (RFC 6120 §11.1)",
      at: "line 2, column 3",
    });
  });

  it("rejects an entity declaration anywhere", () => {
    expect(errorOf("<presence><!ENTITY lol 'lol'></presence>")).toEqual({
      code: "entity-declaration", message: "XMPP forbids <!ENTITY (RFC 6120 §11.1)", at: "line 1, column 11",
    });
  });

  it("rejects an empty or blank stanza", () => {
    expect(errorOf("")).toEqual({ code: "empty-body", message: "the stanza is empty" });
    expect(errorOf(" \n\t")).toEqual({ code: "empty-body", message: "the stanza is empty" });
  });

  it("caps the size at 64 KiB by default, in UTF-8 bytes", () => {
    const wrap = (status: string) => `<presence><status>${status}</status></presence>`;
    const overhead = wrap("").length;
    expect(parseXmppPresence(wrap("a".repeat(64 * 1024 - overhead))).ok).toBe(true);
    expect(errorOf(wrap("a".repeat(64 * 1024 - overhead + 1)))).toEqual({ code: "too-large", message: "the stanza is larger than 65536 bytes" });
    // "é" is one UTF-16 unit but two UTF-8 bytes
    expect(errorOf(wrap("é".repeat((64 * 1024 - overhead) / 2 + 1)))?.code).toBe("too-large");
    expect(parseXmppPresence(wrap("é".repeat(Math.floor((64 * 1024 - overhead) / 2)))).ok).toBe(true);
  });

  it("takes a smaller cap from the limits", () => {
    expect(errorOf("<presence><status>hello</status></presence>", 20)).toEqual({ code: "too-large", message: "the stanza is larger than 20 bytes" });
    expect(parseXmppPresence("<presence/>", { maxBytes: 11 }).ok).toBe(true);
  });
});
