/**
 * Versioned schema migrations. The version lives in `PRAGMA user_version`
 * (the database header, written in the same transaction as the migration),
 * migrations are an ordered list and each runs once, in its own transaction,
 * so a crash mid-migration leaves the previous version intact.
 * Never edit a shipped migration: add the next one.
 */
import type Database from "better-sqlite3";

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "subscriptions (RFC 6121 state), last known presence, SIP dialogs",
    sql: `
      CREATE TABLE subscriptions (
        contact      TEXT    NOT NULL,
        watcher      TEXT    NOT NULL,
        state        TEXT    NOT NULL CHECK (state IN ('none', 'to', 'from', 'both')),
        pending_in   INTEGER NOT NULL CHECK (pending_in IN (0, 1)),
        pending_out  INTEGER NOT NULL CHECK (pending_out IN (0, 1)),
        pre_approved INTEGER NOT NULL CHECK (pre_approved IN (0, 1)),
        nick         TEXT,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (contact, watcher)
      ) WITHOUT ROWID;
      CREATE TABLE presence (
        entity     TEXT    NOT NULL PRIMARY KEY,
        presence   TEXT    NOT NULL CHECK (json_valid(presence)),
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE sip_dialogs (
        id         TEXT    NOT NULL PRIMARY KEY,
        role       TEXT    NOT NULL CHECK (role IN ('notifier', 'subscriber', 'publisher')),
        state      TEXT    NOT NULL CHECK (json_valid(state)),
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sip_dialogs_role ON sip_dialogs (role);
    `,
  },
  {
    version: 2,
    description: "subscription deadlines as data (resend, decision) and the watcher index",
    sql: `
      ALTER TABLE subscriptions ADD COLUMN resend_at    INTEGER;
      ALTER TABLE subscriptions ADD COLUMN resend_count INTEGER;
      ALTER TABLE subscriptions ADD COLUMN decide_by    INTEGER;
      ALTER TABLE subscriptions ADD COLUMN ask_count    INTEGER;
      CREATE INDEX subscriptions_watcher ON subscriptions (watcher);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export const schemaVersion = (db: Database.Database): number => db.pragma("user_version", { simple: true }) as number;

/**
 * Brings the database up to `target` (default: the latest). Returns the
 * versions before and after. The caller checks first that the file is not
 * newer than this code.
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): { readonly from: number; readonly to: number } {
  const from = schemaVersion(db);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: schemaVersion(db) };
}
