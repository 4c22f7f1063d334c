import { describe, expect, it } from "vitest";
import { parseTrace, publicationState } from "../../../lab/servers/baresip-trace.js";

const PHONE = 5070;
const KAMAILIO = 5060;

/** One message as `baresip -s` writes it into its log (after the colour codes are stripped). */
function traced(direction: "out" | "in", startLine: string, headers: [string, string][], body = ""): string {
  const [from, to] = direction === "out" ? [PHONE, KAMAILIO] : [KAMAILIO, PHONE];
  const head = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`].join("\r\n");
  return `#\nUDP 127.0.0.1:${from} -> 127.0.0.1:${to}\n${head}\r\n\r\n${body}\n`;
}
const publish = (callId: string, options: { ifMatch?: string; expires?: string; body?: string } = {}): string =>
  traced(
    "out",
    "PUBLISH sip:1002@localhost SIP/2.0",
    [["Call-ID", callId], ["CSeq", "7 PUBLISH"], ["Event", "presence"], ["Expires", options.expires ?? "60"], ...(options.ifMatch ? [["SIP-If-Match", options.ifMatch] as [string, string]] : [])],
    options.body ?? "<basic>open</basic>\r\n",
  );
const ok = (callId: string, etag: string): string => traced("in", "SIP/2.0 200 OK", [["Call-ID", callId], ["CSeq", "7 PUBLISH"], ["SIP-ETag", etag]]);

describe("baresip's SIP trace", () => {
  it("reads each message with its direction and body, between other log lines", () => {
    const log = `baresip is ready.\n${publish("c1", { body: "<basic>closed</basic>\r\n" })}presence: ua got event 1 (REGISTER_OK)\n${ok("c1", "A")}`;
    const trace = parseTrace(log, PHONE);
    expect(trace.map((t) => [t.direction, t.message.method ?? t.message.status, t.message.body])).toEqual([
      ["out", "PUBLISH", "<basic>closed</basic>\r\n"],
      ["in", 200, ""],
    ]);
  });

  it("one publication modified in turn: nothing stale", () => {
    const log = publish("c1") + ok("c1", "A") + publish("c2", { ifMatch: "A" }) + ok("c2", "B");
    expect(publicationState(parseTrace(log, PHONE))).toEqual({ pending: 0, etags: ["A", "B"], stale: [] });
  });

  it("baresip 1.0's start race: two initial PUBLISHes, the first answer forgotten", () => {
    const log = publish("c1") + publish("c2") + ok("c1", "A") + ok("c2", "B");
    expect(publicationState(parseTrace(log, PHONE))).toEqual({ pending: 0, etags: ["A", "B"], stale: ["A"] });
  });

  it("counts a PUBLISH without a final answer as pending, and a retransmitted answer once", () => {
    expect(publicationState(parseTrace(publish("c1"), PHONE)).pending).toBe(1);
    const log = publish("c1") + publish("c2") + ok("c1", "A") + ok("c2", "B") + ok("c1", "A");
    expect(publicationState(parseTrace(log, PHONE)).stale).toEqual(["A"]);
  });

  it("a removal (Expires: 0) ends a publication and gives no ETag to keep", () => {
    const log = publish("c1") + ok("c1", "A") + publish("c2", { ifMatch: "A", expires: "0", body: "" }) + ok("c2", "A");
    expect(publicationState(parseTrace(log, PHONE))).toEqual({ pending: 0, etags: ["A"], stale: [] });
  });
});
