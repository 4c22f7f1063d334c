/**
 * SubscriptionRegistry: every RFC 6121 relation between an XMPP watcher and a
 * bridged contact. Events go through the subscription machine's pure
 * `transition()`; the result is kept as a plain record (in memory and in the
 * store), and the machine's named actions run here through the injected
 * effects, after the change is committed: a stanza that acknowledges a change
 * is only sent once the change is durable.
 */
import { pureTransition } from "../../machines/pure-transition.js";
import type { SubscriptionEvent, SubscriptionStateName } from "../../machines/subscription.machine.js";
import { SUBSCRIPTION_STATES, isPendingIn, isPendingOut, subscriptionMachine } from "../../machines/subscription.machine.js";
import type { BridgeError } from "../errors.js";
import { DeadlineScheduler } from "../timing/deadline-scheduler.js";
import type { SubscriptionRecord } from "./ports.js";
import { WatcherRateLimiter } from "./rate-limit.js";
import { SubscriptionIndex } from "./subscriptions-index.js";
import { deadlinesOf, flagsOfState, isMeaningful, stateOfRecord, type Deadline } from "./subscriptions-record.js";
import { runStep, type Work } from "./subscriptions-step.js";

const stepTransition = pureTransition(subscriptionMachine, {});
import type {
  BackoffOptions,
  InboundKind,
  RestoreReport,
  SubscriptionCounts,
  SubscriptionOutcome,
  SubscriptionRegistryOptions,
} from "./subscriptions-types.js";

export const DEFAULT_RESEND: BackoffOptions = { firstMs: 60_000, factor: 2, maxMs: 6 * 3_600_000 };
export const DEFAULT_DECISION: BackoffOptions = { firstMs: 5 * 60_000, factor: 2, maxMs: 24 * 3_600_000 };
export const DEFAULT_RATE_LIMIT = { burst: 50, perMinute: 30 } as const;

const INBOUND_EVENT: Readonly<Record<InboundKind, SubscriptionEvent["type"]>> = {
  subscribe: "subscribe.received",
  subscribed: "subscribed.received",
  unsubscribe: "unsubscribe.received",
  unsubscribed: "unsubscribed.received",
  probe: "probe.received",
};

export class SubscriptionRegistry {
  private readonly index = new SubscriptionIndex();
  private readonly scheduler: DeadlineScheduler<Deadline>;
  private readonly limiter: WatcherRateLimiter | undefined;
  private readonly resend: BackoffOptions;
  private readonly decision: BackoffOptions;
  private liveDeadlines = 0;
  private restored = false;

  constructor(private readonly options: SubscriptionRegistryOptions) {
    this.resend = options.resend ?? DEFAULT_RESEND;
    this.decision = options.decision ?? DEFAULT_DECISION;
    const limit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    this.limiter = limit === false ? undefined : new WatcherRateLimiter(limit);
    this.scheduler = new DeadlineScheduler<Deadline>({
      clock: options.clock,
      fire: (deadline) => this.fire(deadline),
      // A thousand per timer turn, so a restore with every deadline overdue lets I/O in between.
      batch: 1_000,
      liveness: { isLive: (deadline) => this.isLive(deadline), count: () => this.liveDeadlines },
    });
  }

  /**
   * Loads every record from the store and re-arms its deadlines (XState does not
   * restore delayed events, statelyai/xstate#5331). Overdue deadlines fire at
   * once, a thousand per timer tick. A pending record written without a
   * deadline gets one from now. Call once, before any event.
   */
  restore(): RestoreReport {
    if (this.restored || this.index.size > 0) throw new Error("SubscriptionRegistry.restore() runs once, on an empty registry");
    this.restored = true;
    const started = performance.now();
    const now = this.options.clock.now();
    let subscriptions = 0;
    let deadlines = 0;
    let overdue = 0;
    for (const stored of this.options.store.listSubscriptions()) {
      if (!isMeaningful(stored)) continue;
      let record = this.index.adopt(stored);
      const state = stateOfRecord(record);
      if (isPendingOut(state) && record.resendAt === undefined) record = { ...record, resendAt: now + this.resend.firstMs, resendCount: 0 };
      if (isPendingIn(state) && record.decideBy === undefined) record = { ...record, decideBy: now + this.decision.firstMs, askCount: 0 };
      this.index.set(record.contact, record.watcher, record);
      subscriptions++;
      for (const deadline of deadlinesOf(record)) {
        this.scheduler.add(deadline, false);
        this.liveDeadlines++;
        deadlines++;
        if (deadline.at <= now) overdue++;
      }
    }
    this.scheduler.rearm();
    const ms = Math.round(performance.now() - started);
    this.options.logger.info("subscriptions.restored", { subscriptions, deadlines, overdue, ms });
    return { subscriptions, deadlines, overdue, ms };
  }

  /**
   * An inbound subscription stanza or probe from `watcher` to `contact` (both
   * bare JIDs). Subscription requests are rate-limited per watcher: see
   * {@link SubscriptionOutcome.refused}.
   */
  received(contact: string, watcher: string, kind: InboundKind, extras: { readonly nick?: string } = {}): SubscriptionOutcome {
    if (kind === "subscribe" && this.limiter !== undefined) {
      const verdict = this.limiter.take(watcher, this.options.clock.now());
      if (verdict !== "allow") return this.limited(contact, watcher, verdict);
    }
    const event: SubscriptionEvent =
      kind === "subscribe" && extras.nick !== undefined ? { type: "subscribe.received", nick: extras.nick } : ({ type: INBOUND_EVENT[kind] } as SubscriptionEvent);
    return this.apply(contact, watcher, event);
  }

  /** The contact approves the watcher (outbound `subscribed`; a pre-approval if nothing is pending). */
  approve(contact: string, watcher: string): SubscriptionOutcome {
    return this.apply(contact, watcher, { type: "approval.sent" });
  }

  /** The contact refuses a pending request or cancels a pre-approval (outbound `unsubscribed`). */
  deny(contact: string, watcher: string): SubscriptionOutcome {
    return this.apply(contact, watcher, { type: "denial.sent" });
  }

  /** The contact asks for the watcher's presence (outbound `subscribe`). */
  subscribe(contact: string, watcher: string): SubscriptionOutcome {
    return this.apply(contact, watcher, { type: "subscribe.sent" });
  }

  /** The contact stops receiving the watcher's presence (outbound `unsubscribe`). */
  unsubscribe(contact: string, watcher: string): SubscriptionOutcome {
    return this.apply(contact, watcher, { type: "unsubscribe.sent" });
  }

  /** The contact cancels the watcher's subscription (outbound `unsubscribed`). */
  cancel(contact: string, watcher: string): SubscriptionOutcome {
    return this.apply(contact, watcher, { type: "unsubscribed.sent" });
  }

  /** Any machine event for one relation: the other methods are shorthands. */
  apply(contact: string, watcher: string, event: SubscriptionEvent): SubscriptionOutcome {
    const previous = this.index.get(contact, watcher);
    const work: Work = {
      contact,
      watcher,
      now: this.options.clock.now(),
      record: previous,
      dirty: false,
      effects: [],
      actions: [],
    };
    runStep(work, event, {
      machine: subscriptionMachine,
      transition: stepTransition,
      policy: this.options.policy,
      effects: this.options.effects,
      logger: this.options.logger,
      resend: this.resend,
      decision: this.decision,
    });
    const before = stateOfRecord(previous);
    if (work.dirty) {
      const failed = this.commit(contact, watcher, previous, work.record);
      if (failed !== undefined) return { contact, watcher, before, after: before, actions: [], failed };
    }
    const after = stateOfRecord(this.index.get(contact, watcher));
    if (after !== before) {
      this.options.logger.info("subscription.changed", { contact, watcher, event: event.type, before, after, decision: work.decision });
      const changed = this.options.effects.relationChanged;
      if (changed !== undefined) work.effects.push(() => changed.call(this.options.effects, { contact, watcher, before, after }));
    }
    for (const effect of work.effects) {
      try {
        effect();
      } catch (error) {
        this.options.logger.error("subscription.effect-failed", { contact, watcher, event: event.type, reason: String(error) });
      }
    }
    return { contact, watcher, before, after, actions: work.actions, ...(work.decision === undefined ? {} : { decision: work.decision }) };
  }

  /**
   * After the component link comes back: re-send every outstanding `subscribe`
   * of a contact now (RFC 6121 §3.1.2; components have no stream management).
   * Returns how many were sent.
   */
  resendPending(): number {
    let sent = 0;
    for (const record of this.index.all()) {
      if (!record.pendingOut) continue;
      try {
        this.options.effects.sendToWatcher(record.contact, record.watcher, "subscribe");
        sent++;
      } catch (error) {
        this.options.logger.error("subscription.effect-failed", { contact: record.contact, watcher: record.watcher, reason: String(error) });
      }
    }
    return sent;
  }

  // ---------------------------------------------------------------- queries

  /** The RFC 6121 state of a relation; `none` when there is none. */
  stateOf(contact: string, watcher: string): SubscriptionStateName {
    return stateOfRecord(this.index.get(contact, watcher));
  }

  /** The record of a relation, as persisted. */
  get(contact: string, watcher: string): SubscriptionRecord | undefined {
    return this.index.get(contact, watcher);
  }

  /** Who receives the contact's presence: watchers in From, From + Pending Out or Both. */
  watchersOf(contact: string): string[] {
    return this.index.watchersOf(contact);
  }

  /** Contacts that receive `user`'s presence (To, To + Pending In, Both): whom to probe, whose presence to accept. */
  contactsWatching(user: string): string[] {
    return this.index.contactsWatching(user);
  }

  /** Every relation of one contact. */
  relationsOf(contact: string): SubscriptionRecord[] {
    return [...this.index.relationsOf(contact)];
  }

  /** Every relation (for a resync after a reconnect). */
  relations(): IterableIterator<SubscriptionRecord> {
    return this.index.all();
  }

  /** Requests waiting for the gateway's decision. */
  *pendingRequests(): IterableIterator<SubscriptionRecord> {
    for (const record of this.index.all()) if (record.pendingIn) yield record;
  }

  counts(): SubscriptionCounts {
    const byState = Object.fromEntries(SUBSCRIPTION_STATES.map((s) => [s, this.index.countOf(s)])) as Record<SubscriptionStateName, number>;
    return {
      total: this.index.size,
      byState,
      preApproved: this.index.preApproved,
      watchers: this.index.receivingWatchers,
      contacts: this.index.contacts,
      deadlines: this.liveDeadlines,
    };
  }

  /** Stops the scheduler's timer; the records stay in the store. */
  close(): void {
    this.scheduler.stop();
  }

  // ---------------------------------------------------------------- internals

  private limited(contact: string, watcher: string, verdict: "refuse" | "drop"): SubscriptionOutcome {
    const state = this.stateOf(contact, watcher);
    const base = { contact, watcher, before: state, after: state, actions: [] };
    // One warning per empty period; the drops that follow are debug, so a flood never floods the log either.
    if (verdict === "drop") {
      this.options.logger.debug("subscription.rate-limited", { contact, watcher, reason: "drop" });
      return { ...base, dropped: true };
    }
    this.options.logger.warn("subscription.rate-limited", { contact, watcher, reason: "refuse" });
    const refused: BridgeError = {
      code: "policy-violation",
      message: "too many subscription requests; try again later",
      source: watcher,
    };
    return { ...base, refused };
  }

  /** Writes the new record (or deletes a relation back to plain None), then updates memory and deadlines. */
  private commit(
    contact: string,
    watcher: string,
    previous: SubscriptionRecord | undefined,
    next: SubscriptionRecord | undefined,
  ): BridgeError | undefined {
    const keep = next !== undefined && isMeaningful(next) ? this.index.adopt(next) : undefined;
    const store = this.options.store;
    try {
      if (keep !== undefined) store.putSubscription(keep);
      else if (previous !== undefined) store.deleteSubscription(contact, watcher);
    } catch (error) {
      this.options.logger.error("subscription.persist-failed", { contact, watcher, reason: String(error) });
      return { code: "store-unreadable", message: `the subscription could not be stored: ${String(error)}`, source: `${contact} ${watcher}` };
    }
    this.index.set(contact, watcher, keep);
    const old = deadlinesOf(previous);
    const fresh = deadlinesOf(keep);
    this.liveDeadlines += fresh.length - old.length;
    let added = false;
    for (const deadline of fresh) {
      if (old.some((d) => d.kind === deadline.kind && d.at === deadline.at)) continue;
      this.scheduler.add(deadline, false);
      added = true;
    }
    if (added) this.scheduler.rearm();
    return undefined;
  }

  private isLive(deadline: Deadline): boolean {
    const record = this.index.get(deadline.contact, deadline.watcher);
    if (record === undefined) return false;
    return deadline.kind === "resend" ? record.resendAt === deadline.at : record.decideBy === deadline.at;
  }

  private fire(deadline: Deadline): boolean {
    if (!this.isLive(deadline)) return false;
    this.apply(deadline.contact, deadline.watcher, { type: deadline.kind === "resend" ? "resend.due" : "decision.due" });
    return true;
  }
}

export { flagsOfState, stateOfRecord };
