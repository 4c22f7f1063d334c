/** Helpers shared by the body codecs: text readers, typed failures, paths. */
import { fail, type BridgeError, type ErrorCode } from "../errors.js";
import { clark, textOf, type XmlElement } from "../xml/index.js";
import type { LangText } from "./types.js";

export type Failure = { readonly ok: false; readonly error: BridgeError };

/** A mutable view of a readonly wire type, used while a codec fills it. */
export type Draft<T> = { -readonly [K in keyof T]: T[K] };

/** A codec failure located by an element path such as `/presence/tuple[2]/status/basic`. */
export const failAt = (code: ErrorCode, message: string, path: string): Failure => fail(code, message, path);

/**
 * Text of a value element, whitespace-trimmed: URIs, tokens, dateTimes and
 * numbers are whitespace-collapsed types in the schemas (XML Schema §4.3.6).
 */
export const tokenOf = (el: XmlElement): string => textOf(el).trim();

/** XML 1.0 §2.12: `xml:lang` applies to the element and everything inside it. */
export const langOf = (el: XmlElement, inherited: string | undefined): string | undefined =>
  el.attrs["xml:lang"] ?? inherited;

/** A human-readable text as written (xs:string keeps its whitespace), with its language when one applies. */
export function langText(el: XmlElement, inherited: string | undefined): LangText {
  const lang = langOf(el, inherited);
  const text = textOf(el);
  return lang === undefined ? { text } : { text, lang };
}

/** How an unexpected root is named in messages: `{urn:…}name`. */
export const rootName = (el: XmlElement): string => clark(el.ns, el.name);
