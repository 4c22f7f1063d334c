import { describe, expect, it } from "vitest";
import { isInDialog, nextHopOf, targetOfUri } from "../../../src/sip/transport/next-hop.js";
import { resolveTarget, type DnsClient, type NaptrRecord, type SrvRecord } from "../../../src/sip/transport/resolver.js";
import { scanMessage } from "../../../src/sip/transport/wire.js";

/** A DNS table; every answer is a loopback address, nothing reaches a real resolver. */
function fakeDns(table: { naptr?: Record<string, NaptrRecord[]>; srv?: Record<string, SrvRecord[]>; a?: Record<string, string[]> }): DnsClient & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    naptr: async (name) => (queries.push(`NAPTR ${name}`), table.naptr?.[name] ?? []),
    srv: async (name) => (queries.push(`SRV ${name}`), table.srv?.[name] ?? []),
    addresses: async (name) => (queries.push(`A ${name}`), table.a?.[name] ?? []),
  };
}

const request = (ruri: string, extra = ""): string =>
  `SUBSCRIBE ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\n${extra}Call-ID: x\r\nCSeq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n`;
const hopOf = (text: string, proxy?: string) => {
  const scanned = scanMessage(text);
  if (!scanned) throw new Error("no scan");
  return nextHopOf(scanned, proxy);
};

describe("next hop (RFC 3261 §8.1.2)", () => {
  it("prefers the outbound proxy, then the top Route, then the Request-URI", () => {
    const text = request("sip:bob@127.0.0.5:5080", "Route: <sip:127.0.0.9:5090;lr>, <sip:127.0.0.10;lr>\r\n");
    expect(hopOf(text, "sip:127.0.0.2:5062;transport=tcp").target).toEqual({ host: "127.0.0.2", port: 5062, transport: "tcp", secure: false });
    expect(hopOf(text).target).toEqual({ host: "127.0.0.9", port: 5090, transport: undefined, secure: false });
    expect(hopOf(request("sip:bob@127.0.0.5:5080;transport=udp")).target).toEqual({ host: "127.0.0.5", port: 5080, transport: "udp", secure: false });
  });

  const PROXY = "sip:127.0.0.2:5062";
  const inDialog = (ruri: string, to: string, route = ""): string => request(ruri, `To: ${to}\r\nFrom: <sip:a@b>;tag=f1\r\n${route}`);

  it("sends requests outside a dialog (no To tag) to the outbound proxy, whatever their Route", () => {
    const text = request("sip:bob@127.0.0.5:5080", "To: <sip:bob@example.com>\r\nRoute: <sip:127.0.0.9:5090;lr>\r\n");
    expect(hopOf(text, PROXY)).toEqual({ target: { host: "127.0.0.2", port: 5062, transport: undefined, secure: false }, source: "outbound-proxy", uri: PROXY });
  });

  it("sends a request within a dialog to its remote target when the route set is empty (RFC 3261 §12.2.1.1)", () => {
    // A NOTIFY to a watcher that SUBSCRIBEd straight to the bridge: no Record-Route, so no Route.
    const text = inDialog("sip:1999@127.0.0.1:40001;transport=udp", "<sip:1999@localhost>;tag=w1");
    expect(hopOf(text, PROXY)).toEqual({ target: { host: "127.0.0.1", port: 40001, transport: "udp", secure: false }, source: "request-uri", uri: "sip:1999@127.0.0.1:40001;transport=udp" });
  });

  it("sends a request within a dialog to the top Route of its route set, not to the outbound proxy", () => {
    const text = inDialog("sip:1999@127.0.0.1:40001", "\"Bob\" <sip:1999@localhost>;tag=w1", "Route: <sip:127.0.0.9:5090;lr;ftag=x>\r\n");
    expect(hopOf(text, PROXY)).toEqual({ target: { host: "127.0.0.9", port: 5090, transport: undefined, secure: false }, source: "route", uri: "sip:127.0.0.9:5090;lr;ftag=x" });
  });

  it("tells a To tag from a tag inside the URI or the display name", () => {
    const to = (value: string): boolean => {
      const scanned = scanMessage(request("sip:bob@127.0.0.5", `To: ${value}\r\n`));
      if (!scanned) throw new Error("no scan");
      return isInDialog(scanned);
    };
    expect(to("<sip:bob@example.com>;tag=a1")).toBe(true);
    expect(to("sip:bob@example.com ; TAG = a1")).toBe(true);
    expect(to("<sip:bob@example.com>;tag=a1;x=y")).toBe(true);
    expect(to("<sip:bob@example.com;tag=a1>")).toBe(false);
    expect(to("\"x;tag=a1 >\" <sip:bob@example.com>")).toBe(false);
    expect(to("<sip:bob@example.com>;tagx=1")).toBe(false);
    expect(to("<sip:bob@example.com>")).toBe(false);
    expect(isInDialog(scanMessage(request("sip:bob@127.0.0.5")) ?? (() => { throw new Error("no scan"); })())).toBe(false);
  });

  it("reads sips, maddr, IPv6 and user parts with '?' from URIs", () => {
    expect(targetOfUri("sips:alice@example.com")).toEqual({ host: "example.com", port: undefined, transport: undefined, secure: true });
    expect(targetOfUri("sip:x@example.com;maddr=127.0.0.7")?.host).toBe("127.0.0.7");
    expect(targetOfUri("sip:[::1]:5070;transport=tcp")).toEqual({ host: "[::1]", port: 5070, transport: "tcp", secure: false });
    expect(targetOfUri("sip:crazy?,/;;*:&pw@example.com:5070")?.port).toBe(5070);
    expect(targetOfUri("tel:+15551234")).toBeUndefined();
  });
});

describe("RFC 3263 resolution", () => {
  const enabled = ["udp", "tcp", "tls"] as const;

  it("uses a numeric host directly, with the default port per transport", async () => {
    const dns = fakeDns({});
    expect(await resolveTarget({ host: "127.0.0.1", port: undefined, transport: "tcp", secure: false }, enabled, dns))
      .toEqual([{ protocol: "tcp", address: "127.0.0.1", port: 5060, serverName: "127.0.0.1" }]);
    expect(await resolveTarget({ host: "127.0.0.1", port: undefined, transport: undefined, secure: true }, enabled, dns))
      .toEqual([{ protocol: "tls", address: "127.0.0.1", port: 5061, serverName: "127.0.0.1" }]);
    expect(dns.queries).toEqual([]);
  });

  it("follows NAPTR to SRV to A, filtered to our transports and sorted", async () => {
    const dns = fakeDns({
      naptr: { "example.com": [
        { flags: "s", service: "SIP+D2T", replacement: "_sip._tcp.example.com", order: 10, preference: 10 },
        { flags: "s", service: "SIP+D2U", replacement: "_sip._udp.example.com", order: 20, preference: 10 },
      ] },
      srv: { "_sip._tcp.example.com": [
        { name: "b.example.com", port: 5070, priority: 20, weight: 0 },
        { name: "a.example.com", port: 5060, priority: 10, weight: 0 },
      ] },
      a: { "a.example.com": ["127.0.0.11"], "b.example.com": ["127.0.0.12"] },
    });
    expect(await resolveTarget({ host: "example.com", port: undefined, transport: undefined, secure: false }, ["udp", "tcp"], dns)).toEqual([
      { protocol: "tcp", address: "127.0.0.11", port: 5060, serverName: "example.com" },
      { protocol: "tcp", address: "127.0.0.12", port: 5070, serverName: "example.com" },
    ]);
  });

  it("without NAPTR, tries SRV per transport in our order, then A with the default port", async () => {
    const srvOnly = fakeDns({ srv: { "_sip._tcp.example.org": [{ name: "sip.example.org", port: 5080, priority: 0, weight: 0 }] }, a: { "sip.example.org": ["127.0.0.20"] } });
    expect(await resolveTarget({ host: "example.org", port: undefined, transport: undefined, secure: false }, ["udp", "tcp"], srvOnly))
      .toEqual([{ protocol: "tcp", address: "127.0.0.20", port: 5080, serverName: "example.org" }]);
    expect(srvOnly.queries).toEqual(["NAPTR example.org", "SRV _sip._udp.example.org", "SRV _sip._tcp.example.org", "A sip.example.org"]);

    const aOnly = fakeDns({ a: { "example.net": ["127.0.0.30"] } });
    expect(await resolveTarget({ host: "example.net", port: undefined, transport: "udp", secure: false }, enabled, aOnly))
      .toEqual([{ protocol: "udp", address: "127.0.0.30", port: 5060, serverName: "example.net" }]);
    expect(aOnly.queries).toEqual(["SRV _sip._udp.example.net", "A example.net"]);
  });

  it("skips SRV when the URI has a port, and finds nothing for a transport we do not run", async () => {
    const dns = fakeDns({ a: { "proxy.example.com": ["127.0.0.40"] } });
    expect(await resolveTarget({ host: "proxy.example.com", port: 5099, transport: "tcp", secure: false }, enabled, dns))
      .toEqual([{ protocol: "tcp", address: "127.0.0.40", port: 5099, serverName: "proxy.example.com" }]);
    expect(dns.queries).toEqual(["A proxy.example.com"]);
    expect(await resolveTarget({ host: "127.0.0.1", port: 5061, transport: undefined, secure: true }, ["udp", "tcp"], dns)).toEqual([]);
  });
});
