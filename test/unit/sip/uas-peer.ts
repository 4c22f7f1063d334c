/**
 * A raw SIP watcher / publisher for the notifier and PUBLISH receiver tests: writes
 * requests header by header (so tests control tags, CSeq, Route and odd values), keeps
 * every NOTIFY it gets and answers it with the status the test chooses.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket as TcpSocket } from "node:net";
import { branch, frameSip, header, parseSip, responseTo, serializeSip, token, type SipMessage } from "../../servers/sip-message.js";

export type PeerProtocol = "udp" | "tcp";

export interface PeerRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers?: readonly [string, string][];
  readonly body?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq?: number;
  readonly from?: string;
  readonly to?: string;
  readonly route?: readonly string[];
}

/** What a SUBSCRIBE set up, seen from the watcher. */
export interface PeerDialog {
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  /** The notifier's Contact (where in-dialog requests go, RFC 3261 §12.2.1.1). */
  readonly remoteTarget: string;
  /** Record-Route of the 200, reversed (RFC 3261 §12.1.2). */
  readonly routeSet: readonly string[];
  readonly from: string;
  readonly to: string;
  cseq: number;
}

export class UasPeer {
  readonly requests: SipMessage[] = [];
  /** Status for each incoming request (default 200); 0 holds it unanswered until {@link release}. */
  answer: (request: SipMessage) => number = () => 200;
  private readonly held: SipMessage[] = [];
  /** Responses already sent, by top Via: a retransmission (UDP Timer E) gets the same answer. */
  private readonly answered = new Map<string, string | undefined>();
  private readonly responses: SipMessage[] = [];
  private waiters: { match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];
  private buffer: Buffer = Buffer.alloc(0);

  private constructor(
    readonly protocol: PeerProtocol,
    private readonly target: { host: string; port: number },
    private readonly udp: UdpSocket | undefined,
    private readonly tcp: TcpSocket | undefined,
    readonly port: number,
    readonly user: string,
  ) {}

  static async open(protocol: PeerProtocol, target: { host: string; port: number }, user = "bob"): Promise<UasPeer> {
    if (protocol === "udp") {
      const socket = createSocket("udp4");
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(0, "127.0.0.1", () => resolve());
      });
      const peer = new UasPeer(protocol, target, socket, undefined, socket.address().port, user);
      socket.on("message", (data) => peer.onMessage(data.toString("utf8")));
      return peer;
    }
    const socket = connect({ host: target.host, port: target.port, localAddress: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => resolve());
    });
    socket.on("error", () => undefined);
    const peer = new UasPeer(protocol, target, undefined, socket, socket.localPort ?? 0, user);
    socket.on("data", (chunk) => peer.onData(chunk));
    return peer;
  }

  get aor(): string {
    return `sip:${this.user}@example.com`;
  }

  get contact(): string {
    return `<sip:${this.user}@127.0.0.1:${this.port}${this.protocol === "tcp" ? ";transport=tcp" : ""}>`;
  }

  send(text: string): void {
    if (this.udp) this.udp.send(text, this.target.port, this.target.host);
    else this.tcp?.write(text);
  }

  /** Sends one request and resolves with its final response. */
  async request(r: PeerRequest, timeoutMs = 3000): Promise<SipMessage> {
    const callId = r.callId ?? `${token()}@peer`;
    const cseq = r.cseq ?? 1;
    const headers: [string, string][] = [
      ["Via", `SIP/2.0/${this.protocol.toUpperCase()} 127.0.0.1:${this.port};branch=${branch()};rport`],
      ...(r.route ?? []).map((route): [string, string] => ["Route", route]),
      ["Max-Forwards", "70"],
      ["From", `<${r.from ?? this.aor}>;tag=${r.fromTag ?? token()}`],
      ["To", `<${r.to ?? r.uri}>${r.toTag === undefined ? "" : `;tag=${r.toTag}`}`],
      ["Call-ID", callId],
      ["CSeq", `${cseq} ${r.method}`],
      ["Contact", this.contact],
      ...(r.headers ?? []),
    ];
    const final = this.waitFor(
      (m) => m.status !== undefined && m.status >= 200 && header(m, "call-id") === callId && header(m, "cseq") === `${cseq} ${r.method}`,
      timeoutMs, `the final response to ${r.method}`, this.responses.length,
    );
    this.send(serializeSip(`${r.method} ${r.uri} SIP/2.0`, headers, r.body));
    return final;
  }

  /** An initial SUBSCRIBE; on 2xx returns the dialog for refreshes. */
  async subscribe(uri: string, options: { event?: string; expires?: number; headers?: [string, string][]; route?: string[] } = {}): Promise<{ response: SipMessage; dialog: PeerDialog | undefined }> {
    const callId = `${token()}@peer`;
    const fromTag = token();
    const event = options.event ?? "presence";
    const response = await this.request({
      method: "SUBSCRIBE", uri, callId, fromTag, ...(options.route ? { route: options.route } : {}),
      headers: [["Event", event], ["Expires", String(options.expires ?? 600)], ...(options.headers ?? [])],
    });
    if (response.status === undefined || response.status >= 300) return { response, dialog: undefined };
    const toTag = /;\s*tag=([^;>\s]+)/.exec(header(response, "to") ?? "")?.[1] ?? "";
    const remoteTarget = /<([^>]+)>/.exec(header(response, "contact") ?? "")?.[1] ?? "";
    const routeSet = (response.headers.get("record-route") ?? []).flatMap((v) => v.split(",").map((x) => x.trim())).reverse();
    return { response, dialog: { callId, fromTag, toTag, remoteTarget, routeSet, from: this.aor, to: uri, cseq: 1 } };
  }

  /** A SUBSCRIBE inside the dialog (refresh; `expires: 0` unsubscribes). */
  resubscribe(dialog: PeerDialog, expires: number, event = "presence"): Promise<SipMessage> {
    dialog.cseq += 1;
    return this.request({
      method: "SUBSCRIBE", uri: dialog.remoteTarget, callId: dialog.callId, fromTag: dialog.fromTag, toTag: dialog.toTag,
      cseq: dialog.cseq, to: dialog.to, route: dialog.routeSet, headers: [["Event", event], ["Expires", String(expires)]],
    });
  }

  notifies(callId: string): SipMessage[] {
    return this.requests.filter((m) => m.method === "NOTIFY" && header(m, "call-id") === callId);
  }

  /** Waits for the n-th NOTIFY (1-based) of a dialog. */
  nthNotify(callId: string, n: number, timeoutMs = 3000): Promise<SipMessage> {
    return this.waitFor(() => this.notifies(callId).length >= n, timeoutMs, `NOTIFY #${n} in ${callId}`)
      .then(() => this.notifies(callId)[n - 1] as SipMessage);
  }

  /** Answers the held requests. */
  release(status = 200): number {
    const held = this.held.splice(0);
    for (const msg of held) this.reply(msg, status);
    return held.length;
  }

  private reply(msg: SipMessage, status: number): void {
    const text = responseTo(msg, status, status === 200 ? "OK" : "Test Says So");
    this.answered.set(header(msg, "via") ?? "", text);
    this.send(text);
  }

  async close(): Promise<void> {
    if (this.udp) await new Promise<void>((r) => this.udp?.close(() => r()));
    this.tcp?.destroy();
  }

  private waitFor(match: (m: SipMessage) => boolean, timeoutMs: number, what: string, from = 0): Promise<SipMessage> {
    const seen = [...this.responses.slice(from), ...this.requests].find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; got:\n${[...this.requests, ...this.responses].map((m) => m.raw.split("\r\n")[0]).join("\n")}`));
      }, timeoutMs);
      const waiter = { match, resolve: (m: SipMessage) => (clearTimeout(timer), resolve(m)) };
      this.waiters.push(waiter);
    });
  }

  private onData(chunk: Buffer): void {
    const { messages, rest } = frameSip(Buffer.concat([this.buffer, chunk]));
    this.buffer = rest;
    for (const m of messages) this.onMessage(m);
  }

  private onMessage(raw: string): void {
    const msg = parseSip(raw);
    if (msg.method !== undefined) {
      const via = header(msg, "via") ?? "";
      if (this.answered.has(via)) {
        const again = this.answered.get(via);
        if (again !== undefined) this.send(again);
        return;
      }
      this.requests.push(msg);
      if (msg.method !== "ACK") {
        const status = this.answer(msg);
        if (status === 0) {
          this.answered.set(via, undefined);
          this.held.push(msg);
        } else {
          this.reply(msg, status);
        }
      }
    } else {
      this.responses.push(msg);
    }
    for (const w of [...this.waiters]) {
      if (w.match(msg)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
      }
    }
  }
}
