/** RFC 3263 §4: from a SIP URI's host to transport, address and port, behind a small DNS port. */
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import type { SipProtocol } from "./options.js";

export interface NaptrRecord {
  readonly flags: string;
  readonly service: string;
  readonly replacement: string;
  readonly order: number;
  readonly preference: number;
}

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** The DNS queries RFC 3263 needs; tests inject a table, production uses {@link nodeDnsClient}. */
export interface DnsClient {
  naptr(name: string): Promise<readonly NaptrRecord[]>;
  srv(name: string): Promise<readonly SrvRecord[]>;
  /** A and AAAA records, IPv4 first. */
  addresses(name: string): Promise<readonly string[]>;
}

export function nodeDnsClient(): DnsClient {
  const empty = <T>(): T[] => [];
  return {
    naptr: (name) => dns.resolveNaptr(name).catch(empty<NaptrRecord>),
    srv: (name) => dns.resolveSrv(name).catch(empty<SrvRecord>),
    addresses: async (name) => {
      const found = await dns.lookup(name, { all: true, order: "ipv4first" }).catch(empty<{ address: string }>);
      return found.map((a) => a.address);
    },
  };
}

/** Where a URI points before resolution. */
export interface SipTarget {
  readonly host: string;
  readonly port: number | undefined;
  readonly transport: SipProtocol | undefined;
  /** A `sips:` URI: TLS only (RFC 3261 §26.2.2). */
  readonly secure: boolean;
}

export interface Hop {
  readonly protocol: SipProtocol;
  readonly address: string;
  readonly port: number;
  /** The name to verify a TLS certificate against. */
  readonly serverName: string;
}

const SERVICES: Readonly<Record<string, SipProtocol>> = { "SIP+D2U": "udp", "SIP+D2T": "tcp", "SIPS+D2T": "tls" };
const SRV_PREFIX: Readonly<Record<SipProtocol, string>> = { udp: "_sip._udp.", tcp: "_sip._tcp.", tls: "_sips._tcp." };

export const defaultPort = (protocol: SipProtocol): number => (protocol === "tls" ? 5061 : 5060);

function byPriority(records: readonly SrvRecord[]): SrvRecord[] {
  // RFC 2782: lowest priority first; among equals, heavier weight first (deterministic, no random draw).
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}

async function expandSrv(dnsClient: DnsClient, protocol: SipProtocol, name: string, serverName: string): Promise<Hop[]> {
  const hops: Hop[] = [];
  for (const srv of byPriority(await dnsClient.srv(name))) {
    for (const address of await dnsClient.addresses(srv.name)) hops.push({ protocol, address, port: srv.port, serverName });
  }
  return hops;
}

/**
 * RFC 3263 §4.1 (transport) and §4.2 (address and port). `enabled` lists our
 * transports in preference order. Returns the hops to try in order (empty: unresolvable).
 */
export async function resolveTarget(target: SipTarget, enabled: readonly SipProtocol[], dnsClient: DnsClient): Promise<Hop[]> {
  const allowed = target.secure ? enabled.filter((p) => p === "tls") : enabled;
  const usable = target.transport === undefined ? allowed : allowed.filter((p) => p === target.transport);
  const first = usable[0];
  if (first === undefined) return [];
  const serverName = target.host;
  const address = target.host.replace(/^\[|\]$/g, "");
  // §4.1/§4.2: a numeric host or an explicit port skips NAPTR and SRV.
  if (isIP(address) !== 0) return [{ protocol: first, address, port: target.port ?? defaultPort(first), serverName }];
  if (target.port !== undefined) {
    return (await dnsClient.addresses(address)).map((a) => ({ protocol: first, address: a, port: target.port ?? 0, serverName }));
  }
  if (target.transport === undefined) {
    const naptr = (await dnsClient.naptr(address))
      .filter((r) => r.flags.toLowerCase() === "s" && SERVICES[r.service.toUpperCase()] !== undefined)
      .filter((r) => usable.includes(SERVICES[r.service.toUpperCase()] ?? "udp"))
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    for (const record of naptr) {
      const hops = await expandSrv(dnsClient, SERVICES[record.service.toUpperCase()] ?? first, record.replacement, serverName);
      if (hops.length > 0) return hops;
    }
  }
  // §4.1: no NAPTR; query SRV for each transport we support, in our order.
  for (const protocol of usable) {
    const hops = await expandSrv(dnsClient, protocol, `${SRV_PREFIX[protocol]}${address}`, serverName);
    if (hops.length > 0) return hops;
  }
  // §4.2: no SRV either; A/AAAA with the default port.
  return (await dnsClient.addresses(address)).map((a) => ({ protocol: first, address: a, port: defaultPort(first), serverName }));
}
