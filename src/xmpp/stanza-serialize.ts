import { Element } from "ltx";
import { clampPriority, STANZA_NS } from "./stanza-values.js";
import type { XmppPresence } from "./types.js";

/** `el.c(name).t(text)`, but an empty text adds no child: `<status/>`, not `<status></status>`. */
function child(parent: Element, name: string, attrs: Record<string, string> | undefined, text: string): Element {
  const el = parent.c(name, attrs);
  if (text !== "") el.t(text);
  return el;
}

/** Status languages in a stable order: "" (no xml:lang) first, then by tag. */
function statusLangs(status: Readonly<Record<string, string>>): string[] {
  const langs = Object.keys(status);
  return langs.length > 1 ? langs.sort() : langs;
}

/**
 * {@link XmppPresence} → ltx `<presence/>` without an `xmlns`: on the component
 * stream the default namespace applies. Children in canonical order: show, status
 * (one per language, `xml:lang` unless the key is ""), priority (omitted when 0),
 * c, nick, idle, delay. `<show/>` and `<priority/>` are written only for available
 * presence (RFC 6121 §4.7.2.1, §4.7.2.3), mirroring the parser.
 */
export function xmppPresenceToElement(p: XmppPresence): Element {
  const attrs: Record<string, string> = {};
  if (p.from !== undefined) attrs.from = p.from;
  if (p.id !== undefined) attrs.id = p.id;
  if (p.to !== undefined) attrs.to = p.to;
  if (p.type !== "available") attrs.type = p.type;
  const el = new Element("presence", attrs);
  const available = p.type === "available";

  if (available && p.show !== undefined) el.c("show").t(p.show);
  for (const lang of statusLangs(p.status)) {
    child(el, "status", lang === "" ? undefined : { "xml:lang": lang }, p.status[lang] ?? "");
  }
  const priority = clampPriority(p.priority);
  if (available && priority !== 0) el.c("priority").t(String(priority));
  if (p.caps !== undefined) {
    const { node, ver, hash, ext } = p.caps;
    el.c("c", { xmlns: STANZA_NS.caps, hash, node, ver, ...(ext === undefined ? {} : { ext }) });
  }
  if (p.nick !== undefined) child(el, "nick", { xmlns: STANZA_NS.nick }, p.nick);
  if (p.idleSince !== undefined) el.c("idle", { xmlns: STANZA_NS.idle, since: p.idleSince });
  if (p.delay !== undefined) {
    const { stamp, from, text } = p.delay;
    child(el, "delay", { xmlns: STANZA_NS.delay, ...(from === undefined ? {} : { from }), stamp }, text ?? "");
  }
  return el;
}

/** {@link XmppPresence} → stanza text, in the canonical form of {@link xmppPresenceToElement}. */
export function serializeXmppPresence(p: XmppPresence): string {
  return xmppPresenceToElement(p).toString();
}
