/**
 * The Store port in memory, with the contract of the SQLite store: values go
 * in and come out as copies (JSON-shaped, as a JSON column would give them
 * back), absent optional fields stay absent, a transaction is all or nothing
 * and nests. For tests and for a bridge run without a file.
 */
import type {
  SipDialogRecord,
  Store,
  StoredPresence,
  SubscriptionRecord,
} from "../gateway/ports.js";
import { copyDialog, copyPresence, copySubscription } from "./records.js";

export class MemoryStore implements Store {
  private readonly subscriptions = new Map<string, Map<string, SubscriptionRecord>>();
  private readonly presence = new Map<string, StoredPresence>();
  private readonly dialogs = new Map<string, SipDialogRecord>();
  /** Undo steps of the open transaction(s), newest last. */
  private undo: (() => void)[] | undefined;
  private closed = false;

  getSubscription(contact: string, watcher: string): SubscriptionRecord | undefined {
    this.open();
    const record = this.subscriptions.get(contact)?.get(watcher);
    return record === undefined ? undefined : copySubscription(record);
  }

  putSubscription(record: SubscriptionRecord): void {
    this.open();
    const copy = copySubscription(record);
    let watchers = this.subscriptions.get(copy.contact);
    if (watchers === undefined) this.subscriptions.set(copy.contact, (watchers = new Map()));
    this.remember(this.subscriptions, copy.contact, watchers, copy.watcher);
    watchers.set(copy.watcher, copy);
  }

  deleteSubscription(contact: string, watcher: string): void {
    this.open();
    const watchers = this.subscriptions.get(contact);
    if (watchers === undefined || !watchers.has(watcher)) return;
    this.remember(this.subscriptions, contact, watchers, watcher);
    watchers.delete(watcher);
  }

  *listSubscriptions(): Iterable<SubscriptionRecord> {
    this.open();
    const all: SubscriptionRecord[] = [];
    for (const watchers of this.subscriptions.values()) for (const record of watchers.values()) all.push(copySubscription(record));
    yield* all;
  }

  subscriptionsOf(contact: string): readonly SubscriptionRecord[] {
    this.open();
    return [...(this.subscriptions.get(contact)?.values() ?? [])].map(copySubscription);
  }

  getPresence(entity: string): StoredPresence | undefined {
    this.open();
    const record = this.presence.get(entity);
    return record === undefined ? undefined : copyPresence(record);
  }

  putPresence(record: StoredPresence): void {
    this.open();
    const copy = copyPresence(record);
    this.rememberFlat(this.presence, copy.entity);
    this.presence.set(copy.entity, copy);
  }

  listPresence(): Iterable<StoredPresence> {
    this.open();
    return [...this.presence.values()].map(copyPresence);
  }

  putDialog(record: SipDialogRecord): void {
    this.open();
    const copy = copyDialog(record);
    this.rememberFlat(this.dialogs, copy.id);
    this.dialogs.set(copy.id, copy);
  }

  deleteDialog(id: string): void {
    this.open();
    if (!this.dialogs.has(id)) return;
    this.rememberFlat(this.dialogs, id);
    this.dialogs.delete(id);
  }

  listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord> {
    this.open();
    return [...this.dialogs.values()].filter((d) => role === undefined || d.role === role).map(copyDialog);
  }

  transaction<T>(fn: () => T): T {
    this.open();
    const outer = this.undo === undefined;
    const undo = (this.undo ??= []);
    const mark = undo.length;
    try {
      const result = fn();
      if (outer) this.undo = undefined;
      return result;
    } catch (error) {
      // Like a SAVEPOINT: only this level's writes are rolled back.
      while (undo.length > mark) (undo.pop() as () => void)();
      if (outer) this.undo = undefined;
      throw error;
    }
  }

  /** Nothing here reaches a disk: the same as transaction(). */
  relaxedTransaction<T>(fn: () => T): T {
    return this.transaction(fn);
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new TypeError("The store is closed");
  }

  private remember(
    outer: Map<string, Map<string, SubscriptionRecord>>,
    contact: string,
    inner: Map<string, SubscriptionRecord>,
    watcher: string,
  ): void {
    if (this.undo === undefined) return;
    const had = inner.has(watcher);
    const before = inner.get(watcher);
    this.undo.push(() => {
      if (!outer.has(contact)) outer.set(contact, inner);
      if (had) inner.set(watcher, before as SubscriptionRecord);
      else inner.delete(watcher);
    });
  }

  private rememberFlat<V>(map: Map<string, V>, key: string): void {
    if (this.undo === undefined) return;
    const had = map.has(key);
    const before = map.get(key);
    this.undo.push(() => {
      if (had) map.set(key, before as V);
      else map.delete(key);
    });
  }
}
