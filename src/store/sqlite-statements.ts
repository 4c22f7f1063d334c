/**
 * The prepared statements of the SQLite store and the row ⇄ record mapping.
 * Prepared once at open; NULL columns become absent fields.
 */
import type Database from "better-sqlite3";
import type { Presence } from "../presence/types.js";
import type { SipDialogRecord, StoredPresence, SubscriptionRecord } from "../gateway/ports.js";

export interface SubscriptionRow {
  contact: string;
  watcher: string;
  state: SubscriptionRecord["state"];
  pending_in: number;
  pending_out: number;
  pre_approved: number;
  nick: string | null;
  updated_at: number;
  resend_at: number | null;
  resend_count: number | null;
  decide_by: number | null;
  ask_count: number | null;
}
export interface PresenceRow {
  entity: string;
  presence: string;
  updated_at: number;
}
export interface DialogRow {
  id: string;
  role: SipDialogRecord["role"];
  state: string;
  expires_at: number;
}

const SUBSCRIPTION_COLUMNS =
  "contact, watcher, state, pending_in, pending_out, pre_approved, nick, updated_at, resend_at, resend_count, decide_by, ask_count";

export function prepareStatements(db: Database.Database) {
  return {
    getSubscription: db.prepare<[string, string], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE contact = ? AND watcher = ?`,
    ),
    putSubscription: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO subscriptions (${SUBSCRIPTION_COLUMNS})
       VALUES (@contact, @watcher, @state, @pending_in, @pending_out, @pre_approved, @nick, @updated_at,
               @resend_at, @resend_count, @decide_by, @ask_count)
       ON CONFLICT (contact, watcher) DO UPDATE SET
         state = excluded.state, pending_in = excluded.pending_in, pending_out = excluded.pending_out,
         pre_approved = excluded.pre_approved, nick = excluded.nick, updated_at = excluded.updated_at,
         resend_at = excluded.resend_at, resend_count = excluded.resend_count,
         decide_by = excluded.decide_by, ask_count = excluded.ask_count`,
    ),
    deleteSubscription: db.prepare<[string, string]>("DELETE FROM subscriptions WHERE contact = ? AND watcher = ?"),
    // Keyset pages in primary-key order: a restore of 100,000 never holds every row at once.
    firstSubscriptions: db.prepare<[number], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY contact, watcher LIMIT ?`,
    ),
    nextSubscriptions: db.prepare<[string, string, number], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE (contact, watcher) > (?, ?) ORDER BY contact, watcher LIMIT ?`,
    ),
    subscriptionsOf: db.prepare<[string], SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE contact = ?`),
    getPresence: db.prepare<[string], PresenceRow>("SELECT entity, presence, updated_at FROM presence WHERE entity = ?"),
    putPresence: db.prepare<[string, string, number]>(
      `INSERT INTO presence (entity, presence, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (entity) DO UPDATE SET presence = excluded.presence, updated_at = excluded.updated_at`,
    ),
    listPresence: db.prepare<[], PresenceRow>("SELECT entity, presence, updated_at FROM presence"),
    putDialog: db.prepare<[string, string, string, number]>(
      `INSERT INTO sip_dialogs (id, role, state, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET role = excluded.role, state = excluded.state, expires_at = excluded.expires_at`,
    ),
    deleteDialog: db.prepare<[string]>("DELETE FROM sip_dialogs WHERE id = ?"),
    listDialogs: db.prepare<[], DialogRow>("SELECT id, role, state, expires_at FROM sip_dialogs"),
    listDialogsByRole: db.prepare<[string], DialogRow>("SELECT id, role, state, expires_at FROM sip_dialogs WHERE role = ?"),
  };
}
export type Statements = ReturnType<typeof prepareStatements>;

export function subscriptionParams(record: SubscriptionRecord): Record<string, unknown> {
  return {
    contact: record.contact,
    watcher: record.watcher,
    state: record.state,
    pending_in: record.pendingIn ? 1 : 0,
    pending_out: record.pendingOut ? 1 : 0,
    pre_approved: record.preApproved ? 1 : 0,
    nick: record.nick ?? null,
    updated_at: record.updatedAt,
    resend_at: record.resendAt ?? null,
    resend_count: record.resendCount ?? null,
    decide_by: record.decideBy ?? null,
    ask_count: record.askCount ?? null,
  };
}

export function rowToSubscription(row: SubscriptionRow): SubscriptionRecord {
  return {
    contact: row.contact,
    watcher: row.watcher,
    state: row.state,
    pendingIn: row.pending_in === 1,
    pendingOut: row.pending_out === 1,
    preApproved: row.pre_approved === 1,
    ...(row.nick === null ? {} : { nick: row.nick }),
    updatedAt: row.updated_at,
    ...(row.resend_at === null ? {} : { resendAt: row.resend_at }),
    ...(row.resend_count === null ? {} : { resendCount: row.resend_count }),
    ...(row.decide_by === null ? {} : { decideBy: row.decide_by }),
    ...(row.ask_count === null ? {} : { askCount: row.ask_count }),
  };
}

export const rowToPresence = (row: PresenceRow): StoredPresence => ({
  entity: row.entity,
  presence: JSON.parse(row.presence) as Presence,
  updatedAt: row.updated_at,
});

export const rowToDialog = (row: DialogRow): SipDialogRecord => ({
  id: row.id,
  role: row.role,
  state: JSON.parse(row.state) as unknown,
  expiresAt: row.expires_at,
});
