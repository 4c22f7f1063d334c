import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import type { Output } from "../../../src/cli/io.js";

const root = resolve(import.meta.dirname, "../../..");
const sample = (name: string): string => join(root, "samples", name);
const fixture = (name: string): string => join(root, "test", "fixtures", name);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const output: Output = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await main(args, output);
  return { code, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), "pb-cli-"));
function file(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe("translate --from sip", () => {
  it("prints the presence a chat user would get for an Asterisk call", async () => {
    const r = await run("translate", "--from", "sip", sample("sip/asterisk-20-pidf-on-the-phone.xml"), "--profile", "asterisk");
    expect(r).toEqual({ code: 0, out: "<presence><show>dnd</show><status>On the phone</status><priority>127</priority></presence>\n", err: "" });
  });

  it("--json prints the canonical presence and the rule", async () => {
    const r = await run("translate", "--from", "sip", sample("sip/asterisk-20-pidf-ringing.xml"), "--profile", "asterisk", "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { rule: string; presence: { availability: string; show: string; phone: string } };
    expect([json.rule, json.presence.availability, json.presence.show, json.presence.phone]).toEqual(["asterisk-ringing", "available", "dnd", "ringing"]);
  });

  it("infers dialog-info from the root element", async () => {
    const r = await run("translate", "--from", "sip", sample("sip/asterisk-20-dialog-info-early.xml"));
    expect(r.out).toBe("<presence><show>dnd</show><status>Ringing</status></presence>\n");
  });

  it("a content type that does not fit the body is invalid input, exit 1", async () => {
    const r = await run("translate", "--from", "sip", "--content-type", "application/dialog-info+xml", sample("sip/asterisk-20-pidf-idle.xml"));
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain("asterisk-20-pidf-idle.xml: ");
    expect(r.err).toContain("(unexpected-root)");
  });

  it("malformed XML: one line naming the file, line and column; no stack trace", async () => {
    const path = file("broken.xml", '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">\n<tuple id="t"><status></tuple>\n</presence>');
    const r = await run("translate", "--from", "sip", path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^.*broken\.xml: line 2, column \d+: .*\(not-well-formed\)\n$/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("entity declarations are refused with their location", async () => {
    const r = await run("translate", "--from", "sip", fixture("hostile-0-xxe-system-entity.xml"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/hostile-0-xxe-system-entity\.xml: line \d+, column \d+: .*\(entity-declaration\)\n$/);
  });

  it("invalid UTF-8 is named as such", async () => {
    const path = file("latin1.xml", Buffer.concat([Buffer.from('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><note>'), Buffer.from([0xe9]), Buffer.from("</note></presence>")]));
    const r = await run("translate", "--from", "sip", path);
    expect(r.code).toBe(1);
    expect(r.err).toContain("(invalid-utf8)");
  });

  it("a missing file is invalid input, exit 1", async () => {
    const r = await run("translate", "--from", "sip", join(scratch, "nope.xml"));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${join(scratch, "nope.xml")}: cannot read the file: no such file (file-not-found)\n`);
  });
});

describe("translate --from xmpp", () => {
  it("prints the PIDF a SIP watcher would get, status kept in both languages", async () => {
    const r = await run("translate", "--from", "xmpp", sample("xmpp/juliet-away.xml"));
    expect(r.code).toBe(0);
    expect(r.out).toContain('entity="sip:juliet@capulet.lit"');
    expect(r.out).toContain("<basic>open</basic>");
    expect(r.out).toContain("<rpid:away/>");
    expect(r.out).toContain('<note xml:lang="en">Back in ten minutes</note>');
    expect(r.out).toContain('<note xml:lang="fr">De retour dans dix minutes</note>');
  });

  it("--entity overrides the presentity URI", async () => {
    const r = await run("translate", "--from", "xmpp", sample("xmpp/romeo-chat.xml"), "--entity", "sip:2002@pbx.example.com");
    expect(r.out).toContain('entity="sip:2002@pbx.example.com"');
  });

  it("RFC 6121 corrections are reported as warnings and the translation goes on", async () => {
    const path = file("odd.xml", "<presence from='romeo@montague.lit/x'><show>sleepy</show><priority>300</priority></presence>");
    const r = await run("translate", "--from", "xmpp", path, "--json");
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning:");
    expect(r.err).toContain("(unknown-show)");
    expect(r.err).toContain("(priority-out-of-range)");
    expect((JSON.parse(r.out) as { presence: { priority: number } }).presence.priority).toBe(127);
  });

  it("a stanza without 'from' needs --entity: usage, exit 2", async () => {
    const path = file("nofrom.xml", "<presence/>");
    expect((await run("translate", "--from", "xmpp", path)).code).toBe(2);
  });
});

describe("usage errors exit 2", () => {
  it.each([
    [[]],
    [["frobnicate"]],
    [["translate", sample("xmpp/romeo-chat.xml")]],
    [["translate", "--from", "smtp", sample("xmpp/romeo-chat.xml")]],
    [["translate", "--from", "sip"]],
    [["translate", "--from", "sip", "--mapping", "x.json", "--profile", "asterisk", sample("sip/asterisk-20-pidf-idle.xml")]],
    [["translate", "--from", "sip", "--bogus", sample("sip/asterisk-20-pidf-idle.xml")]],
    [["mapping"]],
    [["mapping", "check"]],
    [["mapping", "explain", join(root, "mappings/default.json")]],
  ])("%j", async (args) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).not.toBe("");
  });
});

describe("mapping check", () => {
  it("every shipped table is valid", async () => {
    const files = ["default", "asterisk", "kamailio", "freeswitch"].map((n) => join(root, "mappings", `${n}.json`));
    const r = await run("mapping", "check", ...files);
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n")).toHaveLength(4);
  });

  it("lists every problem with file, JSON pointer and line:column", async () => {
    const path = file(
      "bad.json",
      JSON.stringify(
        {
          format: 1,
          name: "bad",
          extends: "default",
          sipToXmpp: [{ id: "x", when: { basic: "ajar" }, then: { show: "dnd" } }],
          xmppToSip: [{ id: "y", when: { show: ["away"] }, then: { basic: "open", colour: "red" } }],
        },
        null,
        2,
      ),
    );
    const r = await run("mapping", "check", path);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.includes("/sipToXmpp/0/when/basic") && /line 9, column \d+/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("/xmppToSip/0/then/colour") && /line 26, column 9/.test(l))).toBe(true);
    expect(lines.every((l) => l.startsWith(`${path}: `))).toBe(true);
  });

  it("a malformed template is named with its pointer", async () => {
    const path = file("template.json", JSON.stringify({ format: 1, name: "t", extends: "default", sipToXmpp: [{ id: "t", when: {}, then: { status: "{note" } }] }, null, 2));
    const r = await run("mapping", "check", path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/template\.json: \/sipToXmpp\/0\/then\/status \(line \d+, column \d+\): .*\(invalid-template\)/);
  });

  it("a JSON syntax error names its line and column", async () => {
    const path = file("syntax.json", '{\n  "format": 1,\n  "name": "x",,\n}');
    const r = await run("mapping", "check", path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/syntax\.json: .*line 3, column \d+.*\(invalid-json\)/);
  });
});

describe("mapping explain", () => {
  it("shows the rules tried and the one that matched", async () => {
    const r = await run("mapping", "explain", join(root, "mappings/asterisk.json"), "--from", "sip", sample("sip/asterisk-20-pidf-on-hold.xml"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^MATCH asterisk-on-hold$/m);
    expect(r.out).toMatch(/^ {2}- {3}asterisk-ringing$/m);
    expect(r.out).toContain("result (rule asterisk-on-hold)");
  });

  it("explains an XMPP stanza too", async () => {
    const r = await run("mapping", "explain", join(root, "mappings/default.json"), "--from", "xmpp", sample("xmpp/romeo-xa-idle.xml"));
    expect(r.out).toMatch(/^MATCH xmpp-xa$/m);
  });
});

describe("demo", () => {
  it("translates every shipped sample and refuses the hostile one", async () => {
    const r = await run("demo", "--samples");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("rejected, as it should be");
    expect(r.out).not.toContain("unexpectedly");
  });

  it("points to npm run demo for the live bridge when --samples is not given", async () => {
    const r = await run("demo");
    expect(r.code).toBe(2);
    expect(r.err).toContain("npm ci && npm run demo");
  });
});
