/**
 * Fast paths of the grammar rules built on name-addr / addr-spec: From, To,
 * Contact and Record-Route (RFC 3261 §20.10, §20.20, §20.30, §20.39, §25.1).
 * Each builds its NameAddrHeader with the same constructor calls, in the same
 * order, as the grammar's actions, so parameter order and values match.
 */
import { NameAddrHeader, type URI } from "sip.js";
import {
  bail,
  isToken,
  matchesCI,
  scanGenericParam,
  scanQuoted,
  scanSipUri,
  semiAt,
  spacesEnd,
  tokenEnd,
} from "./fast-grammar-scan.js";

/** The grammar hands sip.js's constructors values their types do not admit (undefined, numbers). */
type GrammarParams = Record<string, string>;

interface Address {
  readonly uri: URI;
  readonly displayName: string | undefined;
  readonly end: number;
}

/**
 * (addr_spec / name_addr), as From, To and Contact try them; `nameAddrOnly` for
 * Record-Route. The end is where the grammar is after RAQUOT's trailing SWS.
 */
function scanAddress(s: string, i: number, nameAddrOnly: boolean): Address {
  if (!nameAddrOnly && (matchesCI(s, i, "sip:") || matchesCI(s, i, "sips:"))) {
    const { uri, end } = scanSipUri(s, i, false);
    return { uri, displayName: undefined, end };
  }
  let displayName: string | undefined;
  const first = s.charCodeAt(i);
  if (first === 0x22 /* " */) {
    const end = scanQuoted(s, i);
    displayName = s.slice(i + 1, end - 1);
    i = spacesEnd(s, end);
  } else if (isToken(first)) {
    // displayName = token (LWS token)*; the grammar trims its text.
    let end = tokenEnd(s, i);
    for (;;) {
      const next = spacesEnd(s, end);
      const after = tokenEnd(s, next);
      if (next === end || after === next) break;
      end = after;
    }
    displayName = s.slice(i, end);
    i = spacesEnd(s, end);
  }
  if (s.charCodeAt(i) !== 0x3c /* < */) bail();
  const { uri, end } = scanSipUri(s, i + 1, true);
  if (s.charCodeAt(end) !== 0x3e /* > */) bail();
  return { uri, displayName, end: spacesEnd(s, end + 1) };
}

/** From / To: the tag goes through options.data.tag and is set last on the header. */
export function parseFromTo(s: string): NameAddrHeader {
  const address = scanAddress(s, 0, false);
  let i = address.end;
  let params: Record<string, string | undefined> | undefined;
  let tag: string | undefined;
  for (let next = semiAt(s, i); next >= 0; next = semiAt(s, i)) {
    const param = scanGenericParam(s, next);
    i = param.end;
    // tag_param = "tag"i EQUAL token; a quoted or absent value makes it a generic_param.
    if (param.name === "tag" && param.value !== undefined && !param.quoted) {
      tag = param.value;
    } else {
      params ??= {};
      params[param.name] = param.value;
    }
  }
  if (i !== s.length) bail();
  const header = new NameAddrHeader(address.uri, address.displayName as string, (params ?? {}) as GrammarParams);
  if (tag) header.setParam("tag", tag);
  return header;
}

type ParamValue = string | number | undefined;

/** contact-params: q and expires are numbers in the grammar's params, everything else a generic param. */
function contactParamValue(name: string, value: string | undefined, quoted: boolean): ParamValue {
  if (value === undefined || quoted) return value;
  if (name === "q" && value.charCodeAt(0) === 0x30) {
    // qvalue = "0" ["." 0*3DIGIT], read with parseFloat ("0.50" becomes 0.5)
    if (!/^0(?:\.\d{0,3})?$/.test(value)) bail();
    return parseFloat(value);
  }
  if (name === "expires" && value.charCodeAt(0) >= 0x30 && value.charCodeAt(0) <= 0x39) {
    if (!/^\d+$/.test(value)) bail();
    return parseInt(value);
  }
  return value;
}

export interface MultiHeaderEntry {
  readonly position: number;
  readonly offset: number;
  readonly parsed: NameAddrHeader;
}

/**
 * Contact (nameAddrOnly false) and Record_Route (true): one entry per address,
 * `position` the end and `offset` the start of its text, as the grammar records them.
 */
export function parseMultiHeader(s: string, nameAddrOnly: boolean): MultiHeaderEntry[] {
  // Contact's STAR alternative matches first and its action then throws: the grammar gives -1.
  if (s.charCodeAt(0) === 0x2a) bail();
  const entries: MultiHeaderEntry[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    const address = scanAddress(s, i, nameAddrOnly);
    i = address.end;
    let params: Record<string, ParamValue> | undefined;
    for (let next = semiAt(s, i); next >= 0; next = semiAt(s, i)) {
      const param = scanGenericParam(s, next);
      i = param.end;
      params ??= {};
      params[param.name] = nameAddrOnly ? param.value : contactParamValue(param.name, param.value, param.quoted);
    }
    const parsed = new NameAddrHeader(address.uri, address.displayName as string, (params ?? {}) as GrammarParams);
    entries.push({ position: i, offset: start, parsed });
    // COMMA = SWS "," SWS
    const comma = spacesEnd(s, i);
    if (s.charCodeAt(comma) !== 0x2c) break;
    i = spacesEnd(s, comma + 1);
  }
  if (i !== s.length) bail();
  return entries;
}
