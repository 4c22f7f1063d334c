import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Output } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { start } from "../../../src/cli/start.js";

function capture(): Output & { out_: string; err_: string } {
  const o = { out_: "", err_: "", out: (t: string) => void (o.out_ += `${t}\n`), err: (t: string) => void (o.err_ += `${t}\n`) };
  return o;
}
const scratch = mkdtempSync(join(tmpdir(), "pb-start-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("presence-bridge start", () => {
  it("exits 1 naming each config problem, before connecting anywhere", async () => {
    const file = join(scratch, "bad.json");
    writeFileSync(file, JSON.stringify({ xmpp: { service: "xmpp://127.0.0.1:5347", domain: "sip.example.com", secret: "x", retries: 3 } }));
    const out = capture();
    expect(await start(["--config", file], out, { env: {}, onSignal: () => undefined })).toBe(1);
    expect(out.err_.split("\n").filter(Boolean)).toEqual([
      `${file}: line 1, column 1: store: is required (missing-key)`,
      expect.stringMatching(new RegExp(`^${file}: line 1, column \\d+: xmpp\\.retries: unknown key; expected one of service, domain, secret, .* \\(unknown-key\\)$`)),
    ]);
    expect(out.out_).toBe("");
  });

  it("exits 1 for a missing file, and names an unknown PRESENCE_BRIDGE_ variable", async () => {
    const out = capture();
    expect(await start(["--config", join(scratch, "nope.json")], out, { env: {}, onSignal: () => undefined })).toBe(1);
    expect(out.err_).toContain("cannot read the config file: no such file (file-not-found)");
    const env = capture();
    expect(await start([], env, { env: { PRESENCE_BRIDGE_XMPP_SERVCE: "x" }, onSignal: () => undefined })).toBe(1);
    expect(env.err_).toContain("PRESENCE_BRIDGE_XMPP_SERVCE: unknown environment variable PRESENCE_BRIDGE_XMPP_SERVCE");
  });

  it("is a usage error (2) with arguments besides --config", async () => {
    const out = capture();
    expect(await main(["start", "extra"], out)).toBe(2);
    expect(out.err_).toContain("start takes no arguments besides --config FILE");
  });
});
