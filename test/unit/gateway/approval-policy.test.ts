import { describe, expect, it } from "vitest";
import { domainAllowListPolicy, domainOf, fixedPolicy } from "../../../src/gateway/approval-policy.js";

describe("domainAllowListPolicy", () => {
  const policy = domainAllowListPolicy(["Capulet.lit", "*.verona.lit"]);
  it.each([
    ["juliet@capulet.lit", "approve"],
    ["nurse@CAPULET.LIT", "approve"],
    ["juliet@capulet.lit/balcony", "approve"],
    ["friar@church.verona.lit", "approve"],
    ["romeo@montague.lit", "deny"],
    ["mallory@evilcapulet.lit", "deny"],
    ["prince@verona.lit", "deny"],
    ["capulet.lit", "approve"],
  ] as const)("%s → %s", (watcher, decision) => {
    expect(policy.decide("1001@sip.example.com", watcher)).toBe(decision);
  });
  it("otherwise: defer hands strangers to the gateway", () => {
    expect(domainAllowListPolicy(["capulet.lit"], { otherwise: "defer" }).decide("1001@sip.example.com", "romeo@montague.lit")).toBe("defer");
  });
  it("an empty list approves no one", () => {
    expect(domainAllowListPolicy([]).decide("1001@sip.example.com", "juliet@capulet.lit")).toBe("deny");
  });
});

describe("domainOf", () => {
  it("takes the domainpart of bare and full JIDs, lower-cased, without a trailing dot", () => {
    expect(domainOf("juliet@Capulet.lit.")).toBe("capulet.lit");
    expect(domainOf("juliet@capulet.lit/a@b")).toBe("capulet.lit");
    expect(domainOf("capulet.lit")).toBe("capulet.lit");
  });
});

describe("fixedPolicy", () => {
  it("always answers the same", () => {
    expect(fixedPolicy("defer").decide("a", "b")).toBe("defer");
  });
});
