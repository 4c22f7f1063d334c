import { checkTableFiles, explainSip, explainXmpp, loadTable, type Explanation } from "../mapping/index.js";
import { parseSipBody } from "../pidf/index.js";
import { parseXmppPresence } from "../xmpp/index.js";
import { decodeUtf8, EXIT, readInput, reportErrors, UsageError, type Output } from "./io.js";
import { oneOf, parseOptions } from "./options.js";

export const MAPPING_USAGE = `usage:
  presence-bridge mapping check FILE...
      exits 0 when every file is a valid conversion table, else 1 with every problem listed
  presence-bridge mapping explain FILE --from sip|xmpp INPUT [--content-type TYPE] [--json]
      shows each rule of table FILE tried on INPUT and why it matched or not`;

export function mapping(args: readonly string[], output: Output): number {
  const [sub, ...rest] = args;
  if (sub === "check") return check(rest, output);
  if (sub === "explain") return explain(rest, output);
  throw new UsageError(sub === undefined ? "mapping needs a subcommand: check or explain" : `unknown mapping subcommand '${sub}'`);
}

function check(args: readonly string[], output: Output): number {
  const { positionals } = parseOptions(args, {});
  if (positionals.length === 0) throw new UsageError("mapping check needs at least one FILE");
  const problems = checkTableFiles(positionals);
  if (problems.length > 0) return reportErrors(output, problems);
  for (const file of positionals) output.out(`${file}: valid`);
  return EXIT.ok;
}

function explain(args: readonly string[], output: Output): number {
  const { values, positionals } = parseOptions(args, {
    from: { type: "string" },
    "content-type": { type: "string" },
    json: { type: "boolean" },
  });
  const from = oneOf("from", values.from, ["sip", "xmpp"] as const);
  if (positionals.length !== 2) throw new UsageError("mapping explain takes a table FILE and an INPUT file");
  const [tableFile, inputFile] = positionals as [string, string];

  const table = loadTable({ file: tableFile });
  if (!table.ok) return reportErrors(output, table.error);
  const input = readInput(inputFile);
  if (!input.ok) return reportErrors(output, [input.error]);

  let explanation: Explanation;
  if (from === "sip") {
    const contentType = typeof values["content-type"] === "string" ? values["content-type"] : undefined;
    const body = parseSipBody(input.value, contentType);
    if (!body.ok) return reportErrors(output, [body.error], inputFile);
    explanation = explainSip(body.value, table.value);
  } else {
    const text = decodeUtf8(input.value, inputFile);
    if (!text.ok) return reportErrors(output, [text.error]);
    const stanza = parseXmppPresence(text.value);
    if (!stanza.ok) return reportErrors(output, [stanza.error], inputFile);
    explanation = explainXmpp(stanza.value.presence, table.value);
  }

  if (values.json === true) {
    output.out(JSON.stringify(explanation, null, 2));
    return EXIT.ok;
  }
  output.out(`facts: ${JSON.stringify(explanation.facts)}`);
  for (const step of explanation.steps) {
    output.out(`${step.matched ? "MATCH" : "  -  "} ${step.rule}`);
    for (const reason of step.reasons) output.out(`        ${reason}`);
    if (step.matched) break;
  }
  const rule = explanation.result.rule;
  output.out(rule === undefined ? "no rule matched: the presence passes through unchanged" : `result (rule ${rule}): ${JSON.stringify(explanation.result.presence)}`);
  return EXIT.ok;
}
