/** Test helpers: UserAgents on loopback over NodeSipTransport, a tiny notifier, a manual clock, a log sink. */
import { randomBytes } from "node:crypto";
import { Core, UserAgent, type UserAgentOptions } from "sip.js";
import { NodeSipTransport } from "../../../src/sip/transport/index.js";
import type { Clock, LogFields, SipProtocol, SipTransportLogger, SipTransportOptions, TimerHandle } from "../../../src/sip/transport/index.js";

export const LOOPBACK = "127.0.0.1";

export interface LogLine {
  readonly level: string;
  readonly event: string;
  readonly fields: LogFields | undefined;
}

export function captureLogger(): SipTransportLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (event: string, fields?: LogFields) => void lines.push({ level, event, fields });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A clock the test moves by hand; timers fire in order inside `advance`. */
export class ManualClock implements Clock {
  private time = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + ms, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (real time; the bound only guards against a hang). */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export interface TestAgent {
  readonly ua: UserAgent;
  readonly transport: NodeSipTransport;
  readonly port: number;
  readonly uri: string;
}

/** A UA listening on one protocol on an ephemeral loopback port (LIBRARIES.md §1 recipe: viaHost without port, rport). */
export async function startAgent(
  name: string,
  protocol: SipProtocol,
  extra: Partial<SipTransportOptions> = {},
  uaOptions: Partial<UserAgentOptions> = {},
): Promise<TestAgent> {
  const transportOptions: SipTransportOptions = { [protocol]: { host: LOOPBACK, port: 0 }, preferredTransport: protocol, ...extra };
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${name}@${LOOPBACK}`),
    transportConstructor: NodeSipTransport,
    transportOptions,
    viaHost: LOOPBACK,
    forceRport: true,
    contactName: name,
    contactParams: { transport: protocol },
    logBuiltinEnabled: false,
    ...uaOptions,
  });
  await ua.start();
  const transport = ua.transport as NodeSipTransport;
  const port = transport.address(protocol)?.port ?? 0;
  if (ua.contact.uri.port === undefined) ua.contact.uri.port = port;
  return { ua, transport, port, uri: `sip:${name}@${LOOPBACK}:${port};transport=${protocol}` };
}

export async function stopAgents(...agents: (TestAgent | undefined)[]): Promise<void> {
  await Promise.all(agents.map((a) => (a ? Promise.race([a.ua.stop(), sleep(2_000)]) : undefined)));
}

/** Just enough RFC 6665 notifier to answer a SUBSCRIBE and NOTIFY at once (adapted from libcheck/notifier.mjs). */
export class TestNotifierDialog extends Core.Dialog {
  static accept(core: Core.UserAgentCore, uas: Core.IncomingSubscribeRequest, contact: string, body: string): TestNotifierDialog {
    const toTag = randomBytes(6).toString("hex");
    uas.accept({ statusCode: 200, toTag, extraHeaders: ["Expires: 60", `Contact: ${contact}`] });
    const dialog = new TestNotifierDialog(core, Core.Dialog.initialDialogStateForUserAgentServer(uas.message, toTag));
    dialog.notify("active;expires=60", contact, body);
    return dialog;
  }

  notify(state: string, contact: string, body: string): void {
    new Core.NotifyUserAgentClient(this as unknown as Core.SessionDialog, {}, {
      extraHeaders: ["Event: presence", `Subscription-State: ${state}`, `Contact: ${contact}`],
      body: { contentDisposition: "render", contentType: "application/pidf+xml", content: body },
    });
  }

  override receiveRequest(message: Core.IncomingRequestMessage): void {
    if (!this.sequenceGuard(message)) return;
    super.receiveRequest(message);
    new Core.ReSubscribeUserAgentServer(this, message).accept({ statusCode: 200, extraHeaders: ["Expires: 0"] });
    this.dispose();
  }
}

export const pidf = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;
