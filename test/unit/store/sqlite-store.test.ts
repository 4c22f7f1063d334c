import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, SCHEMA_VERSION } from "../../../src/store/migrations.js";
import { SqliteStore } from "../../../src/store/sqlite-store.js";
import { juliet, onThePhone, storeContract } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "presence-bridge-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.db`);

function openOk(path: string, options = {}): SqliteStore {
  const result = SqliteStore.open(path, options);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

storeContract("SqliteStore", () => openOk(freshPath()));

describe("SqliteStore: the file", () => {
  it("commits a relaxed transaction with synchronous=NORMAL and is FULL again after it, even when it throws", () => {
    const store = openOk(freshPath());
    const seen: unknown[] = [];
    store.relaxedTransaction(() => seen.push(store.describe().synchronous));
    expect(() => store.relaxedTransaction(() => {
      seen.push(store.describe().synchronous);
      throw new Error("abort");
    })).toThrow("abort");
    expect([...seen, store.describe().synchronous]).toEqual(["normal", "normal", "full"]);
    store.close();
  });

  it("is WAL with synchronous=FULL by default, NORMAL on request, at the latest schema", () => {
    const store = openOk(freshPath());
    expect(store.describe()).toMatchObject({ journalMode: "wal", synchronous: "full", schemaVersion: SCHEMA_VERSION });
    store.close();
    const normal = openOk(freshPath(), { synchronous: "normal" });
    expect(normal.describe().synchronous).toBe("normal");
    normal.close();
  });

  it("a restart loses nothing: every kind of record is there after close and reopen", () => {
    const path = freshPath();
    const store = openOk(path);
    store.putSubscription(juliet({ state: "none", pendingOut: true, resendAt: 5, resendCount: 1 }));
    store.putPresence(onThePhone);
    store.putDialog({ id: "x;1;2", role: "notifier", state: { cseq: 1 }, expiresAt: 9 });
    store.close();
    const again = openOk(path);
    expect([...again.listSubscriptions()]).toEqual([juliet({ state: "none", pendingOut: true, resendAt: 5, resendCount: 1 })]);
    expect(again.getPresence(onThePhone.entity)).toEqual(JSON.parse(JSON.stringify(onThePhone)));
    expect([...again.listDialogs()]).toEqual([{ id: "x;1;2", role: "notifier", state: { cseq: 1 }, expiresAt: 9 }]);
    again.close();
  });
});

describe("SqliteStore: schema migrations", () => {
  it("an empty file is migrated to the latest version", () => {
    const path = freshPath();
    openOk(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(["presence", "sip_dialogs", "subscriptions"]);
    db.close();
  });

  it("a file at version N-1 is migrated and keeps its rows", () => {
    const path = freshPath();
    const db = new Database(path);
    expect(migrate(db, SCHEMA_VERSION - 1)).toEqual({ from: 0, to: SCHEMA_VERSION - 1 });
    db.prepare(
      "INSERT INTO subscriptions (contact, watcher, state, pending_in, pending_out, pre_approved, nick, updated_at) VALUES (?, ?, 'none', 1, 0, 0, 'Juliet', 7)",
    ).run("1001@sip.example.com", "juliet@capulet.lit");
    db.close();
    const store = openOk(path);
    expect(store.describe().schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toEqual(
      juliet({ state: "none", pendingIn: true, nick: "Juliet", updatedAt: 7 }),
    );
    store.putSubscription(juliet({ decideBy: 11, askCount: 0 }));
    expect(store.getSubscription("1001@sip.example.com", "juliet@capulet.lit")).toMatchObject({ decideBy: 11 });
    store.close();
  });

  it("a file from a newer presence-bridge is refused and left untouched", () => {
    const path = freshPath();
    openOk(path).close();
    const db = new Database(path);
    db.pragma("user_version = 99");
    db.close();
    const before = readFileSync(path);
    const result = SqliteStore.open(path);
    expect(result).toMatchObject({ ok: false, error: { code: "store-schema-newer", source: path } });
    expect(result.ok ? "" : result.error.message).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe("SqliteStore: bad files are errors that name the file", () => {
  it("a file that is not a database", () => {
    const path = freshPath();
    writeFileSync(path, "this is not a SQLite file, it is a note left by someone\n".repeat(100));
    const result = SqliteStore.open(path);
    expect(result).toMatchObject({ ok: false, error: { code: "store-corrupt", source: path } });
    expect(result.ok ? "" : result.error.message).toContain(path);
  });

  it("a database with damaged pages", () => {
    const path = freshPath();
    const store = openOk(path);
    store.transaction(() => {
      for (let i = 0; i < 2_000; i++) store.putSubscription(juliet({ watcher: `w${i}@capulet.lit`, nick: "x".repeat(50) }));
    });
    store.close();
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(16 * 4096);
    const fd = openSync(path, "r+");
    // Leave the header and schema page; overwrite data pages in the middle.
    writeSync(fd, Buffer.alloc(8 * 4096, 0xa5), 0, 8 * 4096, 4 * 4096);
    closeSync(fd);
    const result = SqliteStore.open(path);
    expect(result).toMatchObject({ ok: false, error: { code: "store-corrupt", source: path } });
  });

  it("a path that cannot be opened", () => {
    const path = join(dir, "no-such-dir", "store.db");
    const result = SqliteStore.open(path);
    expect(result).toMatchObject({ ok: false, error: { code: "store-unreadable", source: path } });
    expect(result.ok ? "" : result.error.message).toContain(path);
  });

  it("a directory in place of the file", () => {
    const result = SqliteStore.open(dir);
    expect(result).toMatchObject({ ok: false, error: { source: dir } });
  });
});
