/**
 * The notifier (UAS, RFC 6665 §4.2 + RFC 3856): SIP watchers of the presentities the
 * bridge serves. sip.js has no notifier (LIBRARIES.md §1), so SUBSCRIBEs are taken from
 * the stack's hook, each dialog is a `Core.Dialog` the core routes refreshes to, and
 * machines/sip-notifier.machine.ts decides (pure `transition()`, one snapshot per dialog).
 * Dialogs are persisted through the DialogStore and restored on start, so NOTIFYs go on
 * in the same dialogs after a restart.
 */
import { Core } from "sip.js";
import { pureTransition } from "../../machines/pure-transition.js";
import { presenceChangedNotify, sipNotifierMachine, type NotifierEvent, type SendNotifyParams } from "../../machines/sip-notifier.machine.js";
import type { Clock, Logger, SipNotifierPort, SipWatcher, SipWatcherEndReason } from "../gateway/ports.js";
import type { Presence } from "../presence/types.js";
import { NotifierDialog, NotifySender, watcherOf, type NotifyContent, type Subscription } from "./notifier-dialog.js";
import type { NotifierRecordState } from "./notifier-record.js";
import { restoreAll, startSubscription } from "./notifier-start.js";
import { Pacer } from "./stack-pacer.js";
import { checkEvent, checkExpires } from "./notifier-subscribe.js";
import { DEFAULT_SUBSCRIPTION_LIMITS, type NotifierOptions, type SubscriptionLimits } from "./notifier-types.js";

const transition = pureTransition(sipNotifierMachine, { preApproved: false });
import { NOTIFY_TYPE, subscriptionStateHeader } from "./notifier-wire.js";

export type { NotifierOptions, NotifyBodyRenderer, SubscriptionLimits } from "./notifier-types.js";
export { DEFAULT_SUBSCRIPTION_LIMITS } from "./notifier-types.js";
export type { Subscription } from "./notifier-dialog.js";

export class Notifier implements SipNotifierPort {
  readonly limits: SubscriptionLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly byPresentity = new Map<string, Set<Subscription>>();
  private readonly presence = new Map<string, Presence>();
  /** Last rendering per presentity and package: a change that renders the same sends nothing. */
  private readonly rendered = new Map<string, string>();
  private readonly unhook: () => void;
  /** NOTIFYs in flight across all dialogs: a burst (one change, 10,000 watchers) goes out in a window. */
  private readonly pacer: Pacer;

  /** Restores the persisted dialogs, then takes SUBSCRIBEs. */
  constructor(readonly options: NotifierOptions) {
    this.limits = { ...DEFAULT_SUBSCRIPTION_LIMITS, ...options.limits };
    this.clock = options.clock ?? options.stack.clock;
    this.logger = options.logger ?? options.stack.logger;
    this.pacer = new Pacer(this.limits.maxNotifiesInFlight);
    if (options.access.closed) this.logger.warn("sip.access.closed", { reason: "no trusted networks and no digest users: every SUBSCRIBE gets 403" });
    restoreAll(this);
    this.unhook = options.stack.onIncomingRequest((message) =>
      message.method === "SUBSCRIBE" ? startSubscription(this, message) : "pass");
  }

  // ---- SipNotifierPort --------------------------------------------------------------

  authorize(dialogId: string, decision: "approve" | "deny"): void {
    const sub = this.subscriptions.get(dialogId);
    if (sub !== undefined) this.dispatch(sub, { type: decision === "approve" ? "watcher.approved" : "watcher.denied" });
  }

  authorizeWatcher(presentity: string, watcher: string, decision: "approve" | "deny"): void {
    for (const sub of [...(this.byPresentity.get(presentity) ?? [])]) {
      if (sub.watcher === watcher) this.dispatch(sub, { type: decision === "approve" ? "watcher.approved" : "watcher.denied" });
    }
  }

  setPresence(presentity: string, presence: Presence): void {
    this.presence.set(presentity, presence);
    const subs = this.byPresentity.get(presentity);
    if (subs === undefined || subs.size === 0) return;
    const served = subs.values().next().value?.presentity;
    if (served === undefined) return;
    // Render once per presentity (dialog-info at version 0 only to compare).
    const changed = (["presence", "dialog"] as const).filter((event) => {
      const key = `${event}\n${presentity}`;
      const text = event === "presence" ? this.options.render.pidf(served, presence) : this.options.render.dialogInfo(served, presence, 0);
      if (this.rendered.get(key) === text) return false;
      this.rendered.set(key, text);
      return true;
    });
    for (const sub of subs) {
      if (!changed.includes(sub.event) || sub.finished) continue;
      // Hot path: what the machine does for presence.changed, without interpreting it (~90 µs each).
      const params = presenceChangedNotify(sub.snapshot.value, sub.snapshot.context);
      if (params !== undefined) sub.sender.request(params);
    }
  }

  removePresentity(presentity: string): void {
    for (const sub of [...(this.byPresentity.get(presentity) ?? [])]) this.dispatch(sub, { type: "presentity.removed" });
    this.presence.delete(presentity);
    this.rendered.delete(`presence\n${presentity}`);
    this.rendered.delete(`dialog\n${presentity}`);
  }

  watchers(presentity?: string): readonly SipWatcher[] {
    const subs = presentity === undefined ? [...this.subscriptions.values()] : [...(this.byPresentity.get(presentity) ?? [])];
    return subs.filter((s) => !s.fetch && !s.finished).map((s) => watcherOf(s));
  }

  /**
   * SIGTERM: every live dialog ends with `terminated;reason=deactivated` (RFC 6665 §4.1.3) and its
   * record goes; the watchers subscribe again when the bridge is back. Returns how many ended.
   */
  deactivateAll(): number {
    let n = 0;
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.finished || sub.fetch) continue;
      this.dispatch(sub, { type: "notifier.stopping" });
      n++;
    }
    return n;
  }

  /** Stops taking SUBSCRIBEs and drops the live dialogs; their records stay for the next start. */
  stop(): void {
    this.unhook();
    for (const sub of this.subscriptions.values()) {
      sub.sender.close();
      if (sub.timer !== undefined) this.clock.clearTimeout(sub.timer);
      sub.dialog.dispose();
    }
    this.subscriptions.clear();
    this.byPresentity.clear();
  }

  // ---- inside the notifier (notifier-start.ts builds subscriptions with these) --------

  /** Registers a subscription built by notifier-start.ts. */
  add(sub: Subscription): void {
    this.subscriptions.set(sub.key, sub);
    const set = this.byPresentity.get(sub.presentity.id) ?? new Set<Subscription>();
    set.add(sub);
    this.byPresentity.set(sub.presentity.id, set);
  }

  /** A NotifierDialog and its sender for a subscription being built. */
  attach(core: Core.UserAgentCore, state: Core.DialogState, sub: Omit<Subscription, "dialog" | "sender">): Subscription {
    const full = sub as Subscription;
    full.dialog = new NotifierDialog(core, state, (message) => this.inDialog(full, message));
    full.sender = new NotifySender(full.dialog, {
      content: (params) => this.content(full, params),
      sent: () => this.persist(full),
      settled: (params, status) => this.settled(full, params, status),
    }, this.clock, this.limits.minNotifyIntervalMs, (job) => this.pacer.run(job));
    return full;
  }

  /** Runs one machine event and carries out its actions. */
  dispatch(sub: Subscription, event: NotifierEvent): void {
    if (sub.finished) return;
    const [snapshot, actions] = transition(sub.snapshot, event);
    sub.snapshot = snapshot;
    for (const action of actions) {
      switch (action.type) {
        case "sendNotify":
          sub.sender.request(action.params as SendNotifyParams);
          break;
        case "scheduleExpiry":
          this.arm(sub, (action.params as { expiresAt: number }).expiresAt);
          break;
        case "cancelExpiry":
          if (sub.timer !== undefined) this.clock.clearTimeout(sub.timer);
          sub.timer = undefined;
          break;
        case "persist":
          this.persist(sub);
          break;
        default:
          break;
      }
    }
    if (snapshot.status === "done" && !sub.sender.busy) this.finish(sub);
  }

  arm(sub: Subscription, expiresAt: number): void {
    if (sub.timer !== undefined) this.clock.clearTimeout(sub.timer);
    sub.timer = this.clock.setTimeout(() => {
      sub.timer = undefined;
      this.dispatch(sub, { type: "expiry.due", now: this.clock.now() });
    }, Math.max(0, expiresAt - this.clock.now()));
  }

  presenceOf(presentity: string): Presence | undefined {
    return this.presence.get(presentity);
  }

  // ---- private ------------------------------------------------------------------------

  private content(sub: Subscription, params: SendNotifyParams): NotifyContent {
    const extraHeaders = [
      `Event: ${sub.eventHeader}`,
      `Subscription-State: ${subscriptionStateHeader(params, this.clock.now())}`,
      `Contact: ${sub.contact}`,
    ];
    const presence = params.withBody ? this.presence.get(sub.presentity.id) : undefined;
    // RFC 3856 §6.6.2: a pending (or rejected) subscription's NOTIFY carries no state: no body
    // at all, rather than an empty PIDF a watcher could take for "offline".
    if (presence === undefined) return { params, extraHeaders, body: undefined };
    const content = sub.event === "presence"
      ? this.options.render.pidf(sub.presentity, presence)
      : this.options.render.dialogInfo(sub.presentity, presence, sub.version++);
    return { params, extraHeaders, body: { contentType: NOTIFY_TYPE[sub.event], content } };
  }

  private settled(sub: Subscription, params: SendNotifyParams, status: number): void {
    const fields = { callId: sub.dialog.callId, presentity: sub.presentity.id, watcher: sub.watcher, state: params.subscriptionState, status };
    if (status >= 300) {
      this.logger.warn("sip.notify.failed", fields);
      this.dispatch(sub, { type: "notify.failed", status });
    } else {
      this.logger.debug("sip.notify.delivered", fields);
    }
    if (sub.snapshot.status === "done" && !sub.sender.busy) this.finish(sub);
  }

  /** RFC 6665 §4.1.2.1 refresh / §4.2.1.4 unsubscribe, inside the dialog. */
  private inDialog(sub: Subscription, message: Core.IncomingRequestMessage): void {
    if (message.method !== "SUBSCRIBE") {
      this.options.stack.replyStateless(message, 405, ["Allow: SUBSCRIBE"]);
      return;
    }
    const uas = new Core.ReSubscribeUserAgentServer(sub.dialog, message);
    if (sub.finished || sub.snapshot.status === "done") {
      uas.reject({ statusCode: 481, reasonPhrase: "Subscription Does Not Exist" });
      return;
    }
    const event = checkEvent(message);
    const granted = event.ok && event.event === sub.event ? checkExpires(message, this.limits) : event.ok ? { ok: false as const, status: 489, reason: "Bad Event", problem: "other-event-in-dialog", extraHeaders: [] } : event;
    if (!granted.ok) {
      this.logger.info("sip.subscribe.rejected", { callId: message.callId, watcher: sub.watcher, status: granted.status, reason: granted.problem });
      uas.reject({ statusCode: granted.status, reasonPhrase: granted.reason, extraHeaders: [...granted.extraHeaders] });
      return;
    }
    sub.dialog.refreshTarget(message);
    uas.accept({ statusCode: 200, extraHeaders: [`Expires: ${granted.expires}`, `Contact: ${sub.contact}`] });
    this.logger.info(granted.expires === 0 ? "sip.subscribe.ended" : "sip.subscribe.refreshed", {
      callId: message.callId, presentity: sub.presentity.id, watcher: sub.watcher, expires: granted.expires,
    });
    this.dispatch(sub, { type: "subscribe.received", now: this.clock.now(), expires: granted.expires });
  }

  private persist(sub: Subscription): void {
    if (sub.fetch) return;
    if (sub.snapshot.value === "terminated") {
      this.options.store.deleteDialog(sub.key);
      return;
    }
    const state: NotifierRecordState = {
      v: 1,
      presentity: sub.presentity,
      watcher: sub.watcher,
      event: sub.event,
      eventHeader: sub.eventHeader,
      ...(sub.authenticatedUser === undefined ? {} : { authenticatedUser: sub.authenticatedUser }),
      dialog: sub.dialog.persisted(),
      value: String(sub.snapshot.value),
      context: sub.snapshot.context,
      version: sub.version,
    };
    this.options.store.putDialog({ id: sub.key, role: "notifier", state, expiresAt: sub.snapshot.context.expiresAt });
  }

  private finish(sub: Subscription): void {
    if (sub.finished) return;
    sub.finished = true;
    sub.sender.close();
    if (sub.timer !== undefined) this.clock.clearTimeout(sub.timer);
    sub.dialog.dispose();
    this.subscriptions.delete(sub.key);
    this.byPresentity.get(sub.presentity.id)?.delete(sub);
    if (this.byPresentity.get(sub.presentity.id)?.size === 0) this.byPresentity.delete(sub.presentity.id);
    if (sub.fetch) return;
    this.options.store.deleteDialog(sub.key);
    const reason: SipWatcherEndReason = sub.snapshot.context.reason ?? "notify-failed";
    this.logger.info("sip.watcher.ended", { callId: sub.dialog.callId, presentity: sub.presentity.id, watcher: sub.watcher, reason });
    try {
      this.options.events.watcherUnsubscribed(watcherOf(sub), reason);
    } catch (error) {
      this.logger.error("sip.notifier.callback-failed", { presentity: sub.presentity.id, watcher: sub.watcher, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
