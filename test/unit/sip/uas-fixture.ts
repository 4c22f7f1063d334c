/**
 * The UAS side assembled as src/app.ts would: a SipStack on loopback, the notifier and
 * the PUBLISH receiver with the real egress (src/mapping) as renderer, an in-memory
 * DialogStore, and a gateway stand-in that records every callback.
 */
import { presenceToDialogInfo, presenceToPidf } from "../../../src/mapping/index.js";
import { serializeDialogInfo, serializePidf } from "../../../src/pidf/index.js";
import { makePresence } from "../../../src/presence/index.js";
import type { Presence } from "../../../src/presence/index.js";
import type {
  ApprovalDecision,
  Clock,
  DialogStore,
  Logger,
  ServedPresentity,
  SipDialogRecord,
  SipPublication,
  SipWatcher,
  SipWatcherEndReason,
} from "../../../src/gateway/ports.js";
import { SipAccess, type SipAccessConfig } from "../../../src/sip/access.js";
import { Notifier, type NotifyBodyRenderer, type SubscriptionLimits } from "../../../src/sip/notifier.js";
import { PublishReceiver, type PublishLimits } from "../../../src/sip/publish-receiver.js";
import { SipStack } from "../../../src/sip/stack.js";
import type { SipProtocol } from "../../../src/sip/transport/index.js";

export const DOMAIN = "bridge.example.com";

export class MemoryDialogStore implements DialogStore {
  readonly records = new Map<string, SipDialogRecord>();
  writes = 0;
  putDialog(record: SipDialogRecord): void {
    this.writes++;
    this.records.set(record.id, JSON.parse(JSON.stringify(record)) as SipDialogRecord);
  }
  deleteDialog(id: string): void {
    this.records.delete(id);
  }
  *listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord> {
    for (const r of this.records.values()) if (role === undefined || r.role === role) yield r;
  }
}

export const renderer: NotifyBodyRenderer = {
  pidf: (p: ServedPresentity, presence: Presence) => serializePidf(presenceToPidf(presence, p.uri)),
  dialogInfo: (p: ServedPresentity, presence: Presence, version: number) => serializeDialogInfo(presenceToDialogInfo(presence, p.uri, version)),
};

export const available = (note: string, phone?: Presence["phone"]): Presence =>
  makePresence({ availability: "available", notes: { "": note }, ...(phone === undefined ? {} : { phone }), origin: { side: "xmpp", entity: "alice@example.com" } });

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Serves `alice` and `carol` at the bridge's domain (any host: the test peers use 127.0.0.1). */
export const resolver = (uri: string): ServedPresentity | undefined => {
  const user = /^sips?:([^@;]+)@/.exec(uri)?.[1];
  return user === "alice" || user === "carol" ? { id: `${user}@example.com`, uri: `sip:${user}@${DOMAIN}` } : undefined;
};

/** The gateway stand-in: answers the notifier with `decide` and records everything. */
export class GatewayRecorder {
  decide: (watcher: SipWatcher) => ApprovalDecision = () => "defer";
  readonly subscribed: SipWatcher[] = [];
  readonly fetched: SipWatcher[] = [];
  readonly ended: [SipWatcher, SipWatcherEndReason][] = [];
  readonly published: [string, readonly SipPublication[]][] = [];
  watcherSubscribed = (w: SipWatcher): ApprovalDecision => (this.subscribed.push(w), this.decide(w));
  watcherFetched = (w: SipWatcher): ApprovalDecision => (this.fetched.push(w), this.decide(w));
  watcherUnsubscribed = (w: SipWatcher, reason: SipWatcherEndReason): void => void this.ended.push([w, reason]);
  publishedTo = (presentity: string, publications: readonly SipPublication[]): void => void this.published.push([presentity, publications]);
}

export interface UasOptions {
  readonly protocol: SipProtocol;
  readonly port?: number;
  readonly access?: SipAccessConfig;
  readonly limits?: Partial<SubscriptionLimits>;
  readonly publishLimits?: Partial<PublishLimits>;
  readonly store?: MemoryDialogStore;
  readonly gateway?: GatewayRecorder;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface Uas {
  readonly stack: SipStack;
  readonly notifier: Notifier;
  readonly receiver: PublishReceiver;
  readonly store: MemoryDialogStore;
  readonly gateway: GatewayRecorder;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startUas(o: UasOptions): Promise<Uas> {
  const logger = o.logger ?? silentLogger;
  const stack = await SipStack.start({
    transport: { [o.protocol]: { host: "127.0.0.1", port: o.port ?? 0 }, preferredTransport: o.protocol },
    aor: `sip:presence-bridge@${DOMAIN}`,
    version: "0.0.0-test",
    logger,
  });
  const access = SipAccess.create(o.access ?? { trustedNetworks: ["127.0.0.1/32", "::1"] });
  if (!access.ok) throw new Error(access.error.message);
  const store = o.store ?? new MemoryDialogStore();
  const gateway = o.gateway ?? new GatewayRecorder();
  const notifier = new Notifier({
    stack, resolve: resolver, access: access.value, store, render: renderer, logger,
    events: gateway, limits: { minNotifyIntervalMs: 0, ...o.limits }, ...(o.clock ? { clock: o.clock } : {}),
  });
  const receiver = new PublishReceiver({
    stack, resolve: resolver, access: access.value, logger, events: { published: gateway.publishedTo },
    ...(o.publishLimits ? { limits: o.publishLimits } : {}), ...(o.clock ? { clock: o.clock } : {}),
  });
  const port = stack.transport.address(o.protocol)?.port ?? 0;
  return {
    stack, notifier, receiver, store, gateway, port,
    async stop() {
      receiver.stop();
      notifier.stop();
      await stack.stop();
    },
  };
}
