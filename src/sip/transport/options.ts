/** The configuration of a {@link NodeSipTransport} and the ports it needs (logger, clock, DNS). */
import type { ConnectionOptions, TlsOptions } from "node:tls";
import type { DnsClient } from "./resolver.js";

export type SipProtocol = "udp" | "tcp" | "tls";

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Structured logging: one event name, the keys an operator searches by (`peer`, `callId`, `code`). */
export interface SipTransportLogger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

/** Timers go through this, so tests can drive retransmission without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface ListenAddress {
  readonly host: string;
  /** 0 picks an ephemeral port; read it back with `NodeSipTransport.address(protocol)`. */
  readonly port: number;
}

export interface SipTlsOptions extends ListenAddress {
  readonly ca?: TlsOptions["ca"];
  readonly cert?: TlsOptions["cert"];
  readonly key?: TlsOptions["key"];
  /** Verify the peer's certificate on outgoing connections (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Ask incoming clients for a certificate (mutual TLS). */
  readonly requestCert?: boolean;
  /** SNI / certificate name to check when the next hop is an IP address. */
  readonly servername?: ConnectionOptions["servername"];
}

export interface SipTransportLimits {
  /** Largest message accepted or framed, in bytes (default 64 KiB). */
  readonly maxMessageBytes?: number;
  /** Close TCP/TLS connections without traffic for this long (default 5 min). */
  readonly idleTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Refuse new stream connections beyond this many (default 1024). */
  readonly maxConnections?: number;
}

export interface SipTimers {
  /** RFC 3261 §17.1.1.1 T1, the RTT estimate (default 500 ms). */
  readonly t1Ms?: number;
  /** RFC 3261 §17.1.2.2 T2, the cap for non-INVITE retransmissions (default 4 s). */
  readonly t2Ms?: number;
}

export interface SipTransportOptions {
  readonly udp?: ListenAddress;
  readonly tcp?: ListenAddress;
  readonly tls?: SipTlsOptions;
  /** The transport sip.js writes into its Via and the one used when a URI names none. */
  readonly preferredTransport?: SipProtocol;
  /** A SIP URI every request outside a dialog is sent to (RFC 3261 §8.1.2), e.g. `sip:proxy.example.com:5060;transport=tcp`; requests in a dialog follow its route set and remote target (§12.2.1.1). */
  readonly outboundProxy?: string;
  /** Treat every request as if its Via had `;rport` (RFC 3581 §4, "force rport" for peers behind NAT). */
  readonly forceRport?: boolean;
  /** Option tags accepted in `Require` (RFC 3261 §8.2.2.3); others get 420. */
  readonly supportedOptionTags?: readonly string[];
  readonly limits?: SipTransportLimits;
  readonly timers?: SipTimers;
  readonly dns?: DnsClient;
  readonly logger?: SipTransportLogger;
  readonly clock?: Clock;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const id = setTimeout(fn, ms);
    id.unref?.();
    return { id };
  },
  clearTimeout: (handle) => clearTimeout(handle.id as ReturnType<typeof setTimeout>),
};

export const silentLogger: SipTransportLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly listen: Readonly<Partial<Record<SipProtocol, ListenAddress>>>;
  readonly tls: SipTlsOptions | undefined;
  readonly preferred: SipProtocol;
  readonly outboundProxy: string | undefined;
  readonly forceRport: boolean;
  readonly supportedOptionTags: ReadonlySet<string>;
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  readonly t1: number;
  readonly t2: number;
  readonly dns: DnsClient | undefined;
  readonly logger: SipTransportLogger;
  readonly clock: Clock;
}

export function resolveOptions(options: SipTransportOptions): ResolvedOptions {
  const listen: Partial<Record<SipProtocol, ListenAddress>> = {};
  if (options.udp) listen.udp = options.udp;
  if (options.tcp) listen.tcp = options.tcp;
  if (options.tls) listen.tls = options.tls;
  const enabled = Object.keys(listen) as SipProtocol[];
  const fallback = enabled.includes("tcp") ? "tcp" : (enabled[0] ?? "udp");
  return {
    listen,
    tls: options.tls,
    preferred: options.preferredTransport !== undefined && enabled.includes(options.preferredTransport)
      ? options.preferredTransport
      : fallback,
    outboundProxy: options.outboundProxy,
    forceRport: options.forceRport ?? false,
    supportedOptionTags: new Set((options.supportedOptionTags ?? ["outbound"]).map((t) => t.toLowerCase())),
    maxMessageBytes: options.limits?.maxMessageBytes ?? 65_536,
    idleTimeoutMs: options.limits?.idleTimeoutMs ?? 300_000,
    connectTimeoutMs: options.limits?.connectTimeoutMs ?? 10_000,
    maxConnections: options.limits?.maxConnections ?? 1024,
    t1: options.timers?.t1Ms ?? 500,
    t2: options.timers?.t2Ms ?? 4_000,
    dns: options.dns,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
}
