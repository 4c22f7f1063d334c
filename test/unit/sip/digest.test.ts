/** Digest: RFC 2617 / RFC 7616 example vectors, challenge parsing, the -sess and auth-int forms. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { computeDigest, parseChallenge, rankChallenges, type DigestChallenge } from "../../../src/sip/digest.js";

const h = (algorithm: string, text: string): string => createHash(algorithm).update(text).digest("hex");

describe("RFC example vectors", () => {
  it("RFC 2617 §3.5: MD5, qop=auth (Mufasa, testrealm@host.com)", () => {
    const challenge = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(challenge).toBeDefined();
    const answer = computeDigest({
      challenge: challenge as DigestChallenge, username: "Mufasa", secret: { password: "Circle Of Life" },
      method: "GET", uri: "/dir/index.html", cnonce: "0a4f113b", nc: 1,
    });
    expect(answer?.response).toBe("6629fae49393a05397450978507c4ef1");
    expect(answer?.header).toBe('Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, opaque="5ccc069c403ebaf9f0171e9517f40e41", ' +
      'qop=auth, nc=00000001, cnonce="0a4f113b"');
  });

  // RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
  const rfc7616 = {
    username: "Mufasa", secret: { password: "Circle of Life" }, method: "GET", uri: "/dir/index.html",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nc: 1,
  };
  const challenge7616 = (algorithm: string): string =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

  it.each([
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
  ])("RFC 7616 §3.9.1: %s", (algorithm, expected) => {
    const challenge = parseChallenge(challenge7616(algorithm)) as DigestChallenge;
    expect(challenge.algorithm).toBe(algorithm);
    const answer = computeDigest({ challenge, ...rfc7616 });
    expect(answer?.response).toBe(expected);
    expect(answer?.qop).toBe("auth");
  });

  it("answers from a stored HA1 exactly as from the password", () => {
    const challenge = parseChallenge(challenge7616("SHA-256")) as DigestChallenge;
    const ha1 = h("sha256", "Mufasa:http-auth@example.org:Circle of Life");
    const answer = computeDigest({ challenge, ...rfc7616, secret: { ha1: { "SHA-256": ha1 } } });
    expect(answer?.response).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    // An MD5 HA1 cannot answer a SHA-256 challenge.
    expect(computeDigest({ challenge, ...rfc7616, secret: { ha1: { MD5: "00" } } })).toBeUndefined();
  });
});

describe("the forms without published vectors, against the RFC formulas", () => {
  const base = { username: "1001", secret: { password: "s3cret" }, method: "SUBSCRIBE", uri: "sip:1001@pbx.example.com", cnonce: "abc", nc: 2 };

  it.each([["MD5-sess", "md5"], ["SHA-256-sess", "sha256"], ["SHA-512-256-sess", "sha512-256"]])("%s (RFC 7616 §3.4.2: A1 = H(user:realm:pw):nonce:cnonce)", (algorithm, node) => {
    const challenge = parseChallenge(`Digest realm="pbx", nonce="n1", qop="auth", algorithm=${algorithm}`) as DigestChallenge;
    const ha1 = h(node, `${h(node, "1001:pbx:s3cret")}:n1:abc`);
    const ha2 = h(node, "SUBSCRIBE:sip:1001@pbx.example.com");
    expect(computeDigest({ challenge, ...base })?.response).toBe(h(node, `${ha1}:n1:00000002:abc:auth:${ha2}`));
  });

  it("qop=auth-int hashes the body into A2 (RFC 7616 §3.4.3)", () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="n1", qop="auth-int", algorithm=SHA-256') as DigestChallenge;
    const body = "<presence/>";
    const ha1 = h("sha256", "1001:pbx:s3cret");
    const ha2 = h("sha256", `PUBLISH:sip:1001@pbx.example.com:${h("sha256", body)}`);
    const answer = computeDigest({ challenge, ...base, method: "PUBLISH", body });
    expect(answer?.qop).toBe("auth-int");
    expect(answer?.response).toBe(h("sha256", `${ha1}:n1:00000002:abc:auth-int:${ha2}`));
  });

  it("no qop: RFC 2069 compatibility, response = H(HA1:nonce:HA2), no nc/cnonce sent", () => {
    const challenge = parseChallenge('Digest realm="pbx", nonce="n1"') as DigestChallenge;
    const answer = computeDigest({ challenge, ...base });
    expect(answer?.response).toBe(h("md5", `${h("md5", "1001:pbx:s3cret")}:n1:${h("md5", "SUBSCRIBE:sip:1001@pbx.example.com")}`));
    expect(answer?.header).not.toMatch(/nc=|cnonce=|qop=/);
  });
});

describe("parseChallenge", () => {
  it("reads quoted values with commas and escapes, unquoted tokens, stale, any case", () => {
    expect(parseChallenge('DIGEST Realm="a, \\"b\\"",NONCE=xyz ,  stale=TRUE, algorithm=md5-SESS, opaque=""')).toEqual({
      realm: 'a, "b"', nonce: "xyz", algorithm: "MD5-sess", opaque: "", qop: [], stale: true,
    });
  });

  it.each([
    ['Basic realm="x"', "another scheme"],
    ['Digest nonce="n"', "no realm"],
    ['Digest realm="r"', "no nonce"],
    ['Digest realm="r", nonce="n", algorithm=SHA-1', "an algorithm we cannot compute"],
    ['Digest realm="r", nonce="n", qop="auth-conf"', "only an unknown qop"],
  ])("refuses %s (%s)", (value) => {
    expect(parseChallenge(value)).toBeUndefined();
  });

  it("ranks several challenges strongest first, among those the credentials can answer (RFC 8760 §2.4)", () => {
    const values = ['Digest realm="r", nonce="1", algorithm=MD5', 'Digest realm="r", nonce="2", algorithm=SHA-256', 'Basic realm="r"'];
    expect(rankChallenges(values, () => true).map((c) => c.algorithm)).toEqual(["SHA-256", "MD5"]);
    expect(rankChallenges(values, (c) => c.algorithm === "MD5").map((c) => c.nonce)).toEqual(["1"]);
  });
});
