/**
 * A sip.js `Transport` for Node: UDP, TCP and TLS sockets with the RFC 3261 §18
 * transport layer sip.js leaves to its transport (routing, Via stamping, stream
 * framing) and the UDP reliability it does not implement (retransmission, Timer J).
 *
 * Plug it in with `new UserAgent({ transportConstructor: NodeSipTransport, transportOptions })`.
 */
import { EmitterImpl, TransportState, type Core, type Emitter, type Transport } from "sip.js";
import type { Source, TransportContext } from "./context.js";
import { grammarIsPatched } from "./grammar-check.js";
import { receive, rejectUnframed } from "./incoming.js";
import { resolveOptions, type ResolvedOptions, type SipProtocol, type SipTransportOptions } from "./options.js";
import { sendRequest, sendResponse } from "./outgoing.js";
import { nodeDnsClient } from "./resolver.js";
import { ResponseCache } from "./response-cache.js";
import { Retransmitter } from "./retransmit.js";
import { ServerSources } from "./server-sources.js";
import { StreamEndpoint, type StreamConnection, type StreamProtocol } from "./stream.js";
import { UdpEndpoint } from "./udp.js";
import { firstHeader, scanMessage } from "./wire.js";

export class NodeSipTransport implements Transport {
  /** The Via transport token sip.js writes; the actual one is set per hop when sending. */
  readonly protocol: string;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private readonly options: ResolvedOptions;
  private readonly context: TransportContext;
  private readonly emitter = new EmitterImpl<TransportState>();
  private transportState = TransportState.Disconnected;
  private udp: UdpEndpoint | undefined;
  private readonly streams: Partial<Record<StreamProtocol, StreamEndpoint>> = {};

  /** sip.js calls this with its logger and `transportOptions`; logging goes to `options.logger`. */
  constructor(_logger: Core.Logger | undefined, options: SipTransportOptions) {
    this.options = resolveOptions(options);
    this.protocol = this.options.preferred.toUpperCase();
    const enabled = Object.keys(this.options.listen) as SipProtocol[];
    const retransmitter = new Retransmitter(this.options.clock, this.options.t1, this.options.t2);
    const udp = (): UdpEndpoint | undefined => this.udp;
    const streams = this.streams;
    this.context = {
      options: this.options,
      dns: this.options.dns ?? nodeDnsClient(),
      get udp() {
        return udp();
      },
      streams,
      enabled: [this.options.preferred, ...enabled.filter((p) => p !== this.options.preferred)],
      retransmitter,
      // RFC 3261 §17.2.2: Timer J = 64*T1 for unreliable transports.
      responses: new ResponseCache(this.options.clock, 64 * this.options.t1),
      // Long enough for any transaction sip.js answers late (RFC 3261 Timer C is 3 min).
      serverSources: new ServerSources(this.options.clock, 200_000),
      deliver: (text) => this.deliver(text),
    };
  }

  get state(): TransportState {
    return this.transportState;
  }

  get stateChange(): Emitter<TransportState> {
    return this.emitter;
  }

  isConnected(): boolean {
    return this.transportState === TransportState.Connected;
  }

  /** The bound address of one of our listeners (useful with port 0). */
  address(protocol: SipProtocol): { readonly address: string; readonly port: number } | undefined {
    return protocol === "udp" ? this.udp?.address() : this.streams[protocol]?.address();
  }

  /** For UDP, "connected" means the sockets are bound and listening. */
  async connect(): Promise<void> {
    if (this.transportState === TransportState.Connected) return;
    this.transition(TransportState.Connecting);
    if (!grammarIsPatched()) this.options.logger.warn("sip.grammar.unpatched", { reason: "patches/sip.js+0.21.2.patch is not applied" });
    try {
      const { listen } = this.options;
      if (listen.udp) {
        this.udp = new UdpEndpoint(listen.udp, this.options.logger, (bytes, peer) =>
          receive(this.context, bytes, { protocol: "udp", address: peer.address, port: peer.port, connection: undefined }));
        await this.udp.open();
      }
      for (const protocol of ["tcp", "tls"] as const) {
        const address = listen[protocol];
        if (address === undefined) continue;
        const endpoint = new StreamEndpoint(protocol, address, this.options, {
          onMessage: (bytes, connection) => receive(this.context, bytes, sourceOf(connection)),
          onFrameError: (code, head, connection) => rejectUnframed(this.context, code, head, sourceOf(connection)),
          onClosed: (connection) => this.forgetConnection(connection),
        });
        await endpoint.open();
        this.streams[protocol] = endpoint;
      }
    } catch (error) {
      await this.closeEndpoints();
      this.transition(TransportState.Disconnected);
      throw error;
    }
    this.transition(TransportState.Connected);
    this.options.logger.info("sip.transport.listening", {
      udp: describe(this.address("udp")), tcp: describe(this.address("tcp")), tls: describe(this.address("tls")),
    });
  }

  async disconnect(): Promise<void> {
    if (this.transportState !== TransportState.Connected) return;
    this.transition(TransportState.Disconnecting);
    await this.closeEndpoints();
    this.transition(TransportState.Disconnected);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  /** sip.js gives no destination: requests go to their next hop, responses by their top Via. */
  async send(message: string): Promise<void> {
    if (this.transportState !== TransportState.Connected) throw new Error("SIP transport is not connected");
    const scanned = scanMessage(message);
    if (!scanned) throw new Error("not a SIP message");
    try {
      if (scanned.isResponse) await sendResponse(this.context, message, scanned);
      else await sendRequest(this.context, message, scanned);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn("sip.send.failed", { callId: firstHeader(scanned, "call-id"), reason });
      throw error;
    }
  }

  private deliver(text: string): void {
    if (this.transportState !== TransportState.Connected || !this.onMessage) return;
    this.onMessage(text);
  }

  private forgetConnection(connection: StreamConnection): void {
    this.context.serverSources.forgetConnection(connection);
  }

  private async closeEndpoints(): Promise<void> {
    this.context.retransmitter.stopAll();
    this.context.responses.clear();
    this.context.serverSources.clear();
    const udp = this.udp;
    this.udp = undefined;
    await udp?.close();
    for (const protocol of ["tcp", "tls"] as const) {
      await this.streams[protocol]?.close();
      delete this.streams[protocol];
    }
  }

  /** The state machine of sip.js `api/transport.d.ts`: onConnect entering Connected, onDisconnect leaving it. */
  private transition(next: TransportState, error?: Error): void {
    const previous = this.transportState;
    if (previous === next) return;
    this.transportState = next;
    this.emitter.emit(next);
    if (next === TransportState.Connected) this.onConnect?.();
    if (previous === TransportState.Connected) this.onDisconnect?.(error);
  }
}

function sourceOf(connection: StreamConnection): Source {
  return { protocol: connection.protocol, address: connection.address, port: connection.port, connection };
}

const describe = (address: { readonly address: string; readonly port: number } | undefined): string | undefined =>
  address === undefined ? undefined : `${address.address}:${address.port}`;
