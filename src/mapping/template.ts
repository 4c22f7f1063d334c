/**
 * Status and note templates: literal text with one placeholder name per direction
 * (`{note}` for SIP → XMPP, `{status}` for XMPP → SIP), applied once per language.
 *
 *   {note}            the incoming text in this language
 *   {note|Fallback}   the text, or Fallback when the presence has no text at all
 *   {note?Prefix: }   Prefix followed by the text, or nothing when there is no text
 *   {{  }}            literal braces
 *
 * Nothing is evaluated: a template is a list of parts compiled at load time.
 */
import type { Notes } from "../presence/types.js";

export type TemplateField = "note" | "status";

type Part =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "field"; readonly fallback: string; readonly prefix: string };

export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
  /** The text when the template has no placeholder; such a template replaces every language. */
  readonly constant?: string;
}

export type TemplateResult = { readonly ok: true; readonly value: Template } | { readonly ok: false; readonly error: string };

const EMPTY: Notes = Object.freeze({});

/** Parses `source`; the error names what was expected and at which character. */
export function compileTemplate(source: string, field: TemplateField): TemplateResult {
  const parts: Part[] = [];
  let text = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "}") {
      if (source[i + 1] !== "}") return { ok: false, error: `unmatched '}' at character ${i + 1}; write '}}' for a literal brace` };
      text += "}";
      i++;
      continue;
    }
    if (c !== "{") {
      text += c;
      continue;
    }
    if (source[i + 1] === "{") {
      text += "{";
      i++;
      continue;
    }
    const end = source.indexOf("}", i);
    if (end < 0) return { ok: false, error: `'{' at character ${i + 1} is not closed; expected {${field}}, {${field}|fallback} or {${field}?prefix}` };
    const parsed = parseField(source.slice(i + 1, end), field, i + 1);
    if (typeof parsed === "string") return { ok: false, error: parsed };
    if (text !== "") parts.push({ kind: "text", text });
    text = "";
    parts.push(parsed);
    i = end;
  }
  if (text !== "") parts.push({ kind: "text", text });
  const hasField = parts.some((part) => part.kind === "field");
  const template: Template = hasField ? { source, parts } : { source, parts, constant: text };
  return { ok: true, value: Object.freeze(template) };
}

function parseField(inner: string, field: TemplateField, at: number): Part | string {
  const match = /^([a-z]+)(?:([|?])([^{]*))?$/.exec(inner);
  if (match === null) return `placeholder {${inner}} at character ${at} is malformed; expected {${field}}, {${field}|fallback} or {${field}?prefix}`;
  const [, name, sign, extra = ""] = match;
  if (name !== field) return `unknown placeholder {${name}} at character ${at}; this direction knows {${field}}`;
  return { kind: "field", fallback: sign === "|" ? extra : "", prefix: sign === "?" ? extra : "" };
}

function render(parts: readonly Part[], value: string, hasText: boolean): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") out += part.text;
    else if (value !== "") out += part.prefix + value;
    else if (!hasText) out += part.fallback;
  }
  return out;
}

/**
 * Applies the template to each language of `notes`; a language whose result is
 * empty is left out. Without any text, the template is applied once with an empty
 * value under the language "" (so fallbacks and literal texts appear).
 */
export function applyTemplate(template: Template, notes: Notes): Notes {
  if (template.constant !== undefined) return template.constant === "" ? EMPTY : Object.freeze({ "": template.constant });
  const out: Record<string, string> = {};
  let hasText = false;
  for (const lang in notes) {
    hasText = true;
    const text = render(template.parts, notes[lang] as string, true);
    if (text !== "") out[lang] = text;
  }
  if (!hasText) {
    const text = render(template.parts, "", false);
    if (text !== "") out[""] = text;
  }
  return Object.freeze(out);
}
