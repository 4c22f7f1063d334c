/**
 * Whether sip.js carries our patch (patches/sip.js+0.21.2.patch, applied by
 * postinstall): the grammar's bytecode memo and the headerize memo.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let cached: boolean | undefined;

export function grammarIsPatched(): boolean {
  if (cached !== undefined) return cached;
  try {
    const lib = dirname(createRequire(import.meta.url).resolve("sip.js"));
    const grammar = readFileSync(join(lib, "grammar", "pegjs", "dist", "grammar.js"), "utf8");
    const utils = readFileSync(join(lib, "core", "messages", "utils.js"), "utf8");
    cached = grammar.includes("peg$bytecodeCache") && utils.includes("headerizeCache");
  } catch {
    cached = false;
  }
  return cached;
}
