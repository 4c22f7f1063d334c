/**
 * The link over a real loopback socket, against a scripted XEP-0114 server: what
 * only a socket shows (bytes split across TCP segments, writes joined per event-loop turn).
 */
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AddressedPresence } from "../../../../src/gateway/ports.js";
import { ComponentLink } from "../../../../src/xmpp/component/link.js";
import { ManualClock, memoryLogger } from "./fakes.js";

const DOMAIN = "sip.example.com";
const SECRET = "s3cret";

/** Accepts one component, checks its handshake (XEP-0114 §3), then hands the socket to the test. */
function scriptedServer(onReady: (socket: Socket, chunks: string[]) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let input = "";
    socket.on("data", (chunk) => {
      input += chunk.toString();
      if (input.includes("<stream:stream") && !input.includes("sent-header")) {
        input += "sent-header";
        socket.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='abc123' from='${DOMAIN}'>`);
      }
      const handshake = /<handshake>([0-9a-f]+)<\/handshake>/.exec(input);
      if (handshake !== null && !input.includes("handshook")) {
        input += "handshook";
        const expected = createHash("sha1").update(`abc123${SECRET}`).digest("hex");
        if (handshake[1] !== expected) return void socket.end("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
        socket.write("<handshake/>");
        const chunks: string[] = [];
        socket.on("data", (more) => chunks.push(more.toString("utf8")));
        onReady(socket, chunks);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe("ComponentLink on a socket", () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });

  it("reads a UTF-8 character split across two TCP segments intact", async () => {
    const stanza = Buffer.from("<presence from='juliet@capulet.lit/b' to='1001@sip.example.com'><status>Grüße aus Verona</status></presence>");
    const split = stanza.indexOf(Buffer.from("ü")) + 1; // inside the two bytes of ü
    const { server, port } = await scriptedServer((socket) => {
      socket.write(stanza.subarray(0, split));
      setTimeout(() => socket.write(stanza.subarray(split)), 50);
    });
    const link = new ComponentLink({ service: `xmpp://127.0.0.1:${port}`, domain: DOMAIN, secret: SECRET, clock: new ManualClock(), logger: memoryLogger(), keepalive: false });
    cleanup = async () => {
      await link.stop();
      server.close();
    };
    const received = new Promise<AddressedPresence>((resolve) => link.onPresence(resolve));
    expect(await link.start()).toEqual({ ok: true, value: undefined });
    expect((await received).status).toEqual({ "": "Grüße aus Verona" });
  });

  it("sends the stanzas of one event-loop turn in one write", async () => {
    let chunks: string[] = [];
    const { server, port } = await scriptedServer((_socket, seen) => {
      chunks = seen;
    });
    const link = new ComponentLink({ service: `xmpp://127.0.0.1:${port}`, domain: DOMAIN, secret: SECRET, clock: new ManualClock(), logger: memoryLogger(), keepalive: false });
    cleanup = async () => {
      await link.stop();
      server.close();
    };
    expect(await link.start()).toEqual({ ok: true, value: undefined });
    for (const show of ["away", "xa", "dnd"] as const) {
      link.sendPresence({ from: `1001@${DOMAIN}`, to: "juliet@capulet.lit", type: "available", show, status: {}, priority: 0 } as never);
    }
    await expect.poll(() => chunks.join("").match(/<presence /g)?.length ?? 0).toBe(3);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/<show>away<\/show>.*<show>xa<\/show>.*<show>dnd<\/show>/);
  });
});
