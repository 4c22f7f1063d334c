/**
 * XEP-0106 (JID Escaping): how a SIP user part that a JID localpart cannot hold
 * (a space, an `@`, a quote…) is written into one, and read back.
 */
import { fail, ok, type Result } from "../errors.js";

// XEP-0106 §3.1: the ten characters RFC 7622 forbids in a localpart (or that a gateway
// must keep apart) and their escapes. `\` is escaped only where it would be misread.
const ESCAPES: Readonly<Record<string, string>> = {
  " ": "\\20",
  '"': "\\22",
  "&": "\\26",
  "'": "\\27",
  "/": "\\2f",
  ":": "\\3a",
  "<": "\\3c",
  ">": "\\3e",
  "@": "\\40",
  "\\": "\\5c",
};

const UNESCAPES: ReadonlyMap<string, string> = new Map(Object.entries(ESCAPES).map(([char, esc]) => [esc.slice(1), char]));

/** An escape sequence: `\` and two hex digits naming one of the ten characters (case-insensitive). */
const SEQUENCE = /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/gi;
const STARTS_SEQUENCE = /^\\(20|22|26|27|2f|3a|3c|3e|40|5c)/i;

/**
 * XEP-0106 §4.2: escapes a user part into a localpart. A backslash is escaped only
 * when it starts something that reads as an escape sequence (`c:\5commas` →
 * `c\3a\5c5commas`); elsewhere it stays (`c:\net` → `c\3a\net`). §4.2 also forbids
 * a localpart that starts or ends with a space: that is an error, as is an empty one.
 */
export function escapeLocalpart(raw: string): Result<string> {
  if (raw === "") return fail("jid-malformed", "an empty user part cannot be a JID localpart");
  if (raw.startsWith(" ") || raw.endsWith(" ")) {
    return fail("jid-malformed", `"${raw}" starts or ends with a space, which XEP-0106 §4.2 does not allow in a localpart`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) return fail("jid-malformed", "a control character cannot be escaped into a localpart (RFC 7622 §3.3)");
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char === "\\") {
      out += STARTS_SEQUENCE.test(raw.slice(i, i + 3)) ? "\\5c" : "\\";
      continue;
    }
    out += ESCAPES[char] ?? char;
  }
  return ok(out);
}

/**
 * XEP-0106 §4.3: reads a localpart back into the user part. Only the ten sequences
 * are replaced (hex in either case); any other backslash stays as it is.
 */
export function unescapeLocalpart(localpart: string): string {
  if (!localpart.includes("\\")) return localpart;
  return localpart.replace(SEQUENCE, (_, hex: string) => UNESCAPES.get(hex.toLowerCase()) as string);
}

/** Whether a localpart holds any escape sequence (it then stands for a user part with those characters). */
export const isEscaped = (localpart: string): boolean => /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/i.test(localpart);
