/** The two places the transport leans on sip.js internals: the grammar patch and the parse hand-over. */
import { Core } from "sip.js";
import { describe, expect, it } from "vitest";
import { grammarIsPatched } from "../../../src/sip/transport/index.js";
import { clearParsed, parseForSipJs } from "../../../src/sip/transport/sipjs-parser.js";

const OPTIONS = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\n" +
  "To: <sip:bob@127.0.0.1>\r\nCall-ID: hook\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

describe("sip.js hooks", () => {
  it("runs with the grammar patch applied by npm's postinstall (patch-package)", () => {
    expect(grammarIsPatched()).toBe(true);
  });

  it("hands sip.js the message the transport parsed, once, for the same text only", () => {
    const factory = new Core.LoggerFactory();
    factory.builtinEnabled = false;
    const logger = factory.getLogger("test");
    const parsed = parseForSipJs(OPTIONS);
    expect(parsed).toBeDefined();
    expect(Core.Parser.parseMessage(OPTIONS, logger)).toBe(parsed);
    const again = Core.Parser.parseMessage(OPTIONS, logger);
    expect(again).not.toBe(parsed);
    expect(again?.callId).toBe("hook");

    parseForSipJs(OPTIONS);
    expect(Core.Parser.parseMessage(OPTIONS.replace("hook", "other"), logger)?.callId).toBe("other");
    parseForSipJs(OPTIONS);
    clearParsed();
    expect(Core.Parser.parseMessage(OPTIONS, logger)).not.toBe(parsed);
  });
});
