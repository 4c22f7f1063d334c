/**
 * `npm run demo` without a terminal: the live scenario through real Prosody, Kamailio,
 * baresip and `presence-bridge start` runs once, prints what each side sees, stops
 * everything it started and exits 0.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

function runDemo(): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "lab/demo.ts"], { cwd: ROOT, env: { ...process.env, CI: "1" }, timeout: 110_000 }, (error, out, err) =>
      resolve({ code: typeof error?.code === "number" ? error.code : error ? -1 : 0, out, err }),
    );
  });
}

describe("npm run demo (no terminal)", () => {
  it("shows presence moving both ways, then stops what it started and exits 0", async () => {
    const r = await runDemo();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n").map((l) => l.trim());
    for (const line of [
      "chat user juliet: the bridge answered subscribed",
      "chat user juliet sees 1001: dnd — On the phone",
      "chat user juliet sees 1001: dnd — Ringing",
      "chat user juliet sees 1001: available",
      "chat user juliet sees 1002: available",
      "chat user juliet sees 1002: unavailable",
      "chat user juliet is asked by romeo@sip.localhost; she approves",
      "SIP watcher sees juliet: open — Reading",
      "SIP watcher sees juliet: open, away — Back in ten minutes",
      "SIP watcher sees juliet: open, busy — In a meeting",
    ]) {
      expect(lines).toContain(line);
    }
    expect(r.out).toMatch(/^ {2}presence-bridge \d+, Kamailio \d+, Prosody \d+; temp folders removed$/m);
  }, 120_000);
});
