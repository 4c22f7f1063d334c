/** What the incoming and outgoing paths share inside one transport. */
import type { ResolvedOptions, SipProtocol } from "./options.js";
import type { ResponseCache } from "./response-cache.js";
import type { Retransmitter } from "./retransmit.js";
import type { ServerSources } from "./server-sources.js";
import type { StreamConnection, StreamEndpoint, StreamProtocol } from "./stream.js";
import type { UdpEndpoint } from "./udp.js";
import type { DnsClient } from "./resolver.js";

export interface TransportContext {
  readonly options: ResolvedOptions;
  readonly dns: DnsClient;
  readonly udp: UdpEndpoint | undefined;
  readonly streams: Readonly<Partial<Record<StreamProtocol, StreamEndpoint>>>;
  /** Our transports, preferred first. */
  readonly enabled: readonly SipProtocol[];
  readonly retransmitter: Retransmitter;
  readonly responses: ResponseCache;
  /** Server transaction key → where its request came from. */
  readonly serverSources: ServerSources;
  /** Hands a message to sip.js (`Transport.onMessage`). */
  deliver(text: string): void;
}

/** Where a message came from. */
export interface Source {
  readonly protocol: SipProtocol;
  readonly address: string;
  readonly port: number;
  readonly connection: StreamConnection | undefined;
}

export const peerOf = (source: { readonly address: string; readonly port: number }): string =>
  source.address.includes(":") ? `[${source.address}]:${source.port}` : `${source.address}:${source.port}`;
