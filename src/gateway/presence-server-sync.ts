/**
 * Resynchronisation after every (re)connect of the component link. Components
 * have no stream management (LIBRARIES.md §2): whatever was sent while the link
 * was down, or in flight when it dropped, may be lost. So every watcher gets its
 * contacts' current presence again, every user a contact watches is probed (their
 * server answers with their current presence, RFC 6121 §4.3), and outstanding
 * requests are re-sent (RFC 6121 §3.1.2). Work is cut into batches so that a
 * large table does not block the event loop; a link that drops mid-way stops it
 * (the next "online" starts over).
 */
import { contactReceivesPresence, watcherReceivesPresence } from "../../machines/subscription.machine.js";
import type { AddressedPresence, Logger, XmppLink } from "./ports.js";
import { probe } from "./presence-server-stanzas.js";
import { stateOfRecord, type SubscriptionRegistry } from "./subscriptions.js";

export interface SyncContext {
  readonly link: XmppLink;
  readonly registry: SubscriptionRegistry;
  readonly logger: Logger;
  /** The contact's current presence for one watcher. */
  presenceFor(contact: string, watcher: string): AddressedPresence;
}

export interface SyncReport {
  readonly presence: number;
  readonly probes: number;
  readonly subscribes: number;
  readonly complete: boolean;
}

const BATCH = 1000;
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Re-sends what a reconnect may have lost. Resolves when done or when the link dropped. */
export async function resync(ctx: SyncContext): Promise<SyncReport> {
  const pairs: [contact: string, watcher: string, sendPresence: boolean, sendProbe: boolean][] = [];
  for (const record of ctx.registry.relations()) {
    const state = stateOfRecord(record);
    const sendPresence = watcherReceivesPresence(state);
    const sendProbe = contactReceivesPresence(state);
    if (sendPresence || sendProbe) pairs.push([record.contact, record.watcher, sendPresence, sendProbe]);
  }
  let presence = 0;
  let probes = 0;
  for (let i = 0; i < pairs.length; i += BATCH) {
    if (i > 0) await yieldToEvents();
    if (ctx.link.status().state !== "online") {
      ctx.logger.warn("presence.resync-interrupted", { done: i, total: pairs.length });
      return { presence, probes, subscribes: 0, complete: false };
    }
    for (const [contact, watcher, sendPresence, sendProbe] of pairs.slice(i, i + BATCH)) {
      if (sendPresence) {
        ctx.link.sendPresence(ctx.presenceFor(contact, watcher));
        presence++;
      }
      if (sendProbe) {
        ctx.link.sendPresence(probe(contact, watcher));
        probes++;
      }
    }
  }
  const subscribes = ctx.registry.resendPending();
  ctx.logger.info("presence.resynced", { presence, probes, subscribes });
  return { presence, probes, subscribes, complete: true };
}

/** Unavailable from every contact to every watcher (RFC 6121 §4.5.1: a contact going offline says so). */
export function broadcastOffline(ctx: SyncContext, unavailable: (contact: string, watcher: string) => AddressedPresence): number {
  let sent = 0;
  for (const record of ctx.registry.relations()) {
    if (!watcherReceivesPresence(stateOfRecord(record))) continue;
    ctx.link.sendPresence(unavailable(record.contact, record.watcher));
    sent++;
  }
  return sent;
}
