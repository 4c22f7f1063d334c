import { describe, expect, it } from "vitest";
import { applyTemplate, compileTemplate, type Template } from "../../../src/mapping/index.js";

function compiled(source: string, field: "note" | "status" = "note"): Template {
  const result = compileTemplate(source, field);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("templates", () => {
  it.each([
    ["{note}", { en: "Dentist", de: "Zahnarzt" }, { en: "Dentist", de: "Zahnarzt" }],
    ["{note}", {}, {}],
    ["{note|On the phone}", {}, { "": "On the phone" }],
    ["{note|On the phone}", { fr: "Au téléphone" }, { fr: "Au téléphone" }],
    ["On the phone{note?: }", { en: "Bob" }, { en: "On the phone: Bob" }],
    ["On the phone{note?: }", {}, { "": "On the phone" }],
    ["Ringing", { en: "x", de: "y" }, { "": "Ringing" }],
    ["", { en: "x" }, {}],
    ["{{literal}} {note}", { "": "a" }, { "": "{literal} a" }],
    ["[{note|-}]", { "": "a", de: "b" }, { "": "[a]", de: "[b]" }],
  ] as const)("%j on %j → %j", (source, notes, expected) => {
    expect(applyTemplate(compiled(source), notes)).toEqual(expected);
  });

  it("is applied per language for the status direction too", () => {
    expect(applyTemplate(compiled("{status|-}", "status"), { ja: "在宅" })).toEqual({ ja: "在宅" });
  });

  it.each([
    ["{note", "note", "'{' at character 1 is not closed; expected {note}, {note|fallback} or {note?prefix}"],
    ["a}", "note", "unmatched '}' at character 2; write '}}' for a literal brace"],
    ["{status}", "note", "unknown placeholder {status} at character 1; this direction knows {note}"],
    ["{note}", "status", "unknown placeholder {note} at character 1; this direction knows {status}"],
    ["{Note}", "note", "placeholder {Note} at character 1 is malformed; expected {note}, {note|fallback} or {note?prefix}"],
    ["{note|a{b}", "note", "placeholder {note|a{b} at character 1 is malformed; expected {note}, {note|fallback} or {note?prefix}"],
  ] as const)("rejects %j", (source, field, error) => {
    expect(compileTemplate(source, field)).toEqual({ ok: false, error });
  });
});
