/**
 * IPv6reference = "[" IPv6address "]" exactly as sip.js's peg.js grammar reads
 * it (RFC 3261 §25.1 after RFC 2373): the alternatives are tried in order, the
 * first that matches wins even when it matches only a prefix, and a "]" must
 * follow that match. Each function returns the end position, or -1.
 */

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** h16 = 1*4HEXDIG (greedy) */
function h16(s: string, i: number): number {
  let k = i;
  while (k < i + 4 && isHex(s.charCodeAt(k))) k++;
  return k === i ? -1 : k;
}

/** dec-octet as the grammar's ordered choice: "25"[0-5] / "2"[0-4]DIGIT / "1"DIGIT DIGIT / [1-9]DIGIT / DIGIT */
function decOctet(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  if (a === 0x32 && b === 0x35 && c >= 0x30 && c <= 0x35) return i + 3;
  if (a === 0x32 && b >= 0x30 && b <= 0x34 && isDigit(c)) return i + 3;
  if (a === 0x31 && isDigit(b) && isDigit(c)) return i + 3;
  if (a >= 0x31 && a <= 0x39 && isDigit(b)) return i + 2;
  return isDigit(a) ? i + 1 : -1;
}

function ipv4(s: string, i: number): number {
  let k = decOctet(s, i);
  for (let n = 0; n < 3 && k >= 0; n++) k = s.charCodeAt(k) === 0x2e ? decOctet(s, k + 1) : -1;
  return k;
}

/** ls32 = (h16 ":" h16) / IPv4address */
function ls32(s: string, i: number): number {
  const a = h16(s, i);
  if (a >= 0 && s.charCodeAt(a) === 0x3a) {
    const b = h16(s, a + 1);
    if (b >= 0) return b;
  }
  return ipv4(s, i);
}

const colon = (s: string, i: number): number => (i >= 0 && s.charCodeAt(i) === 0x3a ? i + 1 : -1);
const doubleColon = (s: string, i: number): number => (i >= 0 && s.startsWith("::", i) ? i + 2 : -1);
const then = (i: number, next: (i: number) => number): number => (i < 0 ? -1 : next(i));

/** `count` times h16 ":" */
function h16Colons(s: string, i: number, count: number): number {
  for (let n = 0; n < count && i >= 0; n++) i = colon(s, h16(s, i));
  return i;
}

/** `count` times the optional (":" h16), each taken only when both parts match */
function optionalGroups(s: string, i: number, count: number): number {
  for (let n = 0; n < count; n++) {
    if (s.charCodeAt(i) !== 0x3a) break;
    const k = h16(s, i + 1);
    if (k < 0) break;
    i = k;
  }
  return i;
}

const ALTERNATIVES: readonly ((s: string, i: number) => number)[] = [
  (s, i) => then(h16Colons(s, i, 6), (k) => ls32(s, k)),
  ...[5, 4, 3, 2, 1, 0].map((n) => (s: string, i: number) => then(h16Colons(s, doubleColon(s, i), n), (k) => ls32(s, k))),
  (s, i) => then(doubleColon(s, i), (k) => h16(s, k)),
  (s, i) => then(h16Colons(s, doubleColon(s, h16(s, i)), 4), (k) => ls32(s, k)),
  ...[[1, 3], [2, 2], [3, 1], [4, 0]].map(([groups, colons]) => (s: string, i: number) =>
    then(h16(s, i), (k) => then(h16Colons(s, doubleColon(s, optionalGroups(s, k, groups!)), colons!), (m) => ls32(s, m)))),
  (s, i) => then(h16(s, i), (k) => then(doubleColon(s, optionalGroups(s, k, 5)), (m) => h16(s, m))),
  (s, i) => then(h16(s, i), (k) => doubleColon(s, optionalGroups(s, k, 6))),
];

/** The end of the IPv6reference starting with "[" at `i`, or -1 where the grammar fails. */
export function ipv6ReferenceEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 0x5b) return -1;
  for (const alternative of ALTERNATIVES) {
    const end = alternative(s, i + 1);
    if (end >= 0) return s.charCodeAt(end) === 0x5d ? end + 1 : -1;
  }
  return -1;
}
