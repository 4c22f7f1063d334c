import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "./package-root.js";
import { presenceToPidf, presenceToXmpp, sipToPresence, xmppToPresence, loadTable } from "../mapping/index.js";
import { parseSipBody, serializePidf } from "../pidf/index.js";
import { parseXmppPresence, serializeXmppPresence } from "../xmpp/index.js";
import { formatError } from "../errors.js";
import { EXIT, UsageError, type Output } from "./io.js";
import { parseOptions } from "./options.js";

interface Sample {
  readonly file: string;
  readonly from: "sip" | "xmpp";
  readonly profile: string;
  readonly title: string;
  /** "rejected" for the samples that show how bad input is refused. */
  readonly expect?: "rejected";
}

const samplesDir = pathToFileURL(join(packageRoot(), "samples/"));

export const DEMO_USAGE = `  presence-bridge demo --samples
      translates the shipped sample bodies both ways and prints what each side would see
      (the live demo with Prosody and Kamailio runs from a checkout: npm ci && npm run demo)`;

/**
 * Translates the shipped sample bodies both ways and prints what each side
 * would see. It runs the same code the bridge runs per NOTIFY and per stanza.
 */
export async function demo(args: readonly string[], output: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, { samples: { type: "boolean" } });
  if (values.samples !== true || positionals.length > 0) {
    throw new UsageError("demo takes --samples (the live demo runs from a checkout: npm ci && npm run demo)");
  }
  const samples = JSON.parse(readFileSync(new URL("index.json", samplesDir), "utf8")) as Sample[];
  let failures = 0;
  for (const direction of ["sip", "xmpp"] as const) {
    output.out(direction === "sip" ? "\n=== SIP → XMPP: what a chat user sees of a phone ===" : "\n=== XMPP → SIP: what a SIP watcher gets of a chat user ===");
    for (const sample of samples.filter((s) => s.from === direction)) {
      const table = loadTable({ profile: sample.profile });
      const bytes = readFileSync(new URL(sample.file, samplesDir));
      if (!table.ok) {
        failures++;
        output.err(table.error.map(formatError).join("\n"));
        continue;
      }
      output.out(`\n--- ${sample.title}  [samples/${sample.file}, profile ${sample.profile}]`);
      if (direction === "sip") {
        const body = parseSipBody(bytes);
        if (body.ok === (sample.expect === "rejected")) {
          failures++;
          output.out(body.ok ? "    accepted, but it should have been rejected" : `    unexpectedly rejected: ${formatError(body.error)}`);
          continue;
        }
        if (!body.ok) {
          output.out(`    rejected, as it should be: ${formatError(body.error)}`);
          continue;
        }
        const { presence, rule } = sipToPresence(body.value, table.value);
        output.out(`    rule ${rule ?? "(none)"} → ${serializeXmppPresence(presenceToXmpp(presence))}`);
      } else {
        const stanza = parseXmppPresence(bytes.toString("utf8"));
        if (!stanza.ok) {
          failures++;
          output.out(`    rejected: ${formatError(stanza.error)}`);
          continue;
        }
        const { presence, rule } = xmppToPresence(stanza.value.presence, table.value);
        const entity = `sip:${(stanza.value.presence.from ?? "juliet@capulet.lit").split("/")[0]}`;
        output.out(`    rule ${rule ?? "(none)"} →`);
        output.out(indent(serializePidf(presenceToPidf(presence, entity))));
      }
    }
  }
  output.out("\nThis runs the presence core over the shipped samples; `npm run demo` runs the live bridge between Prosody and Kamailio.");
  return failures === 0 ? EXIT.ok : EXIT.invalid;
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
