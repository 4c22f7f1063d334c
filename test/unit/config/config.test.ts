import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_SCHEMA, envKeys, loadConfig } from "../../../src/config/index.js";

const scratch = mkdtempSync(join(tmpdir(), "pb-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
function file(content: string): string {
  const path = join(scratch, `config-${++n}.json`);
  writeFileSync(path, content);
  return path;
}

const MINIMAL = { xmpp: { service: "xmpp://127.0.0.1:5347", domain: "sip.example.com", secret: "s3cret" }, store: { path: "/var/lib/pb/bridge.sqlite" } };

describe("loadConfig", () => {
  it("fills defaults, derives the server domain, and freezes the result", () => {
    const r = loadConfig({ file: file(JSON.stringify(MINIMAL)) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({
      xmpp: {
        service: "xmpp://127.0.0.1:5347", domain: "sip.example.com", secret: "s3cret", serverDomain: "example.com", name: "SIP presence gateway",
        reconnect: { initialDelayMs: 500, maxDelayMs: 60_000, factor: 2, jitter: 1 },
        keepalive: { intervalMs: 60_000, timeoutMs: 20_000, target: "example.com" },
        connectTimeoutMs: 15_000, queueLimit: 10_000, maxStanzaBytes: 65_536,
      },
      store: { path: "/var/lib/pb/bridge.sqlite" },
      mapping: { profile: "default" },
      subscriptions: { approve: ["example.com"], otherwise: "deny", rateLimit: { burst: 50, perMinute: 30 } },
      contacts: {},
      log: { level: "info" },
      people: { links: [], fromAddresses: true, debounceMs: 250 },
    });
    expect(Object.isFrozen(r.value.xmpp.reconnect)).toBe(true);
    expect(Object.isFrozen(r.value.subscriptions.approve)).toBe(true);
  });

  it("takes the secret and any other key from PRESENCE_BRIDGE_* variables, over the file", () => {
    const { secret: _, ...xmpp } = MINIMAL.xmpp;
    const r = loadConfig({
      file: file(JSON.stringify({ ...MINIMAL, xmpp })),
      env: {
        PRESENCE_BRIDGE_XMPP_SECRET: "from-env",
        PRESENCE_BRIDGE_XMPP_RECONNECT_MAX_DELAY_MS: "9000",
        PRESENCE_BRIDGE_XMPP_KEEPALIVE: "false",
        PRESENCE_BRIDGE_SUBSCRIPTIONS_APPROVE: "example.com, *.example.org",
        PRESENCE_BRIDGE_DEBUG: "1",
        HOME: "/root",
      },
    });
    expect(r.ok && [r.value.xmpp.secret, r.value.xmpp.reconnect.maxDelayMs, r.value.xmpp.keepalive, r.value.subscriptions.approve]).toEqual([
      "from-env", 9000, false, ["example.com", "*.example.org"],
    ]);
  });

  it("names every key of the schema as a variable", () => {
    const names = envKeys(CONFIG_SCHEMA as Parameters<typeof envKeys>[0]).map((k) => k.variable);
    expect(names).toContain("PRESENCE_BRIDGE_XMPP_SECRET");
    expect(names).toContain("PRESENCE_BRIDGE_XMPP_KEEPALIVE_INTERVAL_MS");
    expect(names).toContain("PRESENCE_BRIDGE_STORE_PATH");
  });

  it("reports an unknown key by name, with its line and column", () => {
    const path = file(`{\n  "xmpp": { "service": "xmpp://127.0.0.1:5347", "domain": "sip.example.com", "secret": "x", "secrte": "y" },\n  "store": { "path": "/tmp/x" }\n}`);
    const r = loadConfig({ file: path });
    expect(r).toEqual({
      ok: false,
      error: [{ code: "unknown-key", message: expect.stringMatching(/^xmpp\.secrte: unknown key; expected one of service, domain, secret, /), at: "line 2, column 93", source: path }],
    });
  });

  it("reports every problem at once, each naming its key and what is wrong", () => {
    const path = file(JSON.stringify({ xmpp: { service: "http://x", domain: "sip.example.com", reconnect: { jitter: 2 } }, log: { level: "loud" } }));
    const r = loadConfig({ file: path });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => [e.code, e.message.split(":")[0]])).toEqual([
      ["missing-key", "store"],
      ["missing-key", "xmpp.secret"],
      ["invalid-value", "xmpp.service"],
      ["invalid-value", "xmpp.reconnect.jitter"],
      ["invalid-value", "log.level"],
    ]);
  });

  it("names the variable when a value from the environment is wrong, and refuses unknown variables", () => {
    const r = loadConfig({ file: file(JSON.stringify(MINIMAL)), env: { PRESENCE_BRIDGE_XMPP_QUEUE_LIMIT: "lots", PRESENCE_BRIDGE_XMPP_SECRETS: "x" } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => [e.code, e.source])).toEqual([
      ["unknown-key", "PRESENCE_BRIDGE_XMPP_SECRETS"],
      ["invalid-value", "PRESENCE_BRIDGE_XMPP_QUEUE_LIMIT"],
    ]);
    expect(r.error[1]?.message).toBe('xmpp.queueLimit: expected integer, found "lots"');
  });

  it("checks what the schema cannot: delays in order, a pattern that compiles", () => {
    const r = loadConfig({
      file: file(JSON.stringify({ ...MINIMAL, xmpp: { ...MINIMAL.xmpp, reconnect: { initialDelayMs: 5000, maxDelayMs: 100 } }, contacts: { pattern: "(" } })),
    });
    expect(r.ok === false && r.error.map((e) => e.message.split(":")[0])).toEqual(["xmpp.reconnect.maxDelayMs", "contacts.pattern"]);
  });

  it("refuses a file that is not strict JSON or not there", () => {
    expect(loadConfig({ file: file('{ "xmpp": {}, }') })).toMatchObject({ ok: false, error: [{ code: "invalid-json", at: "line 1, column 15" }] });
    expect(loadConfig({ file: file("") })).toMatchObject({ ok: false, error: [{ code: "invalid-json" }] });
    expect(loadConfig({ file: join(scratch, "missing.json") })).toMatchObject({ ok: false, error: [{ code: "file-not-found" }] });
  });
});
