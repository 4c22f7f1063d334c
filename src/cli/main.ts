import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";
import { EXIT, processOutput, UsageError, type Output } from "./io.js";
import { mapping, MAPPING_USAGE } from "./mapping.js";
import { translate, TRANSLATE_USAGE } from "./translate.js";
import { demo, DEMO_USAGE } from "./demo.js";
import { start, START_USAGE } from "./start.js";

const USAGE = `presence-bridge — federates presence between XMPP and SIP

${TRANSLATE_USAGE}
${MAPPING_USAGE}
${START_USAGE}
${DEMO_USAGE}
  presence-bridge --version | --help

exit codes: 0 done, 1 invalid input (one line per problem on stderr), 2 usage`;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs one command line; returns the exit code. Never throws for bad input or usage. */
export async function main(args: readonly string[], output: Output = processOutput): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "translate":
        return translate(rest, output);
      case "mapping":
        return mapping(rest, output);
      case "demo":
        return await demo(rest, output);
      case "start":
        return await start(rest, output);
      case "--version":
        output.out(version());
        return EXIT.ok;
      case "--help":
      case "-h":
      case "help":
        output.out(USAGE);
        return EXIT.ok;
      case undefined:
        output.err(USAGE);
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`presence-bridge: ${error.message}`);
      output.err("run 'presence-bridge --help' for usage");
      return EXIT.usage;
    }
    throw error;
  }
}
