import { describe, expect, it } from "vitest";
import { StreamFramer, type FrameEvent } from "../../../src/sip/transport/framing.js";

const notify = (n: number, body: string, lengthHeader = "Content-Length"): string =>
  `NOTIFY sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${n}\r\nCall-ID: c${n}\r\nCSeq: ${n} NOTIFY\r\n` +
  `${lengthHeader}: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function feed(framer: StreamFramer, bytes: Buffer, step: number): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (let i = 0; i < bytes.length; i += step) events.push(...framer.push(bytes.subarray(i, i + step)));
  return events;
}

const messagesOf = (events: FrameEvent[]): string[] =>
  events.flatMap((e) => (e.type === "message" ? [e.bytes.toString("utf8")] : []));

describe("StreamFramer (RFC 3261 §18.3)", () => {
  const body = "<note>Zürich ☕ 東京</note>";

  it("frames by Content-Length in bytes, fed one byte at a time, splitting multi-byte UTF-8", () => {
    const stream = Buffer.from(notify(1, body) + notify(2, "") + notify(3, body, "l"));
    const events = feed(new StreamFramer(65_536), stream, 1);
    expect(messagesOf(events)).toEqual([notify(1, body), notify(2, ""), notify(3, body, "l")]);
  });

  it("frames several messages arriving in one chunk, and a message split across chunks", () => {
    const framer = new StreamFramer(65_536);
    const stream = Buffer.from(notify(1, body) + notify(2, body) + notify(3, body));
    const cut = stream.length - 7;
    expect(messagesOf(framer.push(stream.subarray(0, cut)))).toEqual([notify(1, body), notify(2, body)]);
    expect(framer.buffered).toBeGreaterThan(0);
    expect(messagesOf(framer.push(stream.subarray(cut)))).toEqual([notify(3, body)]);
    expect(framer.buffered).toBe(0);
  });

  it("reports CRLFCRLF pings between messages and skips CRLF pongs (RFC 5626 §4.4.1)", () => {
    const stream = Buffer.from(`\r\n\r\n${notify(1, "")}\r\n${notify(2, "")}\r\n\r\n`);
    const events = feed(new StreamFramer(65_536), stream, 1);
    expect(events.map((e) => e.type)).toEqual(["ping", "message", "message", "ping"]);
  });

  it("refuses a message without Content-Length, with a negative or doubled one, or an absurd one", () => {
    const head = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n";
    const code = (text: string, max = 65_536): string | undefined => {
      const events = new StreamFramer(max).push(Buffer.from(text));
      const last = events[events.length - 1];
      return last?.type === "error" ? last.code : undefined;
    };
    expect(code(`${head}\r\n`)).toBe("missing-content-length");
    expect(code(`${head}Content-Length: -999\r\n\r\n`)).toBe("bad-content-length");
    expect(code(`${head}Content-Length: 13\r\nl: 5\r\n\r\n`)).toBe("bad-content-length");
    expect(code(`${head}Content-Length: 99999999\r\n\r\n`)).toBe("message-too-large");
    expect(code(`${head}X: ${"y".repeat(2000)}`, 1024)).toBe("message-too-large");
  });

  it("stops framing after an error and keeps the header block for the 400", () => {
    const framer = new StreamFramer(65_536);
    const [event] = framer.push(Buffer.from("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n"));
    expect(event?.type === "error" ? event.head?.toString() : undefined).toContain("Call-ID: x");
    expect(framer.push(Buffer.from(notify(1, "")))).toEqual([]);
  });

  it("does not copy the whole buffer for every byte (a 60 KB message byte by byte stays fast)", () => {
    const big = notify(1, "x".repeat(60_000));
    const events = feed(new StreamFramer(65_536), Buffer.from(big), 1);
    expect(messagesOf(events)).toEqual([big]);
  });
});
