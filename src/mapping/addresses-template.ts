/**
 * Address templates (`jidToSip`: `sip:{local}@{domain}`, `sipToJid`: `{user}@{domain}`):
 * literal text and named placeholders, `{{` and `}}` for braces. Checked once at load.
 */
import { fail, ok, type BridgeError, type Result } from "../errors.js";

export type AddressTemplate = readonly (string | { readonly name: string })[];

/** Splits a template into text and placeholders; a placeholder must be one of `names`. */
export function compileAddressTemplate(source: string, names: readonly string[], pointer: string): Result<AddressTemplate> {
  const parts: (string | { name: string })[] = [];
  let text = "";
  const bad = (message: string): { ok: false; error: BridgeError } => fail("invalid-template", message, pointer);
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if ((char === "{" || char === "}") && source[i + 1] === char) {
      text += char;
      i++;
    } else if (char === "{") {
      const end = source.indexOf("}", i);
      if (end < 0) return bad(`"${source}": "{" at ${i + 1} is not closed; write {{ for a brace`);
      const name = source.slice(i + 1, end);
      if (!names.includes(name)) return bad(`"${source}": unknown placeholder {${name}}; expected ${names.map((n) => `{${n}}`).join(" or ")}`);
      if (text !== "") parts.push(text);
      text = "";
      parts.push({ name });
      i = end;
    } else if (char === "}") {
      return bad(`"${source}": "}" at ${i + 1} closes nothing; write }} for a brace`);
    } else {
      text += char;
    }
  }
  if (text !== "") parts.push(text);
  if (!parts.some((part) => typeof part !== "string")) return bad(`"${source}" has no placeholder, so every address would map to the same one`);
  return ok(parts);
}

export function fillTemplate(template: AddressTemplate, values: Readonly<Record<string, string>>): string {
  let out = "";
  for (const part of template) out += typeof part === "string" ? part : (values[part.name] ?? "");
  return out;
}
