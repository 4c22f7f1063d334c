/** SipStack: requests with any From, the incoming-request hook before the core, the R-URI work-around. */
import { afterEach, describe, expect, it } from "vitest";
import { SipStack, type RequestDisposition } from "../../../src/sip/stack.js";
import type { SipProtocol } from "../../../src/sip/transport/index.js";
import { captureLogger, LOOPBACK } from "./helpers.js";

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

async function stack(name: string, protocol: SipProtocol): Promise<SipStack> {
  const s = await SipStack.start({
    transport: { [protocol]: { host: LOOPBACK, port: 0 }, preferredTransport: protocol },
    aor: `sip:${name}@${LOOPBACK}`,
    version: "0.0.0-test",
    logger: captureLogger(),
  });
  stacks.push(s);
  return s;
}

const target = (s: SipStack, user: string): string => s.contactUri.replace(/^sip:[^@]*@/, `sip:${user}@`);

describe.each<SipProtocol>(["udp", "tcp"])("SipStack over %s", (protocol) => {
  it("sends with any From, Via host:port with rport, our User-Agent and no Supported: outbound", async () => {
    const gw = await stack("gw", protocol);
    const pbx = await stack("pbx", protocol);
    const seen: { method: string; from: string; userAgent?: string; supported?: string; via?: string }[] = [];
    pbx.onIncomingRequest((request) => {
      seen.push({
        method: request.method, from: request.from.uri.toString(), userAgent: request.getHeader("user-agent"),
        supported: request.getHeader("supported"), via: request.getHeader("via"),
      });
      pbx.serverTransaction(request).accept({ statusCode: 200, extraHeaders: ["SIP-ETag: e1"] });
      return "handled";
    });
    const message = gw.makeRequest({
      method: "PUBLISH", requestUri: target(pbx, "1001"), from: `sip:1001@${LOOPBACK}`,
      extraHeaders: ["Event: presence", "Expires: 60"], body: { contentType: "application/pidf+xml", content: "<presence/>" },
    });
    const outcome = await gw.send(message);
    expect(seen).toEqual([{
      method: "PUBLISH", from: `sip:1001@${LOOPBACK}`, userAgent: "presence-bridge/0.0.0-test", // sip.js always writes Supported; empty is allowed (RFC 3261 §20.37) and drops its "outbound".
      supported: "",
      via: expect.stringMatching(new RegExp(`^SIP/2\\.0/${protocol.toUpperCase()} 127\\.0\\.0\\.1:${gw.transport.address(protocol)?.port};branch=z9hG4bK[\\w-]{16};rport=\\d+;received=127\\.0\\.0\\.1$`)),
    }]);
    expect(outcome.statusCode).toBe(200);
    expect(outcome.localFailure).toBeUndefined();
    expect(outcome.response.getHeader("sip-etag")).toBe("e1");
  });

  it("hands out-of-dialog requests to hooks before the core; to-core skips the R-URI user check", async () => {
    const gw = await stack("gw", protocol);
    const pbx = await stack("pbx", protocol);
    const calls: string[] = [];
    const decide: Record<string, RequestDisposition> = { alice: "pass", bob: "to-core" };
    pbx.onIncomingRequest((request) => {
      calls.push(`first:${request.ruri?.user ?? ""}`);
      return decide[request.ruri?.user ?? ""] ?? "pass";
    });
    pbx.onIncomingRequest((request) => {
      calls.push(`second:${request.ruri?.user ?? ""}`);
      return "pass";
    });
    const options = async (user: string): Promise<number> =>
      (await gw.send(gw.makeRequest({ method: "OPTIONS", requestUri: target(pbx, user) }))).statusCode;
    // Nobody claims alice: the core's own check answers 404 (not our user).
    expect(await options("alice")).toBe(404);
    // bob goes to the core with the check bypassed: OPTIONS is answered 200.
    expect(await options("bob")).toBe(200);
    // The stack's own user passes every hook and the core accepts it.
    expect(await options("pbx")).toBe(200);
    expect(calls).toEqual(["first:alice", "second:alice", "first:bob", "first:pbx", "second:pbx"]);
  });

  it("answers 500 when a hook throws, and keeps serving", async () => {
    const gw = await stack("gw", protocol);
    const pbx = await stack("pbx", protocol);
    let first = true;
    pbx.onIncomingRequest(() => {
      if (first) {
        first = false;
        throw new Error("boom");
      }
      return "to-core";
    });
    const send = async (): Promise<number> => (await gw.send(gw.makeRequest({ method: "OPTIONS", requestUri: target(pbx, "x") }))).statusCode;
    expect(await send()).toBe(500);
    expect(await send()).toBe(200);
  });
});

describe("SipStack failures", () => {
  it("reports a refused TCP connection as a local transport error (503)", async () => {
    const gw = await stack("gw", "tcp");
    const outcome = await gw.send(gw.makeRequest({ method: "OPTIONS", requestUri: `sip:x@${LOOPBACK}:9;transport=tcp` }));
    expect(outcome.statusCode).toBe(503);
    expect(outcome.localFailure).toBe("transport-error");
  });

  it("answers a stopped stack's sends with a local 503 at once", async () => {
    const gw = await stack("gw", "udp");
    await gw.stop();
    const outcome = await gw.send(gw.makeRequest({ method: "OPTIONS", requestUri: `sip:x@${LOOPBACK}:9` }));
    expect(outcome).toMatchObject({ statusCode: 503, localFailure: "transport-error" });
  });
});
