import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DigestAuthenticator, parseDigestParams, type DigestAlgorithm } from "../../../src/sip/access-digest.js";
import { NetworkList } from "../../../src/sip/access-networks.js";
import { SipAccess, sourceAddress } from "../../../src/sip/access.js";

const networks = (entries: string[]): NetworkList => {
  const parsed = NetworkList.parse(entries);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};

describe("trusted networks (CIDR, IPv4 and IPv6)", () => {
  const list = networks(["10.0.0.0/8", "192.0.2.7", "2001:db8:1::/48", "::1", "::ffff:198.51.100.0/120"]);

  it.each([
    ["10.1.2.3", true], ["11.0.0.1", false], ["192.0.2.7", true], ["192.0.2.8", false],
    ["2001:db8:1:ffff::5", true], ["2001:db8:2::5", false], ["[2001:DB8:1::1]", true], ["::1", true], ["::2", false],
    // IPv4-mapped sources (dual-stack sockets) match IPv4 prefixes, and mapped prefixes IPv4 sources.
    ["::ffff:10.9.9.9", true], ["198.51.100.200", true], ["198.51.101.1", false],
    ["fe80::1%eth0", false], ["not-an-address", false], ["", false],
  ])("%s → %s", (address, expected) => {
    expect(list.contains(address)).toBe(expected);
  });

  it("a host bit set in the prefix still means the network", () => {
    expect(networks(["10.1.2.3/8"]).contains("10.200.0.1")).toBe(true);
    expect(networks(["0.0.0.0/0"]).contains("203.0.113.9")).toBe(true);
    expect(networks(["0.0.0.0/0"]).contains("2001:db8::1")).toBe(false);
    expect(networks(["::/0"]).contains("2001:db8::1")).toBe(true);
  });

  it.each(["10.0.0.0/33", "2001:db8::/129", "10.0.0/8", "example.com", "10.0.0.0/8/1", "1.2.3.4/x"])("rejects %s with its index", (entry) => {
    const parsed = NetworkList.parse(["127.0.0.1", entry]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ code: "invalid-value", at: "/1" });
  });
});

const H = (algorithm: DigestAlgorithm, text: string): string =>
  createHash(algorithm === "MD5" ? "md5" : "sha256").update(text).digest("hex");

/** What a client computes (RFC 2617 §3.2.2 / RFC 8760), for `challenge`. */
function answer(challenge: string, o: { user: string; password: string; method: string; uri: string; realm?: string; qop?: boolean }): string {
  const p = parseDigestParams(challenge)!;
  const algorithm = (p.get("algorithm") ?? "MD5") as DigestAlgorithm;
  const realm = o.realm ?? p.get("realm")!;
  const nonce = p.get("nonce")!;
  const ha1 = H(algorithm, `${o.user}:${realm}:${o.password}`);
  const ha2 = H(algorithm, `${o.method}:${o.uri}`);
  if (o.qop === false) {
    return `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${H(algorithm, `${ha1}:${nonce}:${ha2}`)}", algorithm=${algorithm}`;
  }
  const response = H(algorithm, `${ha1}:${nonce}:00000001:c0ffee:auth:${ha2}`);
  return `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="c0ffee"`;
}

describe("digest challenge of our own (RFC 2617, RFC 8760)", () => {
  let now = Date.UTC(2026, 0, 1);
  const digest = new DigestAuthenticator({ realm: "bridge.example.com", users: [{ user: "1001", password: "s3cret" }], nonceLifetimeSeconds: 60 }, () => now);
  const uri = "sip:alice@bridge.example.com";

  it("offers SHA-256 first, then MD5, with the same nonce and qop=auth", () => {
    const [sha, md5] = digest.challenges(false);
    expect(sha).toMatch(/^Digest realm="bridge\.example\.com", nonce="[0-9a-f]+\.[0-9a-f]{16}\.[0-9a-f]{32}", algorithm=SHA-256, qop="auth"$/);
    expect(md5).toContain("algorithm=MD5");
    expect(parseDigestParams(sha!)?.get("nonce")).toBe(parseDigestParams(md5!)?.get("nonce"));
  });

  it.each(["SHA-256", "MD5"] as const)("accepts a right %s answer", (algorithm) => {
    const challenge = digest.challenges(false).find((c) => c.includes(`algorithm=${algorithm}`))!;
    expect(digest.verify(answer(challenge, { user: "1001", password: "s3cret", method: "SUBSCRIBE", uri }), "SUBSCRIBE", uri))
      .toEqual({ ok: true, user: "1001", algorithm });
  });

  it("accepts an RFC 2069 answer without qop", () => {
    const challenge = digest.challenges(false)[1]!;
    expect(digest.verify(answer(challenge, { user: "1001", password: "s3cret", method: "PUBLISH", uri, qop: false }), "PUBLISH", uri).ok).toBe(true);
  });

  it.each([
    ["a wrong password", { password: "guess" }, "SUBSCRIBE", uri, "wrong-response"],
    ["an unknown user", { user: "9999" }, "SUBSCRIBE", uri, "unknown-user"],
    ["another method", {}, "PUBLISH", uri, "wrong-response"],
    ["another Request-URI", {}, "SUBSCRIBE", "sip:bob@bridge.example.com", "uri-mismatch"],
    ["another realm", { realm: "proxy.example.com" }, "SUBSCRIBE", uri, "wrong-realm"],
  ])("refuses %s", (_name, change, method, requestUri, problem) => {
    const challenge = digest.challenges(false)[0]!;
    const header = answer(challenge, { user: "1001", password: "s3cret", method: "SUBSCRIBE", uri, ...change });
    expect(digest.verify(header, method, requestUri)).toEqual({ ok: false, problem, stale: false });
  });

  it("refuses a nonce it did not sign", () => {
    const forged = `Digest username="1001", realm="bridge.example.com", nonce="${Math.floor(now / 1000).toString(16)}.0000000000000000.00000000000000000000000000000000", uri="${uri}", response="00"`;
    expect(digest.verify(forged, "SUBSCRIBE", uri)).toEqual({ ok: false, problem: "foreign-nonce", stale: false });
  });

  it("says stale=true for a right answer with an expired nonce", () => {
    const challenge = digest.challenges(false)[0]!;
    const header = answer(challenge, { user: "1001", password: "s3cret", method: "SUBSCRIBE", uri });
    now += 61_000;
    expect(digest.verify(header, "SUBSCRIBE", uri)).toEqual({ ok: false, problem: "stale-nonce", stale: true });
    expect(digest.challenges(true)[0]).toMatch(/, stale=true$/);
  });

  it("takes a precomputed HA1 instead of a password", () => {
    const ha1 = H("SHA-256", "1002:bridge.example.com:pw");
    const d = new DigestAuthenticator({ realm: "bridge.example.com", users: [{ user: "1002", ha1: { "SHA-256": ha1 } }], algorithms: ["SHA-256"] }, () => now);
    const challenge = d.challenges(false)[0]!;
    expect(d.verify(answer(challenge, { user: "1002", password: "pw", method: "SUBSCRIBE", uri }), "SUBSCRIBE", uri).ok).toBe(true);
    expect(d.verify(answer(challenge.replace("SHA-256", "MD5"), { user: "1002", password: "pw", method: "SUBSCRIBE", uri }), "SUBSCRIBE", uri))
      .toEqual({ ok: false, problem: "algorithm-not-offered", stale: false });
  });

  it("parses quoted values with escapes and odd spacing", () => {
    expect([...parseDigestParams('Digest  username="a\\"b" ,realm = "r", nc=00000001')!]).toEqual([["username", 'a"b'], ["realm", "r"], ["nc", "00000001"]]);
    expect(parseDigestParams("Basic abc")).toBeUndefined();
  });
});

/** Just the parts of a sip.js IncomingRequestMessage that access reads. */
function request(via: string, method = "SUBSCRIBE", authorization: string[] = [], ruri = "sip:alice@bridge.example.com") {
  return {
    method,
    data: `${method} ${ruri} SIP/2.0\r\nVia: ${via}\r\n\r\n`,
    getHeader: (name: string) => (name === "via" ? via : undefined),
    getHeaders: (name: string) => (name === "authorization" ? authorization : []),
  };
}

describe("SipAccess: trusted networks, then our digest, else 403", () => {
  it("reads the source from received=, else the sent-by host", () => {
    expect(sourceAddress(request("SIP/2.0/UDP pbx.example.com:5060;branch=z9hG4bK1;received=192.0.2.10;rport=5060"))).toBe("192.0.2.10");
    expect(sourceAddress(request("SIP/2.0/TCP 192.0.2.11:5060;branch=z9hG4bK1"))).toBe("192.0.2.11");
    expect(sourceAddress(request("SIP/2.0/UDP [2001:db8::5]:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1"))).toBe("2001:db8::5");
    expect(sourceAddress(request("SIP/2.0/UDP h;received=[2001:db8::6]"))).toBe("2001:db8::6");
  });

  it("lets a trusted peer through without credentials", () => {
    const access = SipAccess.create({ trustedNetworks: ["192.0.2.0/24"] });
    expect(access.ok && access.value.check(request("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1"))).toEqual({ allowed: true, by: "trusted-network", source: "192.0.2.10" });
  });

  it("answers 403 to an untrusted source when no users are configured", () => {
    const access = SipAccess.create({ trustedNetworks: ["192.0.2.0/24"] });
    expect(access.ok && access.value.check(request("SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK1"))).toMatchObject({ allowed: false, status: 403, problem: "untrusted-source" });
  });

  it("challenges an untrusted source with 401, then accepts the answer", () => {
    const created = SipAccess.create({ trustedNetworks: ["192.0.2.0/24"], digest: { realm: "bridge.example.com", users: [{ user: "1001", password: "s3cret" }], algorithms: ["MD5"] } });
    if (!created.ok) throw new Error("config");
    const via = "SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK1";
    const first = created.value.check(request(via, "PUBLISH"));
    expect(first).toMatchObject({ allowed: false, status: 401, problem: "no-credentials" });
    if (first.allowed) return;
    expect(first.extraHeaders).toHaveLength(1);
    const challenge = first.extraHeaders[0]!.replace(/^WWW-Authenticate: /, "");
    const auth = answer(challenge, { user: "1001", password: "s3cret", method: "PUBLISH", uri: "sip:alice@bridge.example.com" });
    expect(created.value.check(request(via, "PUBLISH", [auth]))).toEqual({ allowed: true, by: "digest", user: "1001", source: "198.51.100.1" });
    expect(created.value.check(request(via, "SUBSCRIBE", [auth]))).toMatchObject({ allowed: false, status: 401, problem: "wrong-response" });
  });

  it("is closed with an empty config, and rejects a bad network list", () => {
    const created = SipAccess.create({});
    expect(created.ok && created.value.closed).toBe(true);
    expect(SipAccess.create({ trustedNetworks: ["10.0.0.0/99"] }).ok).toBe(false);
  });
});
