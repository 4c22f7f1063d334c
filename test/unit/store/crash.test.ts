/**
 * "A crash mid-write loses nothing that was acknowledged": a child process
 * writes through SqliteStore in a loop and acknowledges each write over a
 * pipe; it is SIGKILLed mid-loop; after reopening, every acknowledged write is
 * there, and every unit of two rows is whole.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.js";

const root = resolve(import.meta.dirname, "../../..");
const writer = join(import.meta.dirname, "fixtures", "crash-writer.ts");
const dir = mkdtempSync(join(tmpdir(), "presence-bridge-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer and SIGKILLs it once `killAfter` acks have arrived; resolves with every ack it sent. */
function writeUntilKilled(path: string, first: number, killAfter: number): Promise<{ acked: number[]; signal: string | null }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, path, String(first), "200000"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    let stderr = "";
    const acked: number[] = [];
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) acked.push(Number(line));
      if (acked.length >= killAfter && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", failed);
    child.on("close", (_code, signal) => {
      if (signal !== "SIGKILL") failed(new Error(`the writer was not killed (exit ${String(_code)}): ${stderr}`));
      else done({ acked, signal });
    });
  });
}

describe("SqliteStore: crash mid-write", () => {
  it("after SIGKILL, every acknowledged write is there and no unit is half-written (twice over)", async () => {
    const path = join(dir, "crash.db");
    const first = await writeUntilKilled(path, 0, 1_500);
    expect(first.acked.length).toBeGreaterThanOrEqual(1_500);
    const last = first.acked[first.acked.length - 1] as number;
    // A second life starts where the first was cut and is killed too.
    const second = await writeUntilKilled(path, last + 1, 1_500);
    const acked = [...first.acked, ...second.acked];

    const opened = SqliteStore.open(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    const watchers = new Set([...store.listSubscriptions()].map((r) => r.watcher));
    const entities = new Set([...store.listPresence()].map((p) => p.entity));
    const missing = acked.filter((i) => !watchers.has(`w${i}@capulet.lit`) || !entities.has(`w${i}@capulet.lit`));
    expect(missing).toEqual([]);
    // Whole units only: the same rows in both tables.
    expect([...watchers].sort()).toEqual([...entities].sort());
    // At most the one write in flight at the kill was committed without its ack.
    expect(watchers.size - acked.length).toBeGreaterThanOrEqual(0);
    expect(watchers.size - acked.length).toBeLessThanOrEqual(2);
    store.close();
  });
});
