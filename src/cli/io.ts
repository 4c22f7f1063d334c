import { readFileSync } from "node:fs";
import { fail, formatError, ok, type BridgeError, type Result } from "../errors.js";

/** Exit codes: 0 done, 1 invalid input, 2 usage. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/** Reads a file as bytes, so that the codecs see invalid UTF-8 for what it is. */
export function readInput(path: string): Result<Uint8Array> {
  try {
    return ok(readFileSync(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    return fail("file-not-found", `cannot read the file: ${reason}`, undefined, path);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array, source: string): Result<string> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    return fail("invalid-utf8", "the file is not valid UTF-8", undefined, source);
  }
}

/** One line per problem, naming what and where; never a stack trace. */
export function reportErrors(output: Output, errors: readonly BridgeError[], source?: string): number {
  for (const error of errors) output.err(formatError(source === undefined || error.source !== undefined ? error : { ...error, source }));
  return EXIT.invalid;
}

export class UsageError extends Error {}
