/**
 * sip.js's message parser, called once per incoming message.
 *
 * The transport must parse a request to know whether sip.js will accept it
 * (sip.js silently drops what it cannot parse, so the transport answers 400
 * itself), and sip.js parses the same string again in
 * `UserAgent.onTransportMessage`. The hook below hands sip.js the message the
 * transport just parsed when the string is the one it was given, so each
 * message is parsed once. The slot is cleared as soon as the message is handed over.
 *
 * Loading this module also puts the fast paths of fast-grammar.ts in front of
 * sip.js's Grammar.parse, so the start line and the headers sip.js reads are
 * parsed without its bytecode interpreter when their form is a common one.
 */
import { Core } from "sip.js";
import { installFastGrammar } from "./fast-grammar.js";

installFastGrammar();

type Parsed = Core.IncomingRequestMessage | Core.IncomingResponseMessage | undefined;

const loggerFactory = new Core.LoggerFactory();
loggerFactory.builtinEnabled = false;
const quietLogger = loggerFactory.getLogger("sip.Parser");

const original = Core.Parser.parseMessage.bind(Core.Parser);
let slot: { readonly text: string; readonly parsed: Parsed } | undefined;

Core.Parser.parseMessage = (data: string, logger: Core.Logger): Parsed => {
  const held = slot;
  slot = undefined;
  return held !== undefined && held.text === data ? held.parsed : original(data, logger);
};

/** Parses `text` for the transport and keeps the result for sip.js's next call with the same text. */
export function parseForSipJs(text: string): Parsed {
  let parsed: Parsed;
  try {
    parsed = original(text, quietLogger);
  } catch {
    parsed = undefined; // sip.js throws on some malformed responses (e.g. a CSeq it cannot read)
  }
  slot = { text, parsed };
  return parsed;
}

/** Forget a parse that was not handed to sip.js. */
export function clearParsed(): void {
  slot = undefined;
}
