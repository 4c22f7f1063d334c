import { parseSipBody } from "../pidf/index.js";
import { parseXmppPresence, serializeXmppPresence } from "../xmpp/index.js";
import { serializePidf } from "../pidf/index.js";
import { presenceToPidf, presenceToXmpp, sipToPresence, xmppToPresence } from "../mapping/index.js";
import { decodeUtf8, EXIT, readInput, reportErrors, UsageError, type Output } from "./io.js";
import { oneOf, parseOptions } from "./options.js";
import { tableFromOptions } from "./table.js";

export const TRANSLATE_USAGE = `usage:
  presence-bridge translate --from sip FILE [--content-type TYPE] [--mapping FILE | --profile NAME] [--json]
      prints the XMPP <presence/> the bridge would send for that SIP body
  presence-bridge translate --from xmpp FILE [--mapping FILE | --profile NAME] [--json]
      prints the PIDF body the bridge would send for that stanza
  --entity URI sets the PIDF entity (default: sip: + the stanza's bare 'from', RFC 7247 §3)
  --json prints the canonical presence and the rule that matched instead`;

export function translate(args: readonly string[], output: Output): number {
  const { values, positionals } = parseOptions(args, {
    from: { type: "string" },
    "content-type": { type: "string" },
    mapping: { type: "string" },
    profile: { type: "string" },
    entity: { type: "string" },
    json: { type: "boolean" },
  });
  const from = oneOf("from", values.from, ["sip", "xmpp"] as const);
  if (positionals.length !== 1) throw new UsageError("translate takes exactly one FILE");
  if (from === "xmpp" && values["content-type"] !== undefined) {
    throw new UsageError("--content-type applies to --from sip only");
  }
  const file = positionals[0] as string;

  const table = tableFromOptions(values);
  if (!table.ok) return reportErrors(output, table.error);
  const input = readInput(file);
  if (!input.ok) return reportErrors(output, [input.error]);

  if (from === "sip") {
    const contentType = typeof values["content-type"] === "string" ? values["content-type"] : undefined;
    const body = parseSipBody(input.value, contentType);
    if (!body.ok) return reportErrors(output, [body.error], file);
    const translation = sipToPresence(body.value, table.value);
    if (values.json === true) {
      output.out(JSON.stringify({ rule: translation.rule ?? null, presence: translation.presence }, null, 2));
    } else {
      output.out(serializeXmppPresence(presenceToXmpp(translation.presence)));
    }
    return EXIT.ok;
  }

  const text = decodeUtf8(input.value, file);
  if (!text.ok) return reportErrors(output, [text.error]);
  const stanza = parseXmppPresence(text.value);
  if (!stanza.ok) return reportErrors(output, [stanza.error], file);
  for (const warning of stanza.value.warnings) output.err(`${file}: warning: ${warning.message} (${warning.code})`);
  const translation = xmppToPresence(stanza.value.presence, table.value);
  if (values.json === true) {
    output.out(JSON.stringify({ rule: translation.rule ?? null, presence: translation.presence }, null, 2));
  } else {
    output.out(serializePidf(presenceToPidf(translation.presence, entityFor(stanza.value.presence.from, values.entity))));
  }
  return EXIT.ok;
}

/** RFC 7247 §3: without address rules, juliet@capulet.lit is sip:juliet@capulet.lit. */
function entityFor(from: string | undefined, override: unknown): string {
  if (typeof override === "string") return override;
  if (from === undefined) throw new UsageError("the stanza has no 'from'; give --entity URI");
  return `sip:${from.split("/")[0] ?? from}`;
}
