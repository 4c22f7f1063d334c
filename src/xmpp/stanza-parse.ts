import type { Element } from "ltx";
import { fail, ok, type Result } from "../errors.js";
import type { Notes, Show } from "../presence/types.js";
import { parseStanzaText } from "./stanza-text.js";
import { clampPriority, INTEGER, isDateTime, MAX_PRIORITY, MIN_PRIORITY, PRESENCE_NAMESPACES, STANZA_NS } from "./stanza-values.js";
import { PRESENCE_TYPES, type Caps, type Delay, type PresenceType, type XmppPresence, type XmppWarning } from "./types.js";

/** A parsed stanza and what RFC 6121 told the parser to ignore or correct in it. */
export interface ParsedXmppPresence {
  readonly presence: XmppPresence;
  readonly warnings: readonly XmppWarning[];
}

export interface XmppParseLimits {
  /** Largest stanza text accepted, in UTF-8 bytes. Default 64 KiB. */
  readonly maxBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// RFC 6121 §4.7.1: the `type` values; "available" is what the absent attribute stands for, never written.
const WIRE_TYPES: ReadonlySet<string> = new Set(PRESENCE_TYPES.filter((type) => type !== "available"));
const SHOWS: ReadonlySet<string> = new Set<Show>(["chat", "away", "xa", "dnd"]);
const EMPTY_STATUS: Notes = Object.freeze({});

const attr = (el: Element, name: string): string | undefined => {
  const value: unknown = el.attrs[name];
  return value === undefined || value === null ? undefined : String(value);
};

/** The namespace of a child: its prefix's, else its own `xmlns`, else the default namespace in scope. */
function namespaceOf(child: Element, defaultNs: string): string {
  if (child.name.includes(":")) return child.getNS() ?? "";
  const xmlns = attr(child, "xmlns");
  return xmlns ?? defaultNs;
}

/** RFC 6120 §8.1.5: a stanza inherits `xml:lang` from its stream when it has none. */
function inheritedLang(el: Element): string | undefined {
  for (let node: Element | null = el; node !== null; node = node.parent) {
    const lang = attr(node, "xml:lang");
    if (lang !== undefined) return lang;
  }
  return undefined;
}

function readShow(el: Element, warnings: XmppWarning[]): Show | undefined {
  const value = el.getText().trim();
  if (SHOWS.has(value)) return value as Show;
  // RFC 6121 §4.7.2.1: an unknown <show/> value is ignored.
  warnings.push({ code: "unknown-show", message: `<show>${value}</show> is not chat, away, xa or dnd; ignored` });
  return undefined;
}

function readPriority(el: Element, warnings: XmppWarning[]): number {
  const text = el.getText().trim();
  if (!INTEGER.test(text)) {
    warnings.push({ code: "priority-not-integer", message: `<priority>${text}</priority> is not an integer; 0 used` });
    return 0;
  }
  const value = Number(text);
  const clamped = clampPriority(value);
  if (clamped !== value) {
    warnings.push({
      code: "priority-out-of-range",
      message: `<priority>${text}</priority> is outside ${MIN_PRIORITY}..${MAX_PRIORITY}; ${clamped} used`,
    });
  }
  return clamped;
}

/** RFC 6121 §4.7.2.2: one `<status/>` per language; a repeated language keeps the first. */
function addStatus(status: Record<string, string>, lang: string, text: string, warnings: XmppWarning[]): void {
  const folded = lang.toLowerCase(); // BCP 47 tags compare case-insensitively
  for (const known in status) {
    if (known.toLowerCase() === folded) {
      const which = lang === "" ? "without xml:lang" : `for xml:lang "${lang}"`;
      warnings.push({ code: "duplicate-status-lang", message: `a second <status/> ${which} was ignored` });
      return;
    }
  }
  // defineProperty: a tag such as "__proto__" must stay an ordinary key.
  Object.defineProperty(status, lang, { value: text, enumerable: true, writable: true, configurable: true });
}

function readIdle(el: Element, warnings: XmppWarning[]): string | undefined {
  const since = attr(el, "since");
  if (since !== undefined && isDateTime(since)) return since;
  warnings.push({ code: "invalid-idle", message: `<idle since="${since ?? ""}"/> is not an XEP-0082 DateTime; ignored` });
  return undefined;
}

function readDelay(el: Element, warnings: XmppWarning[]): Delay | undefined {
  const stamp = attr(el, "stamp");
  if (stamp === undefined || !isDateTime(stamp)) {
    warnings.push({ code: "invalid-delay", message: `<delay stamp="${stamp ?? ""}"/> is not an XEP-0082 DateTime; ignored` });
    return undefined;
  }
  const delay: Mutable<Delay> = { stamp };
  const from = attr(el, "from");
  if (from !== undefined) delay.from = from;
  const text = el.getText();
  if (text !== "") delay.text = text;
  return delay;
}

/** XEP-0115 §4: node, ver and hash are required; legacy caps without hash are not carried. */
function readCaps(el: Element): Caps | undefined {
  const node = attr(el, "node");
  const ver = attr(el, "ver");
  const hash = attr(el, "hash");
  if (node === undefined || ver === undefined || hash === undefined) return undefined;
  const ext = attr(el, "ext");
  return ext === undefined ? { node, ver, hash } : { node, ver, hash, ext };
}

/** What the children of a `<presence/>` say; the first of each counts. */
interface Children {
  show?: Show;
  status?: Record<string, string>;
  priority?: number;
  idleSince?: string;
  delay?: Delay;
  caps?: Caps;
  nick?: string;
}

function readChildren(el: Element, ns: string, available: boolean, warnings: XmppWarning[]): Children {
  const found: Children = {};
  const defaultNs = el.findNS() ?? "";
  const lang = inheritedLang(el) ?? "";
  let showSeen = false;
  for (const child of el.children) {
    if (typeof child === "string") continue;
    const name = child.getName();
    const childNs = namespaceOf(child, defaultNs);
    if (childNs === ns) {
      if (name === "status") {
        addStatus((found.status ??= {}), attr(child, "xml:lang") ?? lang, child.getText(), warnings);
      } else if (available && name === "show" && !showSeen) {
        showSeen = true;
        found.show = readShow(child, warnings);
      } else if (available && name === "priority" && found.priority === undefined) {
        found.priority = readPriority(child, warnings);
      }
    } else if (childNs === STANZA_NS.idle && name === "idle") found.idleSince ??= readIdle(child, warnings);
    else if (childNs === STANZA_NS.delay && name === "delay") found.delay ??= readDelay(child, warnings);
    else if (childNs === STANZA_NS.caps && name === "c") found.caps ??= readCaps(child);
    else if (childNs === STANZA_NS.nick && name === "nick") found.nick ??= child.getText();
  }
  return found;
}

/**
 * An ltx `<presence/>` element → {@link XmppPresence}. Faithful to the wire; decides
 * nothing beyond what RFC 6121 tells a receiver to do with bad values (warnings).
 * `<show/>` and `<priority/>` are read only when the presence is available: RFC 6121
 * defines them as qualifiers of available presence, and §4.5.1 lets unavailable
 * presence carry `<status/>` only. Other children are read for every type.
 */
export function readXmppPresence(el: Element): Result<ParsedXmppPresence> {
  const ns = el.getNS() ?? "";
  if (el.getName() !== "presence" || !PRESENCE_NAMESPACES.has(ns)) {
    const found = `<${el.getName()}>${ns === "" ? "" : ` in ${ns}`}`;
    return fail("unexpected-root", `expected <presence/> in jabber:client, jabber:server or jabber:component:accept, found ${found}`);
  }
  const typeAttr = attr(el, "type");
  if (typeAttr !== undefined && !WIRE_TYPES.has(typeAttr)) {
    return fail("invalid-value", `presence type "${typeAttr}" is not one RFC 6121 §4.7.1 defines`);
  }
  const type = (typeAttr ?? "available") as PresenceType;
  const warnings: XmppWarning[] = [];
  const children = readChildren(el, ns, type === "available", warnings);

  const presence = { type } as Mutable<XmppPresence>;
  const from = attr(el, "from");
  const to = attr(el, "to");
  const id = attr(el, "id");
  if (from !== undefined) presence.from = from;
  if (to !== undefined) presence.to = to;
  if (id !== undefined) presence.id = id;
  if (children.show !== undefined) presence.show = children.show;
  presence.status = children.status ?? EMPTY_STATUS;
  presence.priority = children.priority ?? 0;
  if (children.idleSince !== undefined) presence.idleSince = children.idleSince;
  if (children.delay !== undefined) presence.delay = children.delay;
  if (children.caps !== undefined) presence.caps = children.caps;
  if (children.nick !== undefined) presence.nick = children.nick;
  return ok({ presence, warnings });
}

/**
 * Parses a `<presence/>` stanza: text (the CLI, tests) or an ltx Element as
 * `@xmpp/component` delivers it (the production path). Text is capped in size,
 * may not hold a DTD (RFC 6120 §11.1) and must be one well-formed element.
 */
export function parseXmppPresence(input: string | Element, limits: XmppParseLimits = {}): Result<ParsedXmppPresence> {
  if (typeof input !== "string") return readXmppPresence(input);
  const element = parseStanzaText(input, limits.maxBytes);
  return element.ok ? readXmppPresence(element.value) : element;
}
