/**
 * Compiles a rule's `when` into checks: lists become folded arrays, patterns
 * RegExp objects, so that a translation runs a few comparisons per rule.
 */
import type { Dialog } from "../pidf/types.js";
import { fold, pointerJoin, type Issue } from "./issues.js";
import type { Check, Facts, NoteFact } from "./types.js";

type Json = Readonly<Record<string, unknown>>;

/** The name under which the texts of a direction are matched: `note` (SIP) or `status` (XMPP). */
export type TextKey = "note" | "status";

const list = (value: unknown): readonly string[] => (Array.isArray(value) ? (value as string[]) : [value as string]);
const shown = (values: readonly string[]): string => (values.length === 0 ? "none" : values.join(", "));

function equalsCheck(key: "basic" | "availability", expected: string): Check {
  const read = key === "basic" ? (f: Facts): string => f.basic ?? "none" : (f: Facts): string => f.availability;
  return { label: `${key} ${expected}`, test: (f) => read(f) === expected, saw: read };
}

function oneOfCheck(key: "show" | "phone", values: readonly string[]): Check {
  return {
    label: `${key} [${values.join(", ")}]`,
    test: (f) => values.includes(f[key] ?? "none"),
    saw: (f) => f[key] ?? "none",
  };
}

function setChecks(key: "activities" | "other", spec: Json): Check[] {
  const checks: Check[] = [];
  const raw = (name: string): readonly string[] => (spec[name] as string[] | undefined) ?? [];
  const folded = (name: string): readonly string[] => (key === "other" ? raw(name).map(fold) : raw(name));
  const saw = (f: Facts): string => shown(f[key]);
  const any = folded("any");
  const all = folded("all");
  const none = folded("none");
  if (any.length > 0) checks.push({ label: `${key}.any [${raw("any").join(", ")}]`, test: (f) => any.some((a) => f[key].includes(a)), saw });
  if (all.length > 0) checks.push({ label: `${key}.all [${raw("all").join(", ")}]`, test: (f) => all.every((a) => f[key].includes(a)), saw });
  if (none.length > 0) checks.push({ label: `${key}.none [${raw("none").join(", ")}]`, test: (f) => !none.some((a) => f[key].includes(a)), saw });
  return checks;
}

function dialogCheck(spec: Json): Check {
  const states = spec.state as readonly string[] | undefined;
  const direction = spec.direction as string | undefined;
  const held = spec.held as boolean | undefined;
  const fits = (d: Dialog): boolean =>
    (states === undefined || states.includes(d.state)) &&
    (direction === undefined || d.direction === direction) &&
    (held === undefined || (d.held === true) === held);
  const parts = [
    states === undefined ? "" : `state [${states.join(", ")}]`,
    direction === undefined ? "" : `direction ${direction}`,
    held === undefined ? "" : `held ${held}`,
  ].filter((p) => p !== "");
  return {
    label: `dialog ${parts.join(" ")}`,
    test: (f) => f.dialogs.some(fits),
    saw: (f) => shown(f.dialogs.map((d) => `${d.state}${d.direction === undefined ? "" : `/${d.direction}`}${d.held === true ? "/held" : ""}`)),
  };
}

function textCheck(key: TextKey, spec: Json, pointer: string, issues: Issue[]): Check | undefined {
  const equals = spec.equals === undefined ? undefined : list(spec.equals).map(fold);
  const contains = spec.contains === undefined ? undefined : list(spec.contains).map(fold);
  let pattern: RegExp | undefined;
  if (typeof spec.matches === "string") {
    try {
      pattern = new RegExp(spec.matches, "iu");
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      issues.push({ code: "invalid-pattern", message: `not a valid regular expression (flags iu): ${why}`, pointer: pointerJoin(pointer, "matches") });
      return undefined;
    }
  }
  if (equals === undefined && contains === undefined && pattern === undefined) {
    issues.push({ code: "schema-violation", message: `a ${key} condition needs at least one of equals, contains, matches`, pointer });
    return undefined;
  }
  const lang = spec.lang as string | undefined;
  const fits = (n: NoteFact): boolean =>
    (lang === undefined || n.lang === lang) &&
    (equals === undefined || equals.includes(n.folded)) &&
    (contains === undefined || contains.some((c) => n.folded.includes(c))) &&
    (pattern === undefined || pattern.test(n.text.trim()));
  const parts = [
    equals === undefined ? "" : `equals ${list(spec.equals).map((s) => JSON.stringify(s)).join(" | ")}`,
    contains === undefined ? "" : `contains ${list(spec.contains).map((s) => JSON.stringify(s)).join(" | ")}`,
    pattern === undefined ? "" : `matches /${pattern.source}/`,
  ].filter((p) => p !== "");
  return {
    label: `${key}${lang === undefined ? "" : `[${lang}]`} ${parts.join(" and ")}`,
    test: (f) => f.notes.some(fits),
    saw: (f) => (f.notes.length === 0 ? `no ${key}` : f.notes.map((n) => `${JSON.stringify(n.text)}${n.lang === "" ? "" : ` (${n.lang})`}`).join(", ")),
  };
}

function anyOfCheck(options: readonly Json[], key: TextKey, pointer: string, issues: Issue[]): Check {
  const compiled = options.map((option, i) => compileWhen(option, pointerJoin(pointer, i), key, issues));
  const holds = (checks: readonly Check[], f: Facts): boolean => checks.every((c) => c.test(f));
  const describe = (checks: readonly Check[]): string => (checks.length === 0 ? "always" : checks.map((c) => c.label).join(" + "));
  return {
    label: `anyOf (${compiled.map(describe).join(" | ")})`,
    test: (f) => compiled.some((checks) => holds(checks, f)),
    saw: (f) => {
      const index = compiled.findIndex((checks) => holds(checks, f));
      if (index >= 0) return `option ${index + 1} holds`;
      return compiled.map((checks, i) => `option ${i + 1}: ${checks.filter((c) => !c.test(f)).map((c) => `${c.label} saw ${c.saw(f)}`).join("; ")}`).join(" / ");
    },
  };
}

/**
 * The checks of one `when` object (already valid against the schema). Problems the
 * schema cannot see (a bad regular expression, an empty text condition) go to `issues`.
 */
export function compileWhen(when: Json, pointer: string, key: TextKey, issues: Issue[]): readonly Check[] {
  const checks: Check[] = [];
  for (const [name, value] of Object.entries(when)) {
    const at = pointerJoin(pointer, name);
    switch (name) {
      case "basic":
      case "availability":
        checks.push(equalsCheck(name, value as string));
        break;
      case "show":
      case "phone":
        checks.push(oneOfCheck(name, value as string[]));
        break;
      case "activities":
      case "other":
        checks.push(...setChecks(name, value as Json));
        break;
      case "dialog":
        checks.push(dialogCheck(value as Json));
        break;
      case "idle":
        checks.push({ label: `idle ${String(value)}`, test: (f) => f.idle === value, saw: (f) => String(f.idle) });
        break;
      case "anyOf":
        checks.push(anyOfCheck(value as Json[], key, at, issues));
        break;
      default: {
        const check = textCheck(key, value as Json, at, issues);
        if (check !== undefined) checks.push(check);
      }
    }
  }
  return Object.freeze(checks);
}
