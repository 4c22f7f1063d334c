/** TCP specifics with real sockets: keep-alive, connection reuse, idle cleanup, bad input. */
import { createSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import { Messager, UserAgent } from "sip.js";
import { afterEach, describe, expect, it } from "vitest";
import { StreamFramer } from "../../../src/sip/transport/framing.js";
import { captureLogger, LOOPBACK, ManualClock, startAgent, stopAgents, until, type TestAgent } from "./helpers.js";

const options = (port: number, callId: string, via: string): string => [
  `OPTIONS sip:bob@${LOOPBACK}:${port} SIP/2.0`, `Via: ${via};branch=z9hG4bK-${callId};rport`, "Max-Forwards: 70",
  `To: <sip:bob@${LOOPBACK}>`, "From: <sip:alice@127.0.0.1>;tag=a1", `Call-ID: ${callId}`, "CSeq: 1 OPTIONS",
  "Content-Length: 0", "", "",
].join("\r\n");

async function tcpClient(port: number): Promise<{ socket: Socket; data: () => string; frames: string[] }> {
  const socket = connect({ host: LOOPBACK, port });
  let data = "";
  const frames: string[] = [];
  const framer = new StreamFramer(65_536);
  socket.on("data", (chunk: Buffer) => {
    data += chunk.toString("utf8");
    for (const e of framer.push(chunk)) if (e.type === "message") frames.push(e.bytes.toString("utf8"));
  });
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  return { socket, data: () => data, frames };
}

describe("TCP transport with real sockets", () => {
  let bob: TestAgent | undefined;
  let alice: TestAgent | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
    await stopAgents(alice, bob);
    alice = bob = undefined;
  });

  it("answers an RFC 5626 CRLFCRLF ping with a CRLF pong, and requests on that connection on it", async () => {
    bob = await startAgent("bob", "tcp");
    const client = await tcpClient(bob.port);
    client.socket.write("\r\n\r\n");
    await until(() => client.data() === "\r\n", "the pong");
    client.socket.write(options(bob.port, "after-ping", `SIP/2.0/TCP ${LOOPBACK}:1`));
    await until(() => client.frames.length === 1, "the 200 on the same connection");
    expect(client.frames[0]).toMatch(/^SIP\/2\.0 200 /);
    client.socket.destroy();
  });

  it("reuses one connection per ip:port for outgoing requests", async () => {
    const accepted: Socket[] = [];
    const requests: string[] = [];
    server = createServer((socket) => {
      accepted.push(socket);
      const framer = new StreamFramer(65_536);
      socket.on("data", (chunk: Buffer) => {
        for (const e of framer.push(chunk)) if (e.type === "message") requests.push(e.bytes.toString("utf8"));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, LOOPBACK, resolve));
    const port = (server.address() as { port: number }).port;
    alice = await startAgent("alice", "tcp");
    const target = UserAgent.makeURI(`sip:carol@${LOOPBACK}:${port};transport=tcp`) as never;
    await new Messager(alice.ua, target, "one").message();
    await new Messager(alice.ua, target, "two").message();
    await until(() => requests.length === 2, "two MESSAGEs");
    expect(accepted).toHaveLength(1);
    expect(requests.map((r) => r.slice(r.indexOf("\r\n\r\n") + 4))).toEqual(["one", "two"]);
  });

  it("closes connections that stay idle past limits.idleTimeoutMs", async () => {
    const clock = new ManualClock();
    bob = await startAgent("bob", "tcp", { clock, limits: { idleTimeoutMs: 60_000 } });
    const client = await tcpClient(bob.port);
    let closed = false;
    client.socket.on("close", () => { closed = true; });
    clock.advance(30_000);
    client.socket.write("\r\n\r\n");
    await until(() => client.data() === "\r\n", "activity");
    clock.advance(40_000); // 40 s after the ping: not idle long enough
    expect(closed).toBe(false);
    clock.advance(20_000);
    await until(() => closed, "the idle close");
  });

  it("answers 400 and closes a stream without Content-Length, and keeps serving others", async () => {
    const log = captureLogger();
    bob = await startAgent("bob", "tcp", { logger: log });
    const bad = await tcpClient(bob.port);
    let closed = false;
    bad.socket.on("close", () => { closed = true; });
    bad.socket.write(options(bob.port, "no-length", `SIP/2.0/TCP ${LOOPBACK}:1`).replace("Content-Length: 0\r\n", ""));
    await until(() => bad.frames.length === 1 && closed, "the 400 and the close");
    expect(bad.frames[0]).toMatch(/^SIP\/2\.0 400 /);
    const good = await tcpClient(bob.port);
    good.socket.write(options(bob.port, "still-serving", `SIP/2.0/TCP ${LOOPBACK}:1`));
    await until(() => good.frames.length === 1, "the 200");
    expect(good.frames[0]).toMatch(/^SIP\/2\.0 200 /);
    good.socket.destroy();
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("drops garbage datagrams and CRLF keep-alives over UDP without answering, and keeps serving", async () => {
    const log = captureLogger();
    bob = await startAgent("bob", "udp", { logger: log });
    const answers: string[] = [];
    const client = createSocket("udp4");
    client.on("message", (bytes) => answers.push(bytes.toString("utf8")));
    await new Promise<void>((resolve) => client.bind(0, LOOPBACK, resolve));
    const port = bob.port;
    for (const junk of ["\r\n\r\n", "\r\n", "\u0000\u0001\u00ff garbage", "INVITE\r\n\r\n", "SIP/2.0 200 OK\r\n\r\n"]) {
      client.send(Buffer.from(junk, "latin1"), port, LOOPBACK);
    }
    client.send(options(port, "udp-after-junk", `SIP/2.0/UDP ${LOOPBACK}:${client.address().port}`), port, LOOPBACK);
    await until(() => answers.length === 1, "the 200");
    expect(answers[0]).toMatch(/^SIP\/2\.0 200 /);
    client.close();
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});
