import { describe, expect, it } from "vitest";
import { parseVia, responseTarget, stampTopVia, topVia, transactionKey } from "../../../src/sip/transport/via.js";
import { scanMessage, type ScannedMessage } from "../../../src/sip/transport/wire.js";

const request = (via: string, extra = ""): string =>
  `OPTIONS sip:bob@example.com SIP/2.0\r\n${via}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: 0009 OPTIONS\r\n${extra}Content-Length: 0\r\n\r\n`;
const scan = (text: string): ScannedMessage => {
  const scanned = scanMessage(text);
  if (!scanned) throw new Error("no scan");
  return scanned;
};
const stampedVia = (text: string, ip: string, port: number, force = false): string =>
  /^Via: .*$/m.exec(stampTopVia(text, scan(text), ip, port, force))?.[0] ?? "";

describe("Via handling (RFC 3261 §18.2, RFC 3581)", () => {
  it("RFC 3581 §4: fills rport and adds received even when the host matches", () => {
    const text = request("Via: SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1;rport");
    expect(stampedVia(text, "192.0.2.1", 9988)).toBe("Via: SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1;rport=9988;received=192.0.2.1");
    const same = request("Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1;rport");
    expect(stampedVia(same, "127.0.0.1", 5070)).toBe("Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1;rport=5070;received=127.0.0.1");
  });

  it("RFC 3261 §18.2.1: received only when sent-by differs, no rport unless asked (or forced)", () => {
    expect(stampedVia(request("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1"), "127.0.0.1", 5060)).toBe(
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1");
    expect(stampedVia(request("Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1"), "127.0.0.1", 4000)).toBe(
      "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1;received=127.0.0.1");
    expect(stampedVia(request("Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1"), "127.0.0.1", 4000, true)).toBe(
      "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1;rport=4000;received=127.0.0.1");
  });

  it("stamps only the first value of a folded, comma-joined, compact Via and keeps the rest", () => {
    const text = request("v:  SIP  / 2.0  / UDP  h1.example.com ;\r\n  branch  =   z9hG4bK9 ,\r\n SIP/2.0/TCP h2.example.com;branch=z9hG4bK8");
    const stamped = stampedVia(text, "127.0.0.1", 7000, true);
    expect(stamped).toBe("Via: SIP/2.0/UDP h1.example.com;branch=z9hG4bK9;rport=7000;received=127.0.0.1, SIP/2.0/TCP h2.example.com;branch=z9hG4bK8");
  });

  it("routes responses by received/rport, else sent-by, else the default port (§18.2.2)", () => {
    const at = (value: string) => {
      const via = parseVia(value);
      if (!via) throw new Error("no via");
      return responseTarget(via);
    };
    expect(at("SIP/2.0/UDP h.example.com:5070;branch=z9hG4bK1;rport=4000;received=127.0.0.2")).toEqual({ transport: "UDP", host: "127.0.0.2", port: 4000 });
    expect(at("SIP/2.0/UDP h.example.com:5070;branch=z9hG4bK1;received=127.0.0.2")).toEqual({ transport: "UDP", host: "127.0.0.2", port: 5070 });
    expect(at("SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK1")).toEqual({ transport: "UDP", host: "127.0.0.3", port: 5060 });
    expect(at("SIP/2.0/TLS [::1];branch=z9hG4bK1")).toEqual({ transport: "TLS", host: "::1", port: 5061 });
  });

  it("keys a request and its response to the same transaction, ACK with its INVITE", () => {
    const req = scan(request("Via: SIP/2.0/UDP h;branch=z9hG4bKabc"));
    const res = scan("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKabc;received=1.2.3.4\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c1\r\nCSeq: 9 OPTIONS\r\n\r\n");
    expect(transactionKey(req)).toBe(transactionKey(res));
    expect(topVia(req)?.host).toBe("h");
    const invite = scan(request("Via: SIP/2.0/UDP h;branch=z9hG4bKi").replace(/OPTIONS/g, "INVITE"));
    const ack = scan(request("Via: SIP/2.0/UDP h;branch=z9hG4bKi").replace(/OPTIONS/g, "ACK"));
    expect(transactionKey(ack)).toBe(transactionKey(invite));
  });
});
