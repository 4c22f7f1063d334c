/** Fakes and set-up shared by the gateway's unit tests: the real presence server and registry, a recording link and SIP ports. */
import { domainAllowListPolicy } from "../../../src/gateway/approval-policy.js";
import { Gateway } from "../../../src/gateway/gateway.js";
import type {
  AddressedPresence, SipEventPackage, SipFetchResult, SipNotifierPort, SipSubscriberPort, SipWatcher, StanzaErrorCondition, StanzaErrorType,
  XmppLink, XmppLinkStatus,
} from "../../../src/gateway/ports.js";
import { PresenceServer } from "../../../src/gateway/presence-server.js";
import { SubscriptionRegistry } from "../../../src/gateway/subscriptions.js";
import { addressDirectory, compileAddresses, loadTable } from "../../../src/mapping/index.js";
import { parseSipBody } from "../../../src/pidf/index.js";
import type { Presence } from "../../../src/presence/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { serializeXmppPresence } from "../../../src/xmpp/index.js";
import { SimClock } from "./helpers.js";

export class FakeLink implements XmppLink {
  readonly domain = "sip.example.com";
  readonly sent: string[] = [];
  private handlers: ((p: AddressedPresence) => void)[] = [];
  status = (): XmppLinkStatus => ({ state: "online", attempt: 1 });
  counters = () => ({ sent: 0, received: 0, queued: 0, droppedPresence: 0, droppedOther: 0, reconnects: 0 });
  sendPresence(p: AddressedPresence): void {
    this.sent.push(serializeXmppPresence(p));
  }
  sendPresenceError(p: AddressedPresence, condition: StanzaErrorCondition, _text?: string, type?: StanzaErrorType): void {
    this.sent.push(`error ${condition}/${String(type)} to ${p.from}`);
  }
  onPresence(h: (p: AddressedPresence) => void) {
    this.handlers.push(h);
    return () => undefined;
  }
  onStatus() {
    return () => undefined;
  }
  receive(p: Partial<AddressedPresence> & { from: string; to: string }): void {
    for (const h of this.handlers) h({ type: "available", status: {}, priority: 0, ...p });
  }
  take(): string[] {
    return this.sent.splice(0);
  }
}

export class RecordingSubscriber implements SipSubscriberPort {
  readonly calls: string[] = [];
  subscribe(r: { presentity: string; event: SipEventPackage; watcher: string }) {
    this.calls.push(`subscribe ${r.presentity} ${r.watcher}`);
    return { ok: true as const, value: undefined };
  }
  unsubscribe(r: { presentity: string; event: SipEventPackage; watcher: string }): void {
    this.calls.push(`unsubscribe ${r.presentity} ${r.watcher}`);
  }
  fetch(): Promise<SipFetchResult> {
    return Promise.resolve({ ok: false, statusCode: 0, reason: "not used" });
  }
}

export const table = (() => {
  const t = loadTable({ profile: "default" });
  if (!t.ok) throw new Error("default table");
  return t.value;
})();
export const book = (() => {
  const b = compileAddresses(undefined, { componentDomain: "sip.example.com" });
  if (!b.ok) throw new Error("address rules");
  return b.value;
})();

/** Records what the gateway asks of the notifier; `live` are the dialogs it reports. */
export class RecordingNotifier implements SipNotifierPort {
  readonly calls: string[] = [];
  readonly live: SipWatcher[] = [];
  authorize(dialogId: string, decision: "approve" | "deny"): void {
    this.calls.push(`authorize ${dialogId} ${decision}`);
  }
  authorizeWatcher(presentity: string, watcher: string, decision: "approve" | "deny"): void {
    this.calls.push(`authorizeWatcher ${presentity} ${watcher} ${decision}`);
  }
  setPresence(presentity: string, presence: Presence): void {
    this.calls.push(`setPresence ${presentity} ${presence.availability} ${presence.show ?? ""} ${Object.values(presence.notes).join("|")}`.trimEnd());
  }
  removePresentity(presentity: string): void {
    this.calls.push(`removePresentity ${presentity}`);
  }
  watchers(presentity?: string): readonly SipWatcher[] {
    return this.live.filter((w) => presentity === undefined || w.presentity === presentity);
  }
}

export function setupGateway(options: { notifier?: SipNotifierPort } = {}) {
  const link = new FakeLink();
  const store = new MemoryStore();
  const clock = new SimClock();
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const server = new PresenceServer({
    link, store, table, clock, logger,
    directory: addressDirectory(book, /^sip:\d+@/),
    registry: (effects) => new SubscriptionRegistry({ store, effects, policy: domainAllowListPolicy([], { otherwise: "defer" }), clock, logger, rateLimit: false }),
  });
  const subscriber = new RecordingSubscriber();
  const gateway = new Gateway({
    presenceServer: server, link, addresses: book, table, subscriber, ...(options.notifier ? { notifier: options.notifier } : {}), mode: "notify", sipDomain: "chat.example.com", serverDomain: "montague.lit",
    parseBody: (body) => parseSipBody(body.content, body.contentType),
    renderPidf: () => ({ contentType: "application/pidf+xml", content: "" }),
    clock, logger,
  });
  gateway.attach();
  server.start();
  return { link, server, subscriber, gateway };
}

