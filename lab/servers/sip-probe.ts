import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket as TcpSocket } from "node:net";
import { LOOPBACK } from "./free-port.js";
import { branch, digestAuthorization, frameSip, header, parseSip, responseTo, serializeSip, token, type SipMessage } from "./sip-message.js";

export type SipTransport = "udp" | "tcp";

export interface SipProbeOptions {
  host: string;
  port: number;
  transport?: SipTransport;
  /** The user part of this probe's own address (From, Contact). */
  user?: string;
  domain?: string;
  /** Answers 401/407 with digest credentials when given. */
  credentials?: { user: string; password: string };
}

export interface RequestOptions {
  headers?: [string, string][];
  body?: string;
  /** The To URI; defaults to the Request-URI. */
  to?: string;
  callId?: string;
  /** Inside a dialog: our tag and the peer's (RFC 3261 §12.2.1.1). */
  fromTag?: string;
  toTag?: string;
  timeoutMs?: number;
}

interface Waiter {
  match: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

/**
 * A tiny SIP user agent over node:dgram or node:net for smoke tests: sends one request at a
 * time (with digest auth), answers every incoming request (NOTIFY) with 200, and keeps them.
 */
export class SipProbe {
  readonly received: SipMessage[] = [];
  private waiters: Waiter[] = [];
  private requestListeners: ((m: SipMessage) => void)[] = [];
  private cseq = 1;
  private tcpBuffer: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly options: SipProbeOptions,
    private readonly udp: UdpSocket | undefined,
    private readonly tcp: TcpSocket | undefined,
    readonly localPort: number,
  ) {}

  static async open(options: SipProbeOptions): Promise<SipProbe> {
    if ((options.transport ?? "udp") === "udp") {
      const socket = createSocket("udp4");
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(0, LOOPBACK, () => resolve());
      });
      const probe = new SipProbe(options, socket, undefined, socket.address().port);
      socket.on("message", (data) => probe.onMessage(data.toString("utf8")));
      return probe;
    }
    const socket = connect({ host: options.host, port: options.port, localAddress: LOOPBACK });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => resolve());
    });
    socket.on("error", () => undefined);
    const probe = new SipProbe(options, undefined, socket, socket.localPort ?? 0);
    socket.on("data", (chunk) => probe.onTcpData(chunk));
    return probe;
  }

  get aor(): string {
    return `sip:${this.options.user ?? "probe"}@${this.options.domain ?? LOOPBACK}`;
  }

  private get transport(): SipTransport {
    return this.options.transport ?? "udp";
  }

  private send(text: string): void {
    if (this.udp) this.udp.send(text, this.options.port, this.options.host);
    else this.tcp?.write(text);
  }

  private onTcpData(chunk: Buffer): void {
    const { messages, rest } = frameSip(Buffer.concat([this.tcpBuffer, chunk]));
    this.tcpBuffer = rest;
    for (const m of messages) this.onMessage(m);
  }

  private onMessage(raw: string): void {
    const msg = parseSip(raw);
    if (msg.method !== undefined) {
      this.received.push(msg);
      if (msg.method !== "ACK") this.send(responseTo(msg));
      for (const listener of this.requestListeners) listener(msg);
    }
    for (const w of [...this.waiters]) {
      if (w.match(msg)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
      }
    }
  }

  /** Called for every request received (after its 200 is sent), e.g. to time NOTIFYs in a benchmark. */
  onRequest(listener: (m: SipMessage) => void): void {
    this.requestListeners.push(listener);
  }

  /** Waits for a message (already received, or to come) that matches. */
  waitFor(match: (m: SipMessage) => boolean, timeoutMs = 5000, what = "a SIP message"): Promise<SipMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received:\n${this.received.map((m) => m.raw).join("\n----\n")}`));
      }, timeoutMs);
      const waiter: Waiter = { match, resolve: (m) => (clearTimeout(timer), resolve(m)) };
      this.waiters.push(waiter);
    });
  }

  /** Sends a request and resolves with its final response (after one digest retry if challenged). */
  async request(method: string, uri: string, options: RequestOptions = {}): Promise<{ response: SipMessage; responses: SipMessage[] }> {
    const callId = options.callId ?? `${token()}@probe`;
    const fromTag = options.fromTag ?? token();
    const to = `<${options.to ?? uri}>${options.toTag === undefined ? "" : `;tag=${options.toTag}`}`;
    const responses: SipMessage[] = [];
    let auth: [string, string] | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const cseq = this.cseq++;
      const via = `SIP/2.0/${this.transport.toUpperCase()} ${LOOPBACK}:${this.localPort};branch=${branch()};rport`;
      const contact = `<sip:${this.options.user ?? "probe"}@${LOOPBACK}:${this.localPort};transport=${this.transport}>`;
      const headers: [string, string][] = [
        ["Via", via], ["Max-Forwards", "70"], ["From", `<${this.aor}>;tag=${fromTag}`], ["To", to],
        ["Call-ID", callId], ["CSeq", `${cseq} ${method}`], ["Contact", contact], ["User-Agent", "presence-bridge-sip-probe"],
        ...(auth ? [auth] : []), ...(options.headers ?? []),
      ];
      const text = serializeSip(`${method} ${uri} SIP/2.0`, headers, options.body);
      const final = this.waitFor(
        (m) => m.status !== undefined && m.status >= 200 && header(m, "call-id") === callId && header(m, "cseq") === `${cseq} ${method}`,
        options.timeoutMs ?? 5000,
        `the final response to ${method} ${uri}`,
      );
      this.send(text);
      // RFC 3261 §17.1.2.2 timer E, simplified: resend over UDP until a final response.
      const retransmit = this.udp ? setInterval(() => this.send(text), 500) : undefined;
      const response = await final.finally(() => clearInterval(retransmit));
      responses.push(response);
      if ((response.status === 401 || response.status === 407) && this.options.credentials && attempt === 0) {
        auth = digestAuthorization(response, method, uri, this.options.credentials);
        if (auth) continue;
      }
      return { response, responses };
    }
    throw new Error("unreachable");
  }

  /** SUBSCRIBE (RFC 6665) to a presentity; NOTIFYs land in `received`, see `waitForNotify`. */
  async subscribe(presentity: string, event = "presence", expires = 300): Promise<{ response: SipMessage; responses: SipMessage[]; callId: string; fromTag: string; toTag: string | undefined }> {
    const callId = `${token()}@probe`;
    const fromTag = token();
    const accept = event === "dialog" ? "application/dialog-info+xml" : "application/pidf+xml";
    const r = await this.request("SUBSCRIBE", presentity, {
      callId,
      fromTag,
      headers: [["Event", event], ["Accept", accept], ["Expires", String(expires)]],
    });
    const toTag = /;\s*tag=([^;\s]+)/i.exec(header(r.response, "to") ?? "")?.[1];
    return { ...r, callId, fromTag, toTag };
  }

  /** Ends a subscription inside its dialog: SUBSCRIBE with Expires: 0 (RFC 6665 §4.1.2.3). Uses the dialog's remote target loosely: the Request-URI is the presentity (through a proxy). */
  async unsubscribe(presentity: string, dialog: { callId: string; fromTag: string; toTag: string | undefined }, event = "presence"): Promise<SipMessage> {
    const { response } = await this.request("SUBSCRIBE", presentity, {
      callId: dialog.callId,
      fromTag: dialog.fromTag,
      ...(dialog.toTag === undefined ? {} : { toTag: dialog.toTag }),
      headers: [["Event", event], ["Expires", "0"]],
    });
    return response;
  }

  waitForNotify(callId: string, bodyMatch: (body: string) => boolean = () => true, timeoutMs = 5000): Promise<SipMessage> {
    return this.waitFor(
      (m) => m.method === "NOTIFY" && header(m, "call-id") === callId && bodyMatch(m.body),
      timeoutMs,
      `a NOTIFY in dialog ${callId}`,
    );
  }

  async close(): Promise<void> {
    if (this.udp) await new Promise<void>((r) => this.udp?.close(() => r()));
    if (this.tcp) this.tcp.destroy();
  }
}

/** One OPTIONS ping; resolves with the status code, or undefined when nothing answered in time. */
export async function sipPing(host: string, port: number, transport: SipTransport = "udp", timeoutMs = 1000): Promise<number | undefined> {
  let probe: SipProbe | undefined;
  try {
    probe = await SipProbe.open({ host, port, transport });
    const { response } = await probe.request("OPTIONS", `sip:${host}:${port}`, { timeoutMs });
    return response.status;
  } catch {
    return undefined;
  } finally {
    await probe?.close();
  }
}
