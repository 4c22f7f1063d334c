/**
 * The SIP subscriber (UAC, RFC 6665 / RFC 3856 / RFC 4235) at sip.js's core level: one SIP
 * subscription per (From, presentity, event), shared by its watchers, driven by the pure
 * sip-subscriber machine (`transition()`, one snapshot per subscription) and one scheduler.
 * Not sip.js's `Subscriber`: its dispose hangs, its fetch loops, its retry-after is read as
 * milliseconds and its From is the UA's (LIBRARIES.md §1).
 */
import { ok, type BridgeError, type Result } from "../errors.js";
import { pureInitialTransition, pureTransition } from "../../machines/pure-transition.js";
import { sipSubscriberMachine, type SubscriberEvent } from "../../machines/sip-subscriber.machine.js";
import type { SipEventPackage, SipFetchResult, SipNotification, SipSubscriberPort, SipSubscriptionStatus } from "../gateway/ports.js";
import { KeyedDeadlineScheduler } from "../timing/deadline-scheduler.js";
import { Pacer } from "./stack-pacer.js";
import { checkSipUri, type SipStack } from "./stack.js";
import type { RequestSpec } from "./stack-types.js";
import { dialogKey, newDialog, subscribeSpec } from "./subscriber-dialog.js";
import { fetchOnce } from "./subscriber-fetch.js";
import { routeNotify } from "./subscriber-notify.js";
import { eventOf } from "./subscriber-outcome.js";
import { restoreSubscriptions } from "./subscriber-store.js";
import { SubscriptionWrites, substance } from "./subscriber-writes.js";
import type { DialogRef, SipSubscriberOptions, Subscription, SubscriberEventNoTime } from "./subscriber-types.js";

const transition = pureTransition(sipSubscriberMachine, { id: "", expires: 3600 });
const initialTransition = pureInitialTransition(sipSubscriberMachine, { id: "", expires: 3600 });

type Due = "refresh.due" | "retry.due" | "notify.timeout" | "linger.end" | "writes.due";

/** How long a NOTIFY's bookkeeping (CSeq, expiry) may wait to be written (subscriber-writes.ts). */
const WRITE_BEHIND_MS = 1_000;
/** The scheduler key of that write (subscription keys are "from presentity event"). */
const WRITES_KEY = "\u0000writes";

/** How long a dialog we ended still gets its final NOTIFY answered 200 (Timer N). */
const LINGER_MS = 32_000;

export class SipSubscriber implements SipSubscriberPort {
  private readonly stack: SipStack;
  private readonly subscriptions = new Map<string, Subscription>();
  /** Call-ID + our tag → who owns the dialog (NOTIFY routing). */
  private readonly dialogs = new Map<string, DialogRef>();
  private readonly scheduler: KeyedDeadlineScheduler<Due>;
  private readonly pacer: Pacer;
  private readonly identity: string;
  private readonly unhook: () => void;
  private readonly writes: SubscriptionWrites;

  constructor(private readonly options: SipSubscriberOptions) {
    this.stack = options.stack;
    this.identity = options.identity ?? options.stack.aor.toString();
    this.scheduler = new KeyedDeadlineScheduler({ clock: options.stack.clock, onDue: (key, due) => this.onDue(key, due) });
    this.pacer = new Pacer(options.maxInFlight ?? 256);
    this.writes = new SubscriptionWrites(options.store, options.stack.logger, () =>
      this.scheduler.set(WRITES_KEY, this.stack.clock.now() + WRITE_BEHIND_MS, "writes.due"));
    this.unhook = options.stack.onIncomingRequest(
      (request) => routeNotify(request, this.stack, this.dialogs, (subscription, event, body) => {
        subscription.current = body;
        this.dispatch(subscription, event);
        subscription.current = undefined;
      }),
      { scope: "in-dialog" },
    );
  }

  /** Subscriptions held (for metrics and the benchmark). */
  get size(): number {
    return this.subscriptions.size;
  }

  subscribe(request: { presentity: string; event: SipEventPackage; watcher: string; from?: string }): Result<void> {
    const from = request.from ?? this.identity;
    const bad = badAddress(request.presentity, from);
    if (bad) return bad;
    const key = `${from} ${request.presentity} ${request.event}`;
    const existing = this.subscriptions.get(key);
    if (existing) {
      existing.watchers.add(request.watcher);
      // A watcher joining a running subscription learns where it stands (the last body: see current()).
      if (existing.status) this.options.events.onSubscriptionStatus(existing.presentity, existing.event, [request.watcher], existing.status);
      return ok(undefined);
    }
    const [snapshot] = initialTransition({
      id: key, expires: this.options.expires ?? 3600,
      ...(this.options.timerNMs === undefined ? {} : { timerNMs: this.options.timerNMs }),
      ...(this.options.backoff === undefined ? {} : { backoff: this.options.backoff }),
    });
    const subscription = this.adopt(key, from, request.presentity, request.event, [request.watcher], snapshot, undefined);
    this.dispatch(subscription, { type: "subscribe.start" });
    return ok(undefined);
  }

  unsubscribe(request: { presentity: string; event: SipEventPackage; watcher: string; from?: string }): void {
    const subscription = this.subscriptions.get(`${request.from ?? this.identity} ${request.presentity} ${request.event}`);
    if (!subscription || !subscription.watchers.delete(request.watcher)) return;
    if (subscription.watchers.size === 0) this.dispatch(subscription, { type: "unsubscribe" });
  }

  fetch(request: { presentity: string; event: SipEventPackage; from?: string }): Promise<SipFetchResult> {
    const bad = badAddress(request.presentity, request.from ?? this.identity);
    if (bad) return Promise.resolve({ ok: false, statusCode: 0, reason: `${bad.error.code}: ${bad.error.message}` });
    return fetchOnce({
      stack: this.stack, dialogs: this.dialogs, presentity: request.presentity, event: request.event,
      from: request.from ?? this.identity, timerNMs: this.options.timerNMs ?? 32_000,
    });
  }

  /** Where a subscription stands and its last NOTIFY, for a watcher that joins (or a probe). */
  current(presentity: string, event: SipEventPackage, from?: string): { status: SipSubscriptionStatus | undefined; last: SipNotification | undefined } | undefined {
    const subscription = this.subscriptions.get(`${from ?? this.identity} ${presentity} ${event}`);
    return subscription && { status: subscription.status, last: subscription.last };
  }

  /** After a restart: take the stored subscriptions back, re-arm them, refresh their dialogs. Call before traffic flows. */
  restore(): number {
    const store = this.options.store;
    if (!store) return 0;
    return restoreSubscriptions(store, this.stack.logger, (record) => {
      const snapshot = sipSubscriberMachine.resolveState({ value: record.value as never, context: record.context });
      const key = `${record.from} ${record.presentity} ${record.event}`;
      const subscription = this.adopt(key, record.from, record.presentity, record.event, record.watchers, snapshot, record.dialog);
      this.dispatch(subscription, { type: "subscription.resumed" });
    });
  }

  /** Stops timers and NOTIFY routing; subscriptions stay in the store (bookkeeping included) for the next start. */
  stop(): void {
    this.unhook();
    this.scheduler.clear();
    this.writes.flush("durable");
  }

  private adopt(key: string, from: string, presentity: string, event: SipEventPackage, watchers: readonly string[],
    snapshot: Subscription["snapshot"], dialog: Subscription["dialog"]): Subscription {
    const subscription: Subscription = {
      key, from, presentity, event, watchers: new Set(watchers), snapshot, dialog,
      generation: 0, status: undefined, last: undefined, current: undefined, queue: undefined, retired: false,
    };
    this.subscriptions.set(key, subscription);
    if (dialog) this.dialogs.set(dialogKey(dialog.callId, dialog.localTag), { kind: "subscription", subscription });
    return subscription;
  }

  /** Runs one event through the machine and carries out its actions; re-entrant calls queue. */
  private dispatch(subscription: Subscription, event: SubscriberEventNoTime): void {
    if (subscription.retired) return;
    if (subscription.queue) {
      subscription.queue.push(event);
      return;
    }
    subscription.queue = [event];
    for (let next = subscription.queue.shift(); next !== undefined; next = subscription.queue.shift()) {
      const before = next.type === "notify.received" ? substance(subscription) : undefined;
      const [snapshot, actions] = transition(subscription.snapshot, { ...next, now: this.stack.clock.now() } as SubscriberEvent);
      subscription.snapshot = snapshot;
      for (const action of actions) this.execute(subscription, action.type, action.params);
      if (snapshot.value === "waitingToRetry" || snapshot.status === "done") this.dropDialog(subscription);
      if (snapshot.status === "done") {
        this.retire(subscription);
        break;
      }
      if (before !== undefined && before === substance(subscription)) this.writes.later(subscription);
      else this.writes.now(subscription);
    }
    subscription.queue = undefined;
  }

  private execute(subscription: Subscription, type: string, params: unknown): void {
    const { key } = subscription;
    switch (type) {
      case "sendSubscribe": {
        const { kind, expires } = params as { kind: "initial" | "refresh"; expires: number };
        if (kind === "initial" || !subscription.dialog) {
          this.dropDialog(subscription);
          subscription.dialog = newDialog(subscription.presentity);
          this.dialogs.set(dialogKey(subscription.dialog.callId, subscription.dialog.localTag), { kind: "subscription", subscription });
        }
        this.sendSubscribe(subscription, expires);
        return;
      }
      case "sendUnsubscribe":
        this.sendUnsubscribe(subscription);
        return;
      case "scheduleRefresh":
        this.scheduler.set(key, (params as { at: number }).at, "refresh.due");
        return;
      case "scheduleRetry":
        this.scheduler.set(key, (params as { at: number }).at, "retry.due");
        return;
      case "scheduleTimeout":
        this.scheduler.set(key, (params as { at: number }).at, "notify.timeout");
        return;
      case "cancelTimers":
        this.scheduler.delete(key);
        return;
      case "deliverBody": {
        const notification: SipNotification = {
          presentity: subscription.presentity, event: subscription.event, body: subscription.current,
          subscriptionState: (params as { subscriptionState: SipNotification["subscriptionState"] }).subscriptionState,
        };
        subscription.last = notification;
        this.options.events.onNotification(notification);
        return;
      }
      case "reportState": {
        const status = params as SipSubscriptionStatus;
        subscription.status = status;
        const fields = { presentity: subscription.presentity, event: subscription.event, state: status.state };
        if (status.state === "terminated") this.stack.logger.info("sip.subscription.terminated", { ...fields, reason: status.reason, status: status.statusCode });
        else this.stack.logger.debug("sip.subscription.state", fields);
        this.options.events.onSubscriptionStatus(subscription.presentity, subscription.event, [...subscription.watchers], status);
        return;
      }
      default:
        return; // context updates (assign) need nothing from us
    }
  }

  private sendSubscribe(subscription: Subscription, expires: number): void {
    const generation = ++subscription.generation;
    const dialog = subscription.dialog;
    if (!dialog) return;
    const spec = subscribeSpec({ dialog, from: subscription.from, presentity: subscription.presentity, event: subscription.event, expires });
    this.pacer.run((done) => {
      // Superseded while it waited for a slot (unsubscribed, or a newer SUBSCRIBE): do not send.
      if (subscription.retired || generation !== subscription.generation) return done();
      const message = this.build(spec, subscription.presentity);
      if (!message) {
        done();
        this.dispatch(subscription, { type: "request.failed", status: 400 });
        return;
      }
      void this.stack.send(message).then((outcome) => {
        done();
        dialog.localSeq = Math.max(dialog.localSeq, message.cseq); // digest retries raise the CSeq
        if (subscription.retired || generation !== subscription.generation || subscription.dialog !== dialog) return;
        this.dispatch(subscription, eventOf(outcome, dialog));
      });
    });
  }

  private sendUnsubscribe(subscription: Subscription): void {
    const dialog = subscription.dialog;
    if (!dialog || dialog.remoteTag === undefined) return;
    const spec = subscribeSpec({ dialog, from: subscription.from, presentity: subscription.presentity, event: subscription.event, expires: 0 });
    const ref = dialogKey(dialog.callId, dialog.localTag);
    this.dialogs.set(ref, { kind: "linger", event: subscription.event });
    this.scheduler.set(`linger ${ref}`, this.stack.clock.now() + LINGER_MS, "linger.end");
    subscription.dialog = undefined;
    this.pacer.run((done) => {
      const message = this.build(spec, subscription.presentity);
      if (message) void this.stack.send(message).then(done);
      else done();
    });
  }

  /** Addresses are checked in subscribe(); a damaged restored record is what could still fail here. */
  private build(spec: RequestSpec, presentity: string): ReturnType<SipStack["makeRequest"]> | undefined {
    try {
      return this.stack.makeRequest(spec);
    } catch (error) {
      this.stack.logger.error("sip.subscription.unsendable", { presentity, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  private onDue(key: string, due: Due): void {
    if (due === "writes.due") {
      this.writes.flush();
      return;
    }
    if (due === "linger.end") {
      this.dialogs.delete(key.slice("linger ".length));
      return;
    }
    const subscription = this.subscriptions.get(key);
    if (subscription) this.dispatch(subscription, { type: due });
  }

  private dropDialog(subscription: Subscription): void {
    const dialog = subscription.dialog;
    if (!dialog) return;
    const key = dialogKey(dialog.callId, dialog.localTag);
    if (this.dialogs.get(key)?.kind === "subscription") this.dialogs.delete(key);
    subscription.dialog = undefined;
  }

  private retire(subscription: Subscription): void {
    subscription.retired = true;
    this.scheduler.delete(subscription.key);
    this.dropDialog(subscription);
    if (this.subscriptions.get(subscription.key) === subscription) this.subscriptions.delete(subscription.key);
    this.writes.forget(subscription);
  }
}

function badAddress(presentity: string, from: string): { readonly ok: false; readonly error: BridgeError } | undefined {
  const target = checkSipUri(presentity, "the presentity");
  if (!target.ok) return target;
  const sender = checkSipUri(from, "the From");
  return sender.ok ? undefined : sender;
}
