/**
 * The registry's in-memory view of every relation: records by contact, the
 * contacts of each watcher, and counts kept up to date on every change, so
 * that queries for the presence server and metrics never scan everything.
 */
import type { SubscriptionStateName } from "../../machines/subscription.machine.js";
import { SUBSCRIPTION_STATES, contactReceivesPresence, watcherReceivesPresence } from "../../machines/subscription.machine.js";
import type { SubscriptionRecord } from "./ports.js";
import { stateOfRecord } from "./subscriptions-record.js";

export class SubscriptionIndex {
  private readonly byContact = new Map<string, Map<string, SubscriptionRecord>>();
  private readonly byWatcher = new Map<string, Set<string>>();
  private readonly stateCounts = new Map<SubscriptionStateName, number>(SUBSCRIPTION_STATES.map((s) => [s, 0]));
  private preApprovedCount = 0;
  private recordCount = 0;
  /** Watcher → how many contacts it receives presence from. */
  private readonly receiving = new Map<string, number>();
  // Restore reads the same JIDs many times; one string each saves memory at 100k.
  private readonly interned = new Map<string, string>();

  get size(): number {
    return this.recordCount;
  }

  get(contact: string, watcher: string): SubscriptionRecord | undefined {
    return this.byContact.get(contact)?.get(watcher);
  }

  /** Puts or replaces a record; `undefined` removes the relation. */
  set(contact: string, watcher: string, record: SubscriptionRecord | undefined): void {
    const previous = this.get(contact, watcher);
    if (previous !== undefined) this.count(previous, -1);
    if (record === undefined) {
      if (previous === undefined) return;
      const watchers = this.byContact.get(contact);
      watchers?.delete(watcher);
      if (watchers?.size === 0) this.byContact.delete(contact);
      const contacts = this.byWatcher.get(watcher);
      contacts?.delete(contact);
      if (contacts?.size === 0) this.byWatcher.delete(watcher);
      this.forget(contact);
      this.forget(watcher);
      return;
    }
    this.count(record, +1);
    if (previous !== undefined) {
      (this.byContact.get(contact) as Map<string, SubscriptionRecord>).set(watcher, record);
      return;
    }
    const c = this.intern(contact);
    const w = this.intern(watcher);
    let watchers = this.byContact.get(c);
    if (watchers === undefined) this.byContact.set(c, (watchers = new Map()));
    watchers.set(w, record);
    let contacts = this.byWatcher.get(w);
    if (contacts === undefined) this.byWatcher.set(w, (contacts = new Set()));
    contacts.add(c);
  }

  /** Records of one contact's relations. */
  relationsOf(contact: string): IterableIterator<SubscriptionRecord> {
    return (this.byContact.get(contact) ?? new Map<string, SubscriptionRecord>()).values();
  }

  /** Contacts one watcher has any relation with. */
  contactsOf(watcher: string): ReadonlySet<string> {
    return this.byWatcher.get(watcher) ?? new Set();
  }

  /** Watchers in From, From + Pending Out or Both with the contact. */
  watchersOf(contact: string): string[] {
    const out: string[] = [];
    for (const record of this.relationsOf(contact)) if (watcherReceivesPresence(stateOfRecord(record))) out.push(record.watcher);
    return out;
  }

  /** Contacts in To, To + Pending In or Both with the user. */
  contactsWatching(user: string): string[] {
    const out: string[] = [];
    for (const contact of this.contactsOf(user)) {
      const record = this.get(contact, user);
      if (record !== undefined && contactReceivesPresence(stateOfRecord(record))) out.push(contact);
    }
    return out;
  }

  *all(): IterableIterator<SubscriptionRecord> {
    for (const watchers of this.byContact.values()) yield* watchers.values();
  }

  countOf(state: SubscriptionStateName): number {
    return this.stateCounts.get(state) ?? 0;
  }

  get preApproved(): number {
    return this.preApprovedCount;
  }

  get contacts(): number {
    return this.byContact.size;
  }

  /** Watchers that receive at least one contact's presence. */
  get receivingWatchers(): number {
    return this.receiving.size;
  }

  /** The one copy of a JID string; restore passes every JID through here. */
  intern(jid: string): string {
    const known = this.interned.get(jid);
    if (known !== undefined) return known;
    this.interned.set(jid, jid);
    return jid;
  }

  /** A record whose JIDs are the interned copies. */
  adopt(record: SubscriptionRecord): SubscriptionRecord {
    // Strings compare by value, so the copy is made every time.
    return { ...record, contact: this.intern(record.contact), watcher: this.intern(record.watcher) };
  }

  private forget(jid: string): void {
    if (!this.byContact.has(jid) && !this.byWatcher.has(jid)) this.interned.delete(jid);
  }

  private count(record: SubscriptionRecord, delta: 1 | -1): void {
    const state = stateOfRecord(record);
    this.stateCounts.set(state, (this.stateCounts.get(state) ?? 0) + delta);
    this.recordCount += delta;
    if (record.preApproved) this.preApprovedCount += delta;
    if (record.state === "from" || record.state === "both") {
      const n = (this.receiving.get(record.watcher) ?? 0) + delta;
      if (n <= 0) this.receiving.delete(record.watcher);
      else this.receiving.set(record.watcher, n);
    }
  }
}
