/**
 * The fast paths of src/sip/transport/fast-grammar.ts against sip.js's grammar:
 * a table of values per rule (which must take the fast path and which must go
 * to the grammar), and whole messages — real-shaped ones and the RFC 4475
 * torture set — parsed both ways and compared field by field.
 */
import { Core, Grammar } from "sip.js";
import { afterAll, describe, expect, it } from "vitest";
import { BAIL, fastGrammarParse, fastPath, FAST_RULE_NAMES, grammarParse } from "../../../src/sip/transport/fast-grammar.js";
import { parseForSipJs } from "../../../src/sip/transport/sipjs-parser.js";
import { loadSource } from "../../fixtures/rfc4475/build.js";
import { canonical } from "./fast-grammar-arbitraries.js";
import { REAL_MESSAGES } from "./fast-grammar-messages.js";

/** [rule, value, whether the fast path must answer it] */
const TABLE: readonly (readonly [string, string, boolean])[] = [
  ["Request_Response", "NOTIFY sip:gw@192.0.2.10:5070;transport=tcp SIP/2.0", true],
  ["Request_Response", "OPTIONS sip:192.0.2.10:5070 SIP/2.0", true], // the grammar's leaked "password" field
  ["Request_Response", "SUBSCRIBE sips:1001@[2001:db8::1] SIP/2.0", true],
  ["Request_Response", "INVITE sip:alice%40x@example.com SIP/2.0", false],
  ["Request_Response", "INVITE tel:+1234 SIP/2.0", false],
  ["Request_Response", "NOTIFYX sip:a@b SIP/2.0", false],
  ["Request_Response", "SIP/2.0 200 OK", true],
  ["Request_Response", "SIP/2.0 489 Bad Event", true],
  ["Request_Response", "SIP/2.0 200 Très bien", true],
  ["Request_Response", "SIP/2.0 200 100% sure", false],
  ["Request_Response", "SIP/2.0 2000 OK", false],
  ["Via", "SIP/2.0/TCP 192.0.2.20:5060;branch=z9hG4bK7251066a;rport=5060;received=192.0.2.20", true],
  ["Via", "SIP/2.0/UDP pbx.example.com;branch=z9hG4bK1;rport;foo=bar;received=10.0.0.1", true],
  ["Via", "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;alias", true],
  ["Via", "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK1", true],
  ["Via", "SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1;received=::1", false],
  ["Via", "SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/TCP h2;branch=z9hG4bK2", false],
  ["Via", "SIP/2.0/UDP h1;maddr=224.2.0.1;ttl=16", false],
  ["Via", "SIP/2.0/TCPX h1", false],
  ["Via", "SIP/2.0/UDP h1 (comment)", false],
  ["From", "\"Juliet\" <sip:juliet@capulet.lit>;tag=lrj5jc0q3b", true],
  ["From", "Juliet Capulet <sip:juliet@capulet.lit;transport=TCP>;foo;tag=1", true],
  ["From", "sip:sipsak@127.0.1.1:39645;tag=62a51b04", true],
  ["From", "\"\" <sip:a@b>;tag=0", true],
  ["From", "\"J \\\"Jules\\\" C\" <sip:juliet@capulet.lit>", false],
  ["From", "<sip:a@b?subject=x>", false],
  ["From", "<sip:a@b;maddr=10.0.0.1>", false],
  ["To", "<sip:gw@bridge.example.com>", true],
  ["To", "<sip:a@b;lrx>", false],
  ["To", "<sip:a@[::ffff:192.0.2.1]:5060>", true],
  ["To", "<sip:a@[fe80::1%25eth0]>", false],
  ["To", "<sip:a@[2001:db8::1:2:3:4:5:6:7]>", false],
  ["To", "<sip:a@b;user=iphone>", false],
  ["Contact", "<sip:a@b;lr>;expires=60;q=0.50, <sip:c@d> ;q=1.0", true],
  ["Contact", "<sip:alice@192.0.2.60:42117>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1", true],
  ["Contact", "*", false],
  ["Contact", "<sip:a@b>;q=0.5000", false],
  ["Contact", "<sip:a@b>;expires=60s", false],
  ["Record_Route", "<sip:p1.example.com;lr>,<sip:p2.example.com;lr=on;ftag=x>", true],
  ["Record_Route", "sip:p1.example.com;lr", false],
  ["Call_ID", "b330g9gud286r7lkdcpn@192.0.2.20", true],
  ["Call_ID", "a@b@c", false],
  ["CSeq", "102 NOTIFY", true],
  ["CSeq", "0009 OPTIONS", true],
  ["CSeq", "1 NOTIFYX", false],
  ["Content_Length", "0123", true],
  ["Max_Forwards", "70", true],
  ["Content_Type", "application/pidf+xml", true],
  ["Content_Type", "multipart/mixed; boundary=\"unique-boundary-1\"", true],
  ["Content_Type", "textual/plain", false],
  ["Event", "presence", true],
  ["Event", "dialog;id=5", true],
  ["Event", "presence.winfo", true],
  ["Event", "presence.", false],
  ["Subscription_State", "active;expires=3580", true],
  ["Subscription_State", "terminated;reason=timeout;retry-after=30", true],
  ["Subscription_State", "terminated;reason=timeouts", false],
  ["Subscription_State", "pending;expires=12ab", false],
  ["SIP_URI", "sip:1001@pbx.example.com", true],
  ["SIP_URI", "SIP:gw@192.0.2.10:5070;transport=TCP;lr", true],
  ["SIP_URI", "sip:192.0.2.10:5070", true],
  ["SIP_URI", "sip:alice:secret@example.com", false],
  ["SIP_URI", "sip:alice@example.com?subject=x", false],
  ["SIP_URI", "<sip:alice@example.com>", false],
];

describe("fast grammar paths: a table per rule", () => {
  it("covers the rules the message parser and the subscription dialogs read", () => {
    expect([...FAST_RULE_NAMES].sort()).toEqual([
      "CSeq", "Call_ID", "Contact", "Content_Length", "Content_Type", "Event", "From", "Max_Forwards",
      "Record_Route", "Request_Response", "SIP_URI", "Subscription_State", "To", "Via",
    ]);
  });

  for (const [rule, value, fast] of TABLE) {
    it(`${rule} ${JSON.stringify(value)}: ${fast ? "fast path" : "grammar"}, same result`, () => {
      expect(fastPath(value, rule) !== BAIL).toBe(fast);
      expect(canonical(fastGrammarParse(value, rule))).toEqual(canonical(grammarParse(value, rule)));
    });
  }

  it("returns fresh objects: a caller's change to one result does not reach the next", () => {
    const first = fastGrammarParse("<sip:a@b>;tag=1", "To") as Core.NameAddrHeader;
    first.setParam("tag", "changed");
    expect((fastGrammarParse("<sip:a@b>;tag=1", "To") as Core.NameAddrHeader).getParam("tag")).toBe("1");
  });
});

describe("the transport's parser hook", () => {
  it("puts the fast paths in front of sip.js's Grammar.parse when it loads, keeping the grammar behind them", () => {
    expect(Grammar.parse).not.toBe(grammarParse);
    const calls: string[] = [];
    const installed = Grammar.parse;
    (Grammar as { parse: unknown }).parse = (input: string, rule: string) => {
      calls.push(rule);
      return installed(input, rule);
    };
    try {
      const message = parseForSipJs(REAL_MESSAGES["Kamailio NOTIFY"] ?? "");
      expect(message?.cseq).toBe(3);
      expect(message?.from.uri.toString()).toBe("sip:1001@pbx.example.com");
      expect(calls).toContain("Via");
    } finally {
      (Grammar as { parse: unknown }).parse = installed;
    }
  });
});

const logger = (() => {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  return factory.getLogger("test");
})();

/** The headers sip.js parses later (dialogs, subscriptions), compared too. */
const LATER = ["Event", "Subscription-State", "Contact", "Content-Type", "Max-Forwards", "Content-Length", "Call-ID"];

describe("whole messages parsed with and without the fast paths", () => {
  const installed = Grammar.parse;
  afterAll(() => {
    (Grammar as { parse: unknown }).parse = installed;
  });

  function parseBothWays(text: string): { grammar: unknown; fast: unknown } {
    const run = (parse: (input: string, rule: string) => unknown): unknown => {
      (Grammar as { parse: unknown }).parse = parse;
      const message = Core.Parser.parseMessage(text, logger);
      const later = message === undefined ? [] : LATER.map((name) => canonical(message.parseHeader(name)));
      return { message: canonical(message), later };
    };
    return { grammar: run(grammarParse), fast: run(fastGrammarParse) };
  }

  for (const [name, text] of Object.entries(REAL_MESSAGES)) {
    it(`${name}: the same IncomingMessage, header by header`, () => {
      const { grammar, fast } = parseBothWays(text);
      expect(fast).toEqual(grammar);
    });
  }

  it("every real-shaped message parses, its start line and each covered header on the fast path", () => {
    const RULE: Readonly<Record<string, string>> = {
      via: "Via", from: "From", to: "To", contact: "Contact", "record-route": "Record_Route", "call-id": "Call_ID",
      cseq: "CSeq", "content-length": "Content_Length", "max-forwards": "Max_Forwards", "content-type": "Content_Type",
      event: "Event", "subscription-state": "Subscription_State",
    };
    const slow: string[] = [];
    for (const text of Object.values(REAL_MESSAGES)) {
      expect(Core.Parser.parseMessage(text, logger)).toBeDefined();
      const [start = "", ...lines] = text.slice(0, text.indexOf("\r\n\r\n")).split("\r\n");
      if (fastPath(start, "Request_Response") === BAIL) slow.push(start);
      for (const line of lines) {
        const colon = line.indexOf(":");
        const rule = RULE[line.slice(0, colon).toLowerCase()];
        if (rule !== undefined && fastPath(line.slice(colon + 1).trim(), rule) === BAIL) slow.push(line);
      }
    }
    expect(slow).toEqual([]);
  });

  for (const torture of loadSource()) {
    it(`RFC 4475 ${torture.name} (${torture.kind}): the same result both ways`, () => {
      const { grammar, fast } = parseBothWays(torture.bytes.toString("utf8"));
      expect(fast).toEqual(grammar);
    });
  }
});
