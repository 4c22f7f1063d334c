import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";

const scratch = mkdtempSync(join(tmpdir(), "pb-config-sip-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
function file(content: string, ext = "json"): string {
  const path = join(scratch, `config-${++n}.${ext}`);
  writeFileSync(path, content);
  return path;
}

const BASE = { xmpp: { service: "xmpp://127.0.0.1:5347", domain: "sip.example.com", secret: "s3cret" }, store: { path: ":memory:" } };

describe("loadConfig: the SIP side and linked people", () => {
  it("fills SIP defaults and takes the digest password from the environment", () => {
    const r = loadConfig({
      file: file(JSON.stringify({ ...BASE, sip: { listen: { tcp: { port: 5070 } }, identity: "sip:gw@example.com", domain: "example.com", auth: { username: "gw", password: "x" } } })),
      env: { PRESENCE_BRIDGE_SIP_AUTH_PASSWORD: "from-env" },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.sip).toEqual({
      listen: { tcp: { host: "127.0.0.1", port: 5070 } }, transport: "tcp", identity: "sip:gw@example.com", domain: "example.com",
      auth: { username: "gw", password: "from-env" },
      access: { trustedNetworks: ["127.0.0.1/32", "::1"], realm: "example.com", users: [] },
      mode: "notify", refreshWithBody: false, expires: 600, minNotifyIntervalMs: 200,
    });
    expect(r.value.people).toEqual({ links: [], fromAddresses: true, debounceMs: 250 });
  });

  it("leaves the SIP side out when the file has none", () => {
    const r = loadConfig({ file: file(JSON.stringify(BASE)) });
    expect(r.ok && r.value.sip).toBe(undefined);
  });

  it("names the key and the problem", () => {
    const r = loadConfig({ file: file(JSON.stringify({ ...BASE, sip: { listen: { udp: { port: 5070 } }, identity: "gw@example.com", domain: "example.com", mode: "relay" } })) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => e.message).sort()).toEqual([
      'sip.identity: "gw@example.com" does not have the expected form (^sips?:[^\\s]+$)',
      'sip.mode: expected one of "notify", "publish", "both", found "relay"',
    ]);
  });

  it("refuses a preferred transport that does not listen", () => {
    const r = loadConfig({ file: file(JSON.stringify({ ...BASE, sip: { listen: { udp: { port: 5070 } }, transport: "tcp", identity: "sip:gw@example.com", domain: "example.com" } })) });
    expect(r.ok ? [] : r.error.map((e) => e.message)).toEqual(['sip.transport: "tcp" does not listen; add sip.listen.tcp']);
  });

  it("reads YAML, with the line and column of a bad key", () => {
    const good = loadConfig({
      file: file(
        ["xmpp:", "  service: xmpp://127.0.0.1:5347", "  domain: sip.example.com", "  secret: s3cret", "store:", "  path: ':memory:'",
          "people:", "  links:", "    - { jid: alice@example.com, extension: '1001' }", "  debounceMs: 50", ""].join("\n"),
        "yaml",
      ),
    });
    expect(good.ok && good.value.people).toEqual({ links: [{ jid: "alice@example.com", extension: "1001" }], fromAddresses: true, debounceMs: 50 });
    const bad = loadConfig({ file: file(["xmpp:", "  service: xmpp://127.0.0.1:5347", "  domain: sip.example.com", "  secret: s3cret", "store:", "  path: x", "  colour: red", ""].join("\n"), "yml") });
    expect(bad.ok ? [] : bad.error.map((e) => [e.message, e.at])).toEqual([["store.colour: unknown key; expected one of path", "line 7, column 11"]]);
    const broken = loadConfig({ file: file("xmpp: [1, 2\n", "yaml") });
    expect(broken.ok ? "" : broken.error[0]?.code).toBe("invalid-json");
  });
});

describe("the sample config", () => {
  it("samples/config/presence-bridge.yaml loads", () => {
    const r = loadConfig({ file: join(import.meta.dirname, "../../../samples/config/presence-bridge.yaml"), env: { PRESENCE_BRIDGE_XMPP_SECRET: "x", PRESENCE_BRIDGE_SIP_AUTH_PASSWORD: "y" } });
    expect(r.ok ? { mode: r.value.sip?.mode, password: r.value.sip?.auth?.password, links: r.value.people.links.length } : r.error).toEqual({ mode: "both", password: "y", links: 1 });
  });
});
