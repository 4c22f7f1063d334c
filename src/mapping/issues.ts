import type { ErrorCode } from "../errors.js";

/** A problem found in a table before positions are known: the loader adds line and column. */
export interface Issue {
  readonly code: ErrorCode;
  readonly message: string;
  /** JSON pointer into the table, e.g. `/sipToXmpp/2/when/note`. */
  readonly pointer: string;
}

/** RFC 6901: `~` and `/` in a key are written `~0` and `~1`. */
export const pointerJoin = (pointer: string, key: string | number): string =>
  `${pointer}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

/** Trimmed and lower-cased: how every text comparison of the table sees a string. */
export const fold = (text: string): string => text.trim().toLowerCase();
