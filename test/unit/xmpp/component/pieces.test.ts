import { Element } from "ltx";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../../../src/xmpp/component/backoff.js";
import { stanzaSize } from "../../../../src/xmpp/component/inbound.js";
import { errorReply } from "../../../../src/xmpp/component/stanza-error.js";

describe("reconnectDelay", () => {
  const backoff = { initialDelayMs: 500, maxDelayMs: 60_000, factor: 2, jitter: 1 };
  it("grows the ceiling exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 8, 20].map((n) => reconnectDelay(n, backoff, () => 0))).toEqual([500, 1000, 2000, 4000, 60_000, 60_000]);
  });
  it("draws full jitter below the ceiling", () => {
    expect(reconnectDelay(3, backoff, () => 0.25)).toBe(1500);
    expect(reconnectDelay(3, backoff, () => 0.999)).toBe(2);
  });
  it("without jitter, is the ceiling", () => {
    expect(reconnectDelay(2, { ...backoff, jitter: 0 }, () => 0.7)).toBe(1000);
  });
});

describe("errorReply (RFC 6120 §8.3)", () => {
  const stanza = { name: "iq", attrs: { from: "juliet@capulet.lit/balcony", to: "1001@sip.example.com", id: "v1", type: "get" } };
  it("swaps the addresses, keeps the id, and types the condition", () => {
    expect(errorReply(stanza, "item-not-found")?.toString()).toBe(
      '<iq type="error" from="1001@sip.example.com" to="juliet@capulet.lit/balcony" id="v1"><error type="cancel">' +
        '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
    );
    expect(errorReply(stanza, "jid-malformed")?.toString()).toContain('<error type="modify"><jid-malformed');
    expect(errorReply(stanza, "policy-violation", "slow down", "wait")?.toString()).toContain('<error type="wait"><policy-violation');
  });
  it("answers neither an error nor an iq result", () => {
    expect(errorReply({ ...stanza, attrs: { ...stanza.attrs, type: "error" } }, "bad-request")).toBeUndefined();
    expect(errorReply({ ...stanza, attrs: { ...stanza.attrs, type: "result" } }, "bad-request")).toBeUndefined();
  });
});

describe("stanzaSize", () => {
  it("approximates the serialized size and stops past the limit", () => {
    const el = new Element("presence", { to: "a@b" }).c("status").t("x".repeat(100)).root();
    const exact = el.toString().length;
    const size = stanzaSize(el, 10_000);
    expect(Math.abs(size - exact)).toBeLessThan(10);
    expect(stanzaSize(new Element("a").t("x".repeat(1_000_000)).root(), 100)).toBeGreaterThan(100);
  });
});
