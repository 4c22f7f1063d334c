/** Shared set-up of the SIP UAC integration tests: a stack aimed at Kamailio, the subscriber and publisher, what they report. */
import type { DialogStore, SipDialogRecord, SipEventPackage, SipNotification, SipPublicationStatus, SipSubscriptionStatus } from "../../src/gateway/ports.js";
import type { RequestAuthenticator } from "../../src/sip/stack-types.js";
import { SipStack } from "../../src/sip/stack.js";
import { SipPublisher } from "../../src/sip/publisher.js";
import { SipSubscriber } from "../../src/sip/subscriber.js";
import type { Kamailio } from "../servers/kamailio.js";
import { LOOPBACK } from "../servers/free-port.js";

export type LogLine = { level: string; event: string; fields: Readonly<Record<string, unknown>> | undefined };

export class MemoryDialogStore implements DialogStore {
  readonly records = new Map<string, SipDialogRecord>();
  putDialog(record: SipDialogRecord): void {
    this.records.set(record.id, JSON.parse(JSON.stringify(record)) as SipDialogRecord);
  }
  deleteDialog(id: string): void {
    this.records.delete(id);
  }
  *listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord> {
    for (const r of this.records.values()) if (role === undefined || r.role === role) yield r;
  }
}

export interface Uac {
  readonly stack: SipStack;
  readonly subscriber: SipSubscriber;
  readonly publisher: SipPublisher;
  readonly notifications: SipNotification[];
  readonly statuses: { presentity: string; event: SipEventPackage; watchers: readonly string[]; status: SipSubscriptionStatus }[];
  readonly publications: { presentity: string; status: SipPublicationStatus }[];
  readonly logs: LogLine[];
  stop(): Promise<void>;
}

export interface UacOptions {
  readonly transport: "udp" | "tcp";
  readonly identity?: string;
  readonly authenticator?: RequestAuthenticator;
  readonly expires?: number;
  readonly store?: DialogStore;
  readonly refreshWithBody?: boolean;
}

/** Our UAC side with Kamailio as outbound proxy (the presentities' domain, example.com, is not resolved). */
export async function startUac(kamailio: Kamailio, options: UacOptions): Promise<Uac> {
  const logs: LogLine[] = [];
  const at = (level: string) => (event: string, fields?: Readonly<Record<string, unknown>>) => void logs.push({ level, event, fields });
  const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const stack = await SipStack.start({
    transport: {
      [options.transport]: { host: LOOPBACK, port: 0 },
      preferredTransport: options.transport,
      outboundProxy: `sip:${kamailio.host}:${kamailio.port};transport=${options.transport}`,
    },
    aor: options.identity ?? "sip:presence-bridge@example.com",
    version: "test",
    logger,
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
  });
  const notifications: SipNotification[] = [];
  const statuses: Uac["statuses"] = [];
  const publications: Uac["publications"] = [];
  const subscriber = new SipSubscriber({
    stack, expires: options.expires ?? 300, ...(options.store ? { store: options.store } : {}),
    events: {
      onNotification: (n) => notifications.push(n),
      onSubscriptionStatus: (presentity, event, watchers, status) => statuses.push({ presentity, event, watchers, status }),
    },
  });
  const publisher = new SipPublisher({
    stack, expires: options.expires ?? 300, ...(options.store ? { store: options.store } : {}),
    ...(options.refreshWithBody === undefined ? {} : { refreshWithBody: options.refreshWithBody }),
    events: { onPublicationStatus: (presentity, _event, status) => publications.push({ presentity, status }) },
  });
  return {
    stack, subscriber, publisher, notifications, statuses, publications, logs,
    async stop() {
      subscriber.stop();
      publisher.stop();
      await stack.stop();
    },
  };
}

/** Polls until `check` holds (real time; the bound only guards against a hang). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const bodyOf = (n: SipNotification | undefined): string => n?.body?.content ?? "";

/** The notifications of one presentity whose body contains `text`. */
export const notified = (uac: Uac, presentity: string, text: string): boolean =>
  uac.notifications.some((n) => n.presentity === presentity && bodyOf(n).includes(text));
