/** Whether sip.js's grammar carries our bytecode memo patch (patches/sip.js+0.21.2.patch, applied by postinstall). */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let cached: boolean | undefined;

export function grammarIsPatched(): boolean {
  if (cached !== undefined) return cached;
  try {
    const entry = createRequire(import.meta.url).resolve("sip.js");
    const grammar = join(dirname(entry), "grammar", "pegjs", "dist", "grammar.js");
    cached = readFileSync(grammar, "utf8").includes("peg$bytecodeCache");
  } catch {
    cached = false;
  }
  return cached;
}
