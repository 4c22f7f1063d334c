/**
 * From wire bytes or text to the string the scanner reads: the size cap,
 * UTF-8 decoding and the empty-body check, all before any parsing.
 */
import { fail, ok, type BridgeError, type Result } from "../errors.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const BLANK = /^[ \t\r\n]*$/;

/** Returns the document text (BOM removed) or `too-large`, `invalid-utf8`, `empty-body`. */
export function decodeInput(input: string | Uint8Array, maxBytes: number): Result<string> {
  let text: string;
  if (typeof input === "string") {
    // Every UTF-16 unit is at least one UTF-8 byte, and at most three: most bodies are decided without counting.
    if (input.length > maxBytes || (input.length * 3 > maxBytes && Buffer.byteLength(input, "utf8") > maxBytes)) {
      return tooLarge(maxBytes);
    }
    text = input;
  } else {
    if (input.byteLength > maxBytes) return tooLarge(maxBytes, input.byteLength);
    try {
      text = UTF8.decode(input);
    } catch {
      return fail("invalid-utf8", "the body is not valid UTF-8", `byte ${firstInvalidUtf8(input)}`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (BLANK.test(text)) return fail("empty-body", "the body is empty");
  return ok(text);
}

function tooLarge(maxBytes: number, size?: number): { readonly ok: false; readonly error: BridgeError } {
  const what = size === undefined ? `more than ${maxBytes} bytes` : `${size} bytes`;
  return fail("too-large", `the body is ${what}; the limit is ${maxBytes} bytes`);
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629 §4). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b === 0xe0) [need, min] = [2, 0xa0];
    else if (b === 0xed) [need, min, max] = [2, 0x80, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) [need, min] = [2, 0x80];
    else if (b === 0xf0) [need, min] = [3, 0x90];
    else if (b === 0xf4) [need, min, max] = [3, 0x80, 0x8f];
    else if (b >= 0xf1 && b <= 0xf3) [need, min] = [3, 0x80];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += need + 1;
  }
  return i;
}
