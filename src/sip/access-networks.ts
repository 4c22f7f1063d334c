/**
 * Trusted peer networks: CIDR lists of IPv4 and IPv6 prefixes (RFC 4632, RFC 4291 §2.3).
 * An IPv4-mapped IPv6 source (`::ffff:192.0.2.7`, what a dual-stack socket reports)
 * is matched against the IPv4 prefixes.
 */
import { isIPv4, isIPv6 } from "node:net";
import { fail, ok, type Result } from "../errors.js";

interface Prefix {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly length: number;
}

function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Bits(address: string): bigint {
  let text = address.toLowerCase();
  // A trailing dotted quad (::ffff:192.0.2.7) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = ipv4Bits(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill("0"), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** `{family, bits}` of an address, IPv4-mapped IPv6 folded to IPv4; undefined when not an IP address. */
function addressBits(raw: string): { family: 4 | 6; bits: bigint } | undefined {
  const address = raw.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(address)) return { family: 4, bits: ipv4Bits(address) };
  if (!isIPv6(address)) return undefined;
  const bits = ipv6Bits(address);
  // RFC 4291 §2.5.5.2: ::ffff:0:0/96 carries an IPv4 address.
  if (bits >> 32n === 0xffffn) return { family: 4, bits: bits & 0xffffffffn };
  return { family: 6, bits };
}

function parsePrefix(entry: string): Prefix | undefined {
  const [address = "", lengthText, extra] = entry.trim().split("/");
  if (extra !== undefined) return undefined;
  const parsed = addressBits(address);
  if (!parsed) return undefined;
  const mappedV4 = parsed.family === 4 && !isIPv4(address.replace(/^\[|\]$/g, ""));
  const max = parsed.family === 4 ? 32 : 128;
  if (lengthText !== undefined && !/^\d{1,3}$/.test(lengthText)) return undefined;
  let length = lengthText === undefined ? max : Number(lengthText);
  // `::ffff:10.0.0.0/104` is the IPv4 prefix 10.0.0.0/8.
  if (mappedV4 && lengthText !== undefined) length -= 96;
  if (length < 0 || length > max) return undefined;
  const shift = BigInt(max - length);
  return { family: parsed.family, bits: (parsed.bits >> shift) << shift, length };
}

/** A set of networks; `contains` answers for one source address. */
export class NetworkList {
  private constructor(private readonly prefixes: readonly Prefix[]) {}

  /** Parses `["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1"]`; a bad entry is an error naming it. */
  static parse(entries: readonly string[]): Result<NetworkList> {
    const prefixes: Prefix[] = [];
    for (const [index, entry] of entries.entries()) {
      const prefix = parsePrefix(entry);
      if (!prefix) return fail("invalid-value", `"${entry}" is not an IP address or CIDR prefix`, `/${index}`);
      prefixes.push(prefix);
    }
    return ok(new NetworkList(prefixes));
  }

  get size(): number {
    return this.prefixes.length;
  }

  contains(address: string): boolean {
    const parsed = addressBits(address);
    if (!parsed) return false;
    return this.prefixes.some((p) => {
      if (p.family !== parsed.family) return false;
      const shift = BigInt((p.family === 4 ? 32 : 128) - p.length);
      return (parsed.bits >> shift) << shift === p.bits;
    });
  }
}
