/**
 * The Store port on an embedded SQLite file (better-sqlite3 12): WAL,
 * prepared statements, versioned migrations, JSON columns for open shapes.
 *
 * Durability. The port promises that a call that returned is durable: the
 * gateway acknowledges (sends `subscribed`, answers 200) right after it. In WAL
 * mode `synchronous=NORMAL` survives a crash of this process but may lose the
 * last commits on power loss or an OS crash, because the WAL is not fsynced at
 * each commit. We cannot tell those crashes apart from here (a VM reset is
 * both), and an acknowledged subscription that vanishes leaves the watcher's
 * roster and ours out of step until someone notices. So the default is
 * `synchronous=FULL`: the WAL is fsynced at every commit (about 0.12 ms each on
 * this project's machines; subscription changes are human-paced). `normal` is
 * an option for deployments that accept that risk for throughput.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { fail, ok, type BridgeError, type Result } from "../errors.js";
import type {
  Logger,
  SipDialogRecord,
  Store,
  StoredPresence,
  SubscriptionRecord,
} from "../gateway/ports.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { prepareStatements, rowToDialog, rowToPresence, rowToSubscription, subscriptionParams, type Statements } from "./sqlite-statements.js";
import { toJson } from "./records.js";

export interface SqliteStoreOptions {
  /** See the file comment. Default `full`. */
  readonly synchronous?: "full" | "normal";
  /** `quick` runs `PRAGMA quick_check` at open, so a damaged file is named at start, not mid-run. Default `quick`. */
  readonly check?: "quick" | "none";
  /** How long to wait for a lock held by another connection. Default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Rows that cannot be read (bad JSON) are skipped and logged here. */
  readonly logger?: Logger;
}

const CORRUPT_CODES = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_CORRUPT_VTAB", "SQLITE_CORRUPT_SEQUENCE", "SQLITE_CORRUPT_INDEX"]);

function openError(path: string, error: unknown): BridgeError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && CORRUPT_CODES.has(code)) {
    return { code: "store-corrupt", message: `${path} is not a presence-bridge database or is damaged: ${message}`, source: path };
  }
  return { code: "store-unreadable", message: `${path} cannot be opened: ${message}`, source: path };
}

export class SqliteStore implements Store {
  private constructor(
    private readonly db: Database.Database,
    /** The file this store writes, for messages. */
    readonly path: string,
    private readonly statements: Statements,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Opens (creating if missing) and migrates the database at `path`
   * (`:memory:` for a private in-memory database). A file that is not a SQLite
   * database, is damaged, or was written by a newer presence-bridge is an
   * error naming the file; nothing is changed in it.
   */
  static open(path: string, options: SqliteStoreOptions = {}): Result<SqliteStore> {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { fileMustExist: false });
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
      // Reading the header first: a file that is not a database fails here, before any write.
      const version = schemaVersion(db);
      if (version > SCHEMA_VERSION) {
        db.close();
        return fail(
          "store-schema-newer",
          `${path} has schema version ${version}; this presence-bridge reads up to ${SCHEMA_VERSION}`,
          undefined,
          path,
        );
      }
      if ((options.check ?? "quick") === "quick" && version > 0) {
        const result = db.pragma("quick_check", { simple: true });
        if (result !== "ok") {
          db.close();
          return fail("store-corrupt", `${path} is damaged: ${String(result)}`, undefined, path);
        }
      }
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal" && path !== ":memory:") {
        db.close();
        return fail("store-unreadable", `${path} cannot use write-ahead logging (journal_mode=${String(mode)})`, undefined, path);
      }
      db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
      db.pragma("foreign_keys = ON");
      migrate(db);
      return ok(new SqliteStore(db, path, prepareStatements(db), options.logger));
    } catch (error) {
      try {
        db?.close();
      } catch {
        // already unusable
      }
      return { ok: false, error: openError(path, error) };
    }
  }

  /** Whether a database file exists at `path` (for "created" vs "opened" in logs). */
  static exists(path: string): boolean {
    return path !== ":memory:" && existsSync(path);
  }

  getSubscription(contact: string, watcher: string): SubscriptionRecord | undefined {
    const row = this.statements.getSubscription.get(contact, watcher);
    return row === undefined ? undefined : rowToSubscription(row);
  }

  putSubscription(record: SubscriptionRecord): void {
    this.statements.putSubscription.run(subscriptionParams(record));
  }

  deleteSubscription(contact: string, watcher: string): void {
    this.statements.deleteSubscription.run(contact, watcher);
  }

  /**
   * Pages of 2,000 rows in key order, each read at once: the connection stays
   * free for writes between pages (a row written meanwhile after the current
   * key is listed too), and memory stays flat however many rows there are.
   */
  *listSubscriptions(): Iterable<SubscriptionRecord> {
    const page = 2_000;
    let rows = this.statements.firstSubscriptions.all(page);
    for (;;) {
      for (const row of rows) yield rowToSubscription(row);
      const last = rows[rows.length - 1];
      if (rows.length < page || last === undefined) return;
      rows = this.statements.nextSubscriptions.all(last.contact, last.watcher, page);
    }
  }

  subscriptionsOf(contact: string): readonly SubscriptionRecord[] {
    return this.statements.subscriptionsOf.all(contact).map(rowToSubscription);
  }

  getPresence(entity: string): StoredPresence | undefined {
    const row = this.statements.getPresence.get(entity);
    return row === undefined ? undefined : this.readable(rowToPresence, row, "presence", entity);
  }

  putPresence(record: StoredPresence): void {
    this.statements.putPresence.run(record.entity, toJson(record.presence), record.updatedAt);
  }

  listPresence(): Iterable<StoredPresence> {
    const out: StoredPresence[] = [];
    for (const row of this.statements.listPresence.all()) {
      const record = this.readable(rowToPresence, row, "presence", row.entity);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  putDialog(record: SipDialogRecord): void {
    this.statements.putDialog.run(record.id, record.role, toJson(record.state), record.expiresAt);
  }

  deleteDialog(id: string): void {
    this.statements.deleteDialog.run(id);
  }

  listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord> {
    const rows = role === undefined ? this.statements.listDialogs.all() : this.statements.listDialogsByRole.all(role);
    const out: SipDialogRecord[] = [];
    for (const row of rows) {
      const record = this.readable(rowToDialog, row, "sip_dialogs", row.id);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /** What the file is and how it is opened, for logs and the operator. */
  describe(): { readonly path: string; readonly schemaVersion: number; readonly journalMode: string; readonly synchronous: "full" | "normal" | "other" } {
    const level = this.db.pragma("synchronous", { simple: true });
    return {
      path: this.path,
      schemaVersion: schemaVersion(this.db),
      journalMode: String(this.db.pragma("journal_mode", { simple: true })),
      // PRAGMA synchronous reads back as a number: 1 = NORMAL, 2 = FULL.
      synchronous: level === 2 ? "full" : level === 1 ? "normal" : "other",
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** WAL + synchronous=NORMAL for this commit only: the WAL is not fsynced (a checkpoint still is). */
  relaxedTransaction<T>(fn: () => T): T {
    // Inside a transaction the level cannot change (and the outer one decides anyway).
    if (this.db.inTransaction || this.db.pragma("synchronous", { simple: true }) !== 2) return this.transaction(fn);
    this.db.pragma("synchronous = NORMAL");
    try {
      return this.transaction(fn);
    } finally {
      this.db.pragma("synchronous = FULL");
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** A row whose JSON does not parse is skipped and logged: one bad row never stops a restore. */
  private readable<R, V>(read: (row: R) => V, row: R, table: string, key: string): V | undefined {
    try {
      return read(row);
    } catch (error) {
      this.logger?.error("store.row-unreadable", { file: this.path, table, key, reason: String(error) });
      return undefined;
    }
  }
}
