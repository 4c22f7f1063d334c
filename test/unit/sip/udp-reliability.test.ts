/** RFC 3261 §17 over UDP: what the transport adds because sip.js assumes a reliable transport. */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import type { Core} from "sip.js";
import { Messager, Subscriber, UserAgent } from "sip.js";
import { afterEach, describe, expect, it } from "vitest";
import { Retransmitter } from "../../../src/sip/transport/retransmit.js";
import { captureLogger, LOOPBACK, ManualClock, pidf, startAgent, stopAgents, TestNotifierDialog, until, type TestAgent } from "./helpers.js";

async function udpSocket(onMessage: (bytes: Buffer, port: number) => void): Promise<UdpSocket & { port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (bytes, info) => onMessage(bytes, info.port));
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
  return Object.assign(socket, { port: socket.address().port });
}

describe("Retransmitter (Timer E/F, RFC 3261 §17.1.2.2)", () => {
  it("doubles from T1 to T2, stays at T2 once a provisional arrives, and gives up at 64*T1", () => {
    const clock = new ManualClock();
    const sent: number[] = [];
    let timeouts = 0;
    const retransmitter = new Retransmitter(clock, 500, 4_000);
    retransmitter.start("b1|SUBSCRIBE", { invite: false, resend: () => sent.push(clock.now()), onTimeout: () => timeouts++ });
    clock.advance(8_000);
    expect(sent).toEqual([500, 1_500, 3_500, 7_500]);
    clock.advance(24_000);
    expect(sent).toEqual([500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(timeouts).toBe(1);
    expect(retransmitter.size).toBe(0);

    retransmitter.start("b2|PUBLISH", { invite: false, resend: () => sent.push(clock.now()), onTimeout: () => timeouts++ });
    sent.length = 0;
    clock.advance(500);
    retransmitter.onResponse("b2|PUBLISH", 100);
    clock.advance(10_000);
    expect(sent.map((t) => t - sent[0]!)).toEqual([0, 1_000, 5_000, 9_000]); // 1 s was already armed, then T2
    retransmitter.onResponse("b2|PUBLISH", 200);
    clock.advance(40_000);
    expect(sent).toHaveLength(4);
    expect(timeouts).toBe(1);
  });
});

describe("UDP reliability with real sockets", () => {
  let alice: TestAgent | undefined;
  let bob: TestAgent | undefined;
  const sockets: UdpSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await stopAgents(alice, bob);
    alice = bob = undefined;
  });

  it("recovers a SUBSCRIBE lost on the way: the retransmission after T1 gets the 200 and the NOTIFY", async () => {
    let subscribes = 0;
    bob = await startAgent("bob", "udp", {}, {
      delegate: { onSubscribeRequest: (uas) => {
        subscribes++;
        TestNotifierDialog.accept(bob?.ua.userAgentCore as Core.UserAgentCore, uas, bob?.ua.contact.toString() ?? "", pidf("pres:bob@127.0.0.1", "here"));
      } },
    });
    // A relay between alice and bob that loses alice's first SUBSCRIBE.
    const relayed: string[] = [];
    let alicePort = 0;
    let dropped = 0;
    const relay = await udpSocket((bytes, port) => {
      const text = bytes.toString("utf8");
      if (port === bob?.port) return relay.send(bytes, alicePort, LOOPBACK);
      alicePort = port;
      relayed.push(text);
      if (text.startsWith("SUBSCRIBE") && dropped++ === 0) return;
      relay.send(bytes, bob?.port ?? 0, LOOPBACK);
    });
    sockets.push(relay);
    const clock = new ManualClock();
    alice = await startAgent("alice", "udp", { clock, outboundProxy: `sip:${LOOPBACK}:${relay.port};transport=udp` });

    const notes: string[] = [];
    const subscriber = new Subscriber(alice.ua, UserAgent.makeURI(bob.uri) as never, "presence", { expires: 60 });
    subscriber.delegate = { onNotify: (n) => { notes.push(n.request.body); void n.accept(); } };
    await subscriber.subscribe();
    await until(() => dropped === 1, "the lost SUBSCRIBE");
    expect(subscribes).toBe(0);
    clock.advance(500); // Timer E fires at T1
    await until(() => notes.length === 1, "the NOTIFY after the retransmission");
    const subscribeCopies = relayed.filter((t) => t.startsWith("SUBSCRIBE"));
    expect(subscribeCopies).toHaveLength(2);
    expect(subscribeCopies[1]).toBe(subscribeCopies[0]);
    expect(subscribes).toBe(1);
  });

  it("reports Timer F to sip.js as a 408 after 64*T1 of silence, having retransmitted 10 times", async () => {
    const received: string[] = [];
    const blackHole = await udpSocket((bytes) => received.push(bytes.toString("utf8")));
    sockets.push(blackHole);
    const clock = new ManualClock();
    alice = await startAgent("alice", "udp", { clock });
    let status = 0;
    await new Messager(alice.ua, UserAgent.makeURI(`sip:nobody@${LOOPBACK}:${blackHole.port};transport=udp`) as never, "hello")
      .message({ requestDelegate: { onReject: (response) => { status = response.message.statusCode ?? 0; } } });
    await until(() => received.length === 1, "the MESSAGE");
    clock.advance(32_000);
    await until(() => status !== 0, "the timeout");
    expect(status).toBe(408);
    await until(() => received.length === 11, "ten retransmissions");
    expect(new Set(received).size).toBe(1);
  });

  it("answers a retransmitted SUBSCRIBE from the Timer J cache: same 200, one dialog", async () => {
    const log = captureLogger();
    let subscribes = 0;
    bob = await startAgent("bob", "udp", { logger: log }, {
      delegate: { onSubscribeRequest: (uas) => {
        subscribes++;
        TestNotifierDialog.accept(bob?.ua.userAgentCore as Core.UserAgentCore, uas, bob?.ua.contact.toString() ?? "", pidf("pres:bob@127.0.0.1", "here"));
      } },
    });
    const responses: string[] = [];
    const client = await udpSocket((bytes) => {
      const text = bytes.toString("utf8");
      if (text.startsWith("SIP/2.0")) responses.push(text);
    });
    sockets.push(client);
    const subscribe = Buffer.from([
      `SUBSCRIBE sip:bob@${LOOPBACK}:${bob.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${LOOPBACK}:${client.port};branch=z9hG4bK-retransmitted;rport`,
      "Max-Forwards: 70", `To: <sip:bob@${LOOPBACK}>`, `From: <sip:watcher@${LOOPBACK}>;tag=w1`,
      "Call-ID: timer-j-test", "CSeq: 1 SUBSCRIBE", "Event: presence", "Expires: 60",
      `Contact: <sip:watcher@${LOOPBACK}:${client.port}>`, "Content-Length: 0", "", "",
    ].join("\r\n"));
    client.send(subscribe, bob.port, LOOPBACK);
    await until(() => responses.length === 1, "the 200");
    client.send(subscribe, bob.port, LOOPBACK);
    await until(() => responses.length === 2, "the cached 200");
    expect(responses[1]).toBe(responses[0]);
    expect(responses[0]).toMatch(/^SIP\/2\.0 200 /);
    expect(subscribes).toBe(1);
    expect(log.lines.some((l) => l.event === "sip.request.retransmission" && l.fields?.callId === "timer-j-test")).toBe(true);
  });
});
