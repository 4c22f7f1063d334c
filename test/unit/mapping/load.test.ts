/** Loading tables: the shipped ones validate; broken ones say what, where (pointer + line:column) and why. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTableFiles, loadTable, PROFILES, profilePath, sipToPresence, xmppToPresence } from "../../../src/mapping/index.js";
import { person, pidf, stanza, tuple } from "./builders.js";

const dir = mkdtempSync(join(tmpdir(), "mapping-load-"));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("shipped tables", () => {
  it("every shipped profile is a valid table", () => {
    expect(checkTableFiles(PROFILES.map(profilePath))).toEqual([]);
  });

  it("an unknown profile name is an error", () => {
    expect(loadTable({ profile: "3cx" })).toEqual({
      ok: false,
      error: [{ code: "unknown-profile", message: 'no shipped profile is named "3cx"; expected one of default, asterisk, kamailio, freeswitch' }],
    });
  });
});

describe("broken tables: every problem, with pointer and line:column", () => {
  it("wrong type and unknown key", () => {
    const file = write("types.json", [
      "{",
      '  "format": 1,',
      '  "sipToXmpp": [',
      "    {",
      '      "id": "ringing",',
      '      "when": { "phone": ["ringing"] },',
      '      "then": { "status": 5 }',
      "    },",
      '    { "id": "x", "whn": {}, "when": {}, "then": {} }',
      "  ]",
      "}",
    ].join("\n"));
    expect(checkTableFiles([file])).toEqual([
      { code: "schema-violation", message: "expected a string or null, found number 5", at: "/sipToXmpp/0/then/status (line 7, column 17)", source: file },
      { code: "schema-violation", message: 'unknown key "whn"; expected one of: id, description, when, then', at: "/sipToXmpp/1/whn (line 9, column 18)", source: file },
    ]);
  });

  it("missing key, bad enum value, bad id", () => {
    const file = write("enum.json", '{"format":1,"xmppToSip":[{"id":"Bad Id","when":{"show":["busy"]}}]}');
    const errors = checkTableFiles([file]);
    expect(errors.map((e) => [e.at, e.message])).toEqual([
      ["/xmppToSip/0 (line 1, column 26)", 'missing key "then"'],
      ["/xmppToSip/0/id (line 1, column 27)", `expected a kebab-case name (a-z, 0-9, '-'), found the string "Bad Id"`],
      ["/xmppToSip/0/when/show/0 (line 1, column 57)", 'expected one of "chat", "away", "xa", "dnd", "none"; found the string "busy"'],
    ]);
  });

  it("bad template and bad regular expression", () => {
    const file = write("compile.json", [
      "{",
      '  "format": 1,',
      '  "sipToXmpp": [',
      '    { "id": "a", "when": { "note": { "matches": "(unclosed" } }, "then": {} },',
      '    { "id": "b", "when": {}, "then": { "status": "On the phone {note" } },',
      '    { "id": "c", "when": {}, "then": { "status": "{status}" } }',
      "  ],",
      '  "xmppToSip": [{ "id": "d", "when": { "status": { "lang": "en" } }, "then": { "note": "a } b" } }]',
      "}",
    ].join("\n"));
    expect(checkTableFiles([file])).toEqual([
      {
        code: "invalid-pattern",
        message: "not a valid regular expression (flags iu): Invalid regular expression: /(unclosed/iu: Unterminated group",
        at: "/sipToXmpp/0/when/note/matches (line 4, column 38)",
        source: file,
      },
      {
        code: "invalid-template",
        message: "'{' at character 14 is not closed; expected {note}, {note|fallback} or {note?prefix}",
        at: "/sipToXmpp/1/then/status (line 5, column 40)",
        source: file,
      },
      {
        code: "invalid-template",
        message: "unknown placeholder {status} at character 1; this direction knows {note}",
        at: "/sipToXmpp/2/then/status (line 6, column 40)",
        source: file,
      },
      {
        code: "schema-violation",
        message: "a status condition needs at least one of equals, contains, matches",
        at: "/xmppToSip/0/when/status (line 8, column 40)",
        source: file,
      },
      {
        code: "invalid-template",
        message: "unmatched '}' at character 3; write '}}' for a literal brace",
        at: "/xmppToSip/0/then/note (line 8, column 80)",
        source: file,
      },
    ]);
  });

  it("JSON syntax errors, each with line and column", () => {
    const file = write("syntax.json", '{\n  "format": 1,\n  "sipToXmpp": [],\n}\n');
    expect(checkTableFiles([file])).toEqual([
      { code: "invalid-json", message: "expected a key in double quotes (no trailing comma before '}')", at: "line 4, column 1", source: file },
    ]);
    const comments = write("comments.json", '{ "format": 1 // one\n}');
    expect(checkTableFiles([comments])).toEqual([
      { code: "invalid-json", message: 'comments are not allowed in JSON; use a "description"', at: "line 1, column 15", source: comments },
    ]);
    const duplicate = write("duplicate.json", '{ "format": 1,\n  "format": 1 }');
    expect(checkTableFiles([duplicate])).toEqual([{ code: "invalid-json", message: 'duplicate key "format"', at: "line 2, column 3", source: duplicate }]);
    expect(checkTableFiles([write("empty.json", "  ")])[0]?.message).toBe("the file is empty; expected a table object");
  });

  it("a format this bridge does not read", () => {
    const file = write("v2.json", '{ "format": 2, "rules": [] }');
    expect(checkTableFiles([file])).toEqual([
      { code: "unsupported-version", message: "format 2 is not one this bridge reads; expected 1", at: "/format (line 1, column 3)", source: file },
    ]);
  });

  it("unknown extends, missing parent file, cycle", () => {
    const unknown = write("unknown.json", '{ "format": 1, "extends": "3cx" }');
    expect(checkTableFiles([unknown])).toEqual([{
      code: "unknown-profile",
      message: 'no shipped profile is named "3cx"; expected one of default, asterisk, kamailio, freeswitch or a path such as ./base.json',
      at: "/extends (line 1, column 16)",
      source: unknown,
    }]);
    const missing = write("missing.json", '{ "format": 1, "extends": "./nowhere.json" }');
    expect(checkTableFiles([missing])[0]).toMatchObject({ code: "file-not-found", at: "/extends (line 1, column 16)", source: missing });
    const a = write("a.json", '{ "format": 1, "extends": "./b.json" }');
    write("b.json", '{ "format": 1,\n  "extends": "./a.json" }');
    expect(checkTableFiles([a])).toEqual([{
      code: "extends-cycle",
      message: "tables extend each other in a cycle: a.json → b.json → a.json",
      at: "/extends (line 2, column 3)",
      source: join(dir, "b.json"),
    }]);
  });

  it("duplicate ids, redefining a removed rule, removing what the parent lacks", () => {
    const file = write("ids.json", [
      "{",
      '  "format": 1,',
      '  "extends": "default",',
      '  "remove": ["busy", "no-such-rule"],',
      '  "sipToXmpp": [',
      '    { "id": "mine", "when": {}, "then": {} },',
      '    { "id": "busy", "when": {}, "then": {} }',
      "  ],",
      '  "xmppToSip": [',
      '    { "id": "mine", "when": {}, "then": {} },',
      '    { "id": "ringing", "when": {}, "then": {} }',
      "  ]",
      "}",
    ].join("\n"));
    expect(checkTableFiles([file]).map((e) => [e.code, e.at, e.message])).toEqual([
      ["duplicate-rule", "/xmppToSip/0/id (line 10, column 7)", 'another rule of this table is already named "mine"; ids are unique across both directions'],
      ["unknown-rule", "/remove/1 (line 4, column 22)", 'cannot remove "no-such-rule": default has no rule "no-such-rule"'],
      ["duplicate-rule", "/sipToXmpp/1/id (line 7, column 7)", '"busy" is both removed and redefined; keep one'],
      ["duplicate-rule", "/xmppToSip/1/id (line 11, column 7)", '"ringing" names a sipToXmpp rule of default; a replacement must be in the same direction'],
    ]);
  });

  it("reports the problems of every file given", () => {
    const one = write("one.json", '{ "format": 1, "name": "Bad Name" }');
    const two = write("two.json", "[]");
    expect(checkTableFiles([one, two]).map((e) => [e.source, e.at])).toEqual([
      [one, "/name (line 1, column 16)"],
      [two, "/ (line 1, column 1)"],
    ]);
  });
});

describe("extends: own rules first, replacement in place, remove", () => {
  const base = write("base.json", JSON.stringify({
    format: 1,
    name: "base",
    sipToXmpp: [
      { id: "busy", when: { activities: { any: ["busy"] } }, then: { show: "dnd", status: "Busy" } },
      { id: "away", when: { activities: { any: ["away"] } }, then: { show: "away" } },
      { id: "rest", when: {}, then: {} },
    ],
    xmppToSip: [{ id: "x-all", when: {}, then: { basic: "open" } }],
    addresses: { escaping: "xep-0106", domains: [{ xmpp: "sip.example.com", sip: "pbx.example.com" }] },
  }));
  const child = loadTable({
    json: JSON.stringify({
      format: 1,
      extends: "./base.json",
      remove: ["away"],
      sipToXmpp: [
        { id: "first", when: { note: { contains: "lunch" } }, then: { show: "xa" } },
        { id: "busy", when: { activities: { any: ["busy"] } }, then: { show: "dnd", status: "{note|Occupied}" } },
      ],
      addresses: { escaping: "none" },
    }),
    file: join(dir, "child.json"),
  });

  it("orders the rules: new ones, then the parent's with replacements in place", () => {
    if (!child.ok) throw new Error(JSON.stringify(child.error));
    expect(child.value.sipToXmpp.map((r) => [r.id, r.origin])).toEqual([
      ["first", `${join(dir, "child.json")}#/sipToXmpp/0`],
      ["busy", `${join(dir, "child.json")}#/sipToXmpp/1`],
      ["rest", `${base}#/sipToXmpp/2`],
    ]);
    expect(child.value.xmppToSip.map((r) => r.id)).toEqual(["x-all"]);
    expect(child.value.name).toBe("child");
    expect(child.value.files).toEqual([join(dir, "child.json"), base]);
    expect(child.value.addresses).toEqual({ escaping: "none", domains: [{ xmpp: "sip.example.com", sip: "pbx.example.com" }] });
  });

  it("applies the replacement", () => {
    if (!child.ok) throw new Error("not loaded");
    const { presence, rule } = sipToPresence(pidf({ tuples: [tuple()], persons: [person({ activities: ["busy"] })] }), child.value);
    expect([rule, presence.show, presence.notes]).toEqual(["busy", "dnd", { "": "Occupied" }]);
    const away = sipToPresence(pidf({ tuples: [tuple()], persons: [person({ activities: ["away"] })] }), child.value);
    expect([away.rule, away.presence.show]).toEqual(["rest", undefined]);
    expect(xmppToPresence(stanza({ show: "dnd" }), child.value).rule).toBe("x-all");
  });

  it("inline JSON without a file resolves names against the shipped profiles", () => {
    const inline = loadTable({ json: '{ "format": 1, "extends": "asterisk", "name": "site" }' });
    expect(inline.ok && [inline.value.name, inline.value.files]).toEqual(["site", ["mappings/asterisk.json", "mappings/default.json"]]);
  });
});
