/**
 * RFC 3261 §18.3 stream framing: a message ends Content-Length *bytes* after the
 * empty line. Also RFC 5626 §4.4.1 keep-alives between messages.
 */

export type FrameEvent =
  | { readonly type: "message"; readonly bytes: Buffer }
  /** A CRLFCRLF ping: answer with one CRLF. */
  | { readonly type: "ping" }
  /** The stream cannot be framed any more; `head` is the header block when there was one (for a 400). */
  | { readonly type: "error"; readonly code: FrameErrorCode; readonly head: Buffer | undefined };

export type FrameErrorCode = "missing-content-length" | "bad-content-length" | "message-too-large";

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CR = 13;
const LF = 10;

/** Content-Length header fields of a header block (latin1 text, folding allowed around the colon). */
function contentLengths(head: string): string[] {
  const values: string[] = [];
  const field = /\r\n(?:content-length|l)[ \t]*:[ \t]*((?:[^\r]|\r\n[ \t])*)/gi;
  for (const m of `\r\n${head}`.matchAll(field)) values.push((m[1] ?? "").replace(/\r\n[ \t]+/g, " ").trim());
  return values;
}

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Where the search for CRLFCRLF resumes: bytes before it have been searched. */
  private scanned = 0;
  private failed = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes received that are not yet a whole message. */
  get buffered(): number {
    return this.len;
  }

  /** The header block of the incomplete message in the buffer, if it has one. */
  pendingHead(): Buffer | undefined {
    const data = this.buf.subarray(0, this.len);
    const end = data.indexOf(CRLFCRLF);
    return end < 0 ? undefined : data.subarray(0, end + 4);
  }

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.append(chunk);
    const events: FrameEvent[] = [];
    for (;;) {
      const event = this.next();
      if (event === undefined) return events;
      events.push(event);
      if (event.type === "error") {
        this.failed = true;
        return events;
      }
    }
  }

  private append(chunk: Buffer): void {
    if (this.len + chunk.length > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.len + chunk.length, 1024));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  private consume(n: number): void {
    this.buf.copy(this.buf, 0, n, this.len);
    this.len -= n;
    this.scanned = 0;
  }

  private next(): FrameEvent | undefined {
    const data = this.buf.subarray(0, this.len);
    // RFC 5626 §4.4.1 / RFC 3261 §7.5: CRLFs between messages are keep-alives, not messages.
    if (data.length >= 4 && data.subarray(0, 4).equals(CRLFCRLF)) {
      this.consume(4);
      return { type: "ping" };
    }
    if (data.length >= 2 && data[0] === CR && data[1] === LF) {
      if (data.length < 4 && (data.length === 2 || data[2] === CR)) return undefined; // maybe half a ping
      this.consume(2); // a pong
      return this.next();
    }
    const end = data.indexOf(CRLFCRLF, Math.max(0, this.scanned - 3));
    if (end < 0) {
      this.scanned = data.length;
      return data.length > this.maxMessageBytes ? { type: "error", code: "message-too-large", head: undefined } : undefined;
    }
    const head = data.subarray(0, end + 4);
    const lengths = contentLengths(head.toString("latin1"));
    if (lengths.length === 0) return { type: "error", code: "missing-content-length", head };
    if (lengths.length > 1 || !/^\d{1,10}$/.test(lengths[0] ?? "")) {
      return { type: "error", code: "bad-content-length", head };
    }
    const total = head.length + Number(lengths[0]);
    if (total > this.maxMessageBytes) return { type: "error", code: "message-too-large", head };
    if (data.length < total) {
      this.scanned = end;
      return undefined;
    }
    const bytes = Buffer.from(data.subarray(0, total));
    this.consume(total);
    return { type: "message", bytes };
  }
}
