/**
 * RFC 4475 torture messages against sip.js's parser, our framing and a running
 * transport + UserAgent over UDP and TCP on loopback.
 */
import { createHash } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Core } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureDir, loadSource, type TortureMessage } from "../../fixtures/rfc4475/build.js";
import { StreamFramer } from "../../../src/sip/transport/framing.js";
import { checkRequest, checkResponse } from "../../../src/sip/transport/validate.js";
import { scanMessage } from "../../../src/sip/transport/wire.js";
import { captureLogger, LOOPBACK, startAgent, stopAgents, until, type TestAgent } from "./helpers.js";

const messages = loadSource();
const byName = new Map(messages.map((m) => [m.name, m]));

/** SHA-256 of the RFC 4475 Appendix A archive members (published by an independent decode of the archive). */
const ARCHIVE_SHA256: Readonly<Record<string, string>> = {
  wsinv: "d6f6cdee99cd0a1f8e3d9a0fdd67c877700e19ab86d8186dada06f61260e3e61",
  intmeth: "b957a8292c1c0a9851fe94705b90f94320738f43aacde64998e401f742ef688d",
  esc01: "be3a316d4ce5f69cad474646191e390dd4b50fc8371e44b5197fe1237781973e",
  escnull: "263fe2ecd12a5ccbb6c67b3174e9211d11da9b600e7d69666a86d2ee42873e90",
  esc02: "9a9c59449f00327b02071feafc8e5c2a261c98c818044167894cc17809a12199",
  lwsdisp: "d1b36b6316c12824f6f04bf6b1fd1f021cade9b74871693b9c3474cd9fa7f4e6",
  longreq: "185739292bc676760e5b1cca77c87705aa570240171c506ad76f8c35af0ecdaa",
  dblreq: "a6be48426565c2a705389c4ce2ea17e57b891cb13f80490a2cb9392c797b46ef",
  semiuri: "87bbaed6b4b354dbd3c5c7a20e66686303c63e43a0aa19b89de1ac75231611a2",
  transports: "33b4553a3b9418121b099ff07882535151edd6a1e81898c63a916aad2cbf90bc",
  mpart01: "92147c8e24997bac59629e1b163767697d0d6d499af87f89e325d69968bec3ba",
  unreason: "4f939d6ebf4817eea70f011d3209e83732872ffc20ffd304b244084dc392f4d7",
  noreason: "07e11e470a69fffa3674de805e5165d1351a9439a91045ee70c9570ea24ab4fe",
};

/** What a UAS answers to each request the transport refuses (RFC 4475's expectation per message). */
const EXPECTED_STATUS: Readonly<Record<string, number>> = { badvers: 505, unkscm: 416, novelsc: 416, bext01: 420 };
const expectedStatus = (m: TortureMessage): number => EXPECTED_STATUS[m.name] ?? 400;

const isRefused = (m: TortureMessage): boolean =>
  m.kind === "invalid" || ["unkscm", "novelsc", "bext01", "unksm2"].includes(m.name);

/** The UDP view of a message: the bytes up to Content-Length (RFC 3261 §18.3), as text. */
function datagramText(m: TortureMessage): string {
  const end = m.bytes.indexOf("\r\n\r\n") + 4;
  const scanned = scanMessage(m.bytes.subarray(0, end).toString("utf8"));
  const length = scanned?.headers.find((h) => h.name === "content-length")?.value ?? "";
  const body = /^\d+$/.test(length) ? m.bytes.subarray(end, end + Number(length)) : m.bytes.subarray(end);
  return m.bytes.subarray(0, end).toString("utf8") + body.toString("utf8");
}

const callIdOf = (m: TortureMessage): string =>
  /^(?:call-id|i)[ \t]*:[ \t]*(.*)$/im.exec(m.bytes.toString("latin1"))?.[1]?.trim() ?? "";

const sipLogger = (() => {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  return factory.getLogger("test");
})();

describe("RFC 4475 fixtures", () => {
  it("are the expansion of rfc4475.txt, 49 messages", () => {
    expect(messages).toHaveLength(49);
    for (const m of messages) expect(readFileSync(join(fixtureDir, `${m.name}.dat`)).equals(m.bytes), m.name).toBe(true);
  });

  it("match the RFC's archive byte for byte where its hashes are published", () => {
    for (const [name, sha] of Object.entries(ARCHIVE_SHA256)) {
      const bytes = byName.get(name)?.bytes ?? Buffer.alloc(0);
      expect(createHash("sha256").update(bytes).digest("hex"), name).toBe(sha);
    }
  });
});

describe("RFC 4475 valid messages", () => {
  const valid = messages.filter((m) => m.kind === "valid" || m.kind === "valid-udp");

  it.each(valid.map((m) => [m.name, m] as const))("%s parses in sip.js and passes our checks", (_name, m) => {
    const text = datagramText(m);
    expect(Core.Parser.parseMessage(text, sipLogger)).toBeDefined();
    const scanned = scanMessage(text);
    if (!scanned) throw new Error("no scan");
    const body = Buffer.byteLength(text.slice(scanned.bodyStart), "utf8");
    expect(scanned.isResponse ? checkResponse(scanned) : checkRequest(scanned, body, new Set(["outbound"]))).toBeUndefined();
  });

  it.each(valid.filter((m) => m.kind === "valid").map((m) => [m.name, m] as const))(
    "%s is framed from a stream fed one byte at a time",
    (_name, m) => {
      const framer = new StreamFramer(65_536);
      const events: string[] = [];
      const frames: Buffer[] = [];
      for (let i = 0; i < m.bytes.length; i++) {
        for (const event of framer.push(m.bytes.subarray(i, i + 1))) {
          events.push(event.type);
          if (event.type === "message") frames.push(event.bytes);
        }
      }
      expect(frames[0]?.toString("utf8")).toBe(datagramText(m));
      // dblreq is a datagram test: on a stream its trailing octets frame an INVITE and then junk without Content-Length.
      expect(events).toEqual(m.name === "dblreq" ? ["message", "message", "error"] : ["message"]);
    },
  );
});

/** Collects every response arriving on a socket. */
class ResponseLog {
  readonly responses: string[] = [];
  find(m: TortureMessage): string | undefined {
    const callId = callIdOf(m);
    const cseq = /^cseq[ \t]*:[ \t]*(.*)$/im.exec(m.bytes.toString("latin1"))?.[1]?.trim() ?? "";
    return this.responses.find((r) => (callId === "" ? r.includes(`CSeq: ${cseq}`) : r.includes(`Call-ID: ${callId}\r\n`)));
  }
}

const statusOf = (response: string | undefined): number => Number(/^SIP\/2\.0 (\d{3})/.exec(response ?? "")?.[1] ?? 0);

describe.each(["udp", "tcp"] as const)("RFC 4475 against a running transport and UserAgent over %s", (protocol) => {
  const log = captureLogger();
  let bob: TestAgent | undefined;
  let udp: UdpSocket | undefined;
  const received = new ResponseLog();

  beforeAll(async () => {
    // forceRport: the messages' Vias name 192.0.2.x sent-by hosts without rport; answer the real source.
    bob = await startAgent("bob", protocol, { forceRport: true, logger: log });
    if (protocol === "udp") {
      udp = createSocket("udp4");
      udp.on("message", (bytes) => received.responses.push(bytes.toString("utf8")));
      await new Promise<void>((resolve) => udp?.bind(0, LOOPBACK, resolve));
    }
  });
  afterAll(async () => {
    udp?.close();
    await stopAgents(bob);
  });

  /** Sends a message the way the transport would get it and returns the first response to it, if any. */
  async function exchange(m: TortureMessage, expectAnswer: boolean): Promise<string | undefined> {
    const port = bob?.port ?? 0;
    if (protocol === "udp") {
      udp?.send(m.bytes, port, LOOPBACK);
      if (!expectAnswer) return undefined;
      await until(() => received.find(m) !== undefined, `an answer to ${m.name}`);
      return received.find(m);
    }
    const socket: Socket = connect({ host: LOOPBACK, port, allowHalfOpen: true });
    const framer = new StreamFramer(65_536);
    const answers: string[] = [];
    socket.on("data", (chunk: Buffer) => {
      for (const e of framer.push(chunk)) if (e.type === "message") answers.push(e.bytes.toString("utf8"));
    });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    // RFC 4475 §3.1.2.2: over a stream, a short body only shows when the sender stops sending.
    socket.end(m.bytes);
    if (expectAnswer) await until(() => answers.length > 0, `an answer to ${m.name}`);
    socket.destroy();
    return answers[0];
  }

  const refused = messages.filter(isRefused);
  it.each(refused.map((m) => [m.name, m] as const))("refuses %s with the RFC's status", async (_name, m) => {
    const response = await exchange(m, true);
    expect(statusOf(response)).toBe(expectedStatus(m));
  });

  const requests = messages.filter((m) => (m.kind === "valid" || m.kind === "semantic" || (m.kind === "valid-udp" && protocol === "udp"))
    && !isRefused(m) && !m.bytes.toString("latin1").startsWith("SIP/2.0"));
  it.each(requests.map((m) => [m.name, m] as const))("passes %s to sip.js, which answers it", async (_name, m) => {
    const response = await exchange(m, true);
    const status = statusOf(response);
    expect(status).toBeGreaterThanOrEqual(200);
    expect(log.lines.filter((l) => l.event === "sip.request.rejected" && l.fields?.callId === callIdOf(m))).toEqual([]);
  });

  const badResponses = messages.filter((m) => m.kind === "invalid-response");
  it.each(badResponses.map((m) => [m.name, m] as const))("drops the malformed response %s", async (_name, m) => {
    await exchange(m, false);
    await until(() => log.lines.some((l) => l.event === "sip.response.dropped" && l.fields?.callId === callIdOf(m)), "the drop");
  });

  it("still answers a normal OPTIONS after the torture run", async () => {
    const options = Buffer.from([
      `OPTIONS sip:bob@${LOOPBACK}:${bob?.port} SIP/2.0`,
      `Via: SIP/2.0/${protocol.toUpperCase()} ${LOOPBACK};branch=z9hG4bK-after-torture-${protocol};rport`,
      "Max-Forwards: 70", `To: <sip:bob@${LOOPBACK}>`, "From: <sip:alice@127.0.0.1>;tag=a1",
      `Call-ID: after-torture-${protocol}`, "CSeq: 1 OPTIONS", "Content-Length: 0", "", "",
    ].join("\r\n"));
    const message: TortureMessage = { name: "options", section: "-", kind: "valid", bytes: options };
    expect(statusOf(await exchange(message, true))).toBe(200);
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});
