/**
 * The iq services of the component (XEP-0030 disco, XEP-0100 gateway prompt,
 * XEP-0199 ping, XEP-0092 version, XEP-0054 vCard) and the RFC 6120 answers to
 * everything else: `bad-request` for a malformed request (§8.2.3: exactly one
 * payload), `jid-malformed` / `item-not-found` for an address that is no contact,
 * `service-unavailable` for a namespace nobody here serves (§8.3.3.19).
 */
import { Element } from "ltx";
import type { BridgeError } from "../../errors.js";
import type { ContactDirectory, ContactInfo, Logger, StanzaErrorCondition } from "../../gateway/ports.js";
import { errorReply } from "../component/stanza-error.js";
import { capsVer } from "./caps.js";
import { CONTACT_INFO, domainInfo, infoQuery, knownNode } from "./disco.js";
import { NS } from "./namespaces.js";

export interface ServicesOptions {
  /** The component's domain. */
  readonly domain: string;
  readonly directory: ContactDirectory;
  /** The gateway's name in disco and its vCard. */
  readonly name: string;
  /** XEP-0092 software name and version. */
  readonly software: { readonly name: string; readonly version: string };
  readonly logger: Logger;
}

/** What a handler answers: a payload for the result (or none), or an error. */
type Answer = { readonly payload?: Element } | { readonly error: StanzaErrorCondition; readonly text?: string };
type Target = { readonly kind: "domain" } | { readonly kind: "contact"; readonly contact: ContactInfo };
type Handler = (payload: Element, target: Target) => Answer;

const CONDITION: Readonly<Partial<Record<BridgeError["code"], StanzaErrorCondition>>> = {
  "jid-malformed": "jid-malformed",
  "invalid-uri": "jid-malformed",
  "unsupported-uri-scheme": "jid-malformed",
  "item-not-found": "item-not-found",
};

const attr = (el: Element, name: string): string | undefined => (el.attrs[name] === undefined ? undefined : String(el.attrs[name]));
const bare = (jid: string): string => (jid.includes("/") ? jid.slice(0, jid.indexOf("/")) : jid);

export function createServices(options: ServicesOptions): (iq: Element) => Element {
  const gatewayInfo = domainInfo(options.name);
  const handlers = new Map<string, Handler>([
    [`get ${NS.discoInfo}`, (q, t) => discoInfo(q, t.kind === "domain" ? gatewayInfo : CONTACT_INFO)],
    [`get ${NS.discoItems}`, (q) => (attr(q, "node") === undefined ? { payload: new Element("query", { xmlns: NS.discoItems }) } : { error: "item-not-found" })],
    [`get ${NS.ping}`, () => ({})],
    [`get ${NS.vcard}`, (_, t) => ({ payload: vcard(t.kind === "domain" ? options.name : t.contact.name) })],
    [`get ${NS.version}`, (_, t) => (t.kind === "domain" ? { payload: version(options.software) } : { error: "service-unavailable" })],
    [`get ${NS.gateway}`, (_, t) => (t.kind === "domain" ? { payload: gatewayPrompt() } : { error: "service-unavailable" })],
    [`set ${NS.gateway}`, (q, t) => (t.kind === "domain" ? resolvePrompt(q, options.directory) : { error: "service-unavailable" })],
  ]);

  return (iq) => {
    const answer = route(iq, options, handlers);
    if ("error" in answer) {
      options.logger.debug("iq.refused", { from: attr(iq, "from"), to: attr(iq, "to"), condition: answer.error, reason: answer.text });
      return errorReply(iq, answer.error, answer.text) as Element;
    }
    const result = new Element("iq", { type: "result", from: attr(iq, "to") ?? options.domain, to: attr(iq, "from") ?? "", id: attr(iq, "id") ?? "" });
    if (answer.payload !== undefined) result.cnode(answer.payload);
    return result;
  };
}

function route(iq: Element, options: ServicesOptions, handlers: ReadonlyMap<string, Handler>): Answer {
  const payloads = iq.getChildElements();
  const payload = payloads[0];
  // RFC 6120 §8.2.3: a get or set carries exactly one payload element.
  if (payloads.length !== 1 || payload === undefined) return { error: "bad-request", text: "an iq get or set carries exactly one payload" };
  const to = bare(attr(iq, "to") ?? options.domain).toLowerCase();
  let target: Target = { kind: "domain" };
  if (to !== options.domain) {
    const found = options.directory.lookup(to);
    if (!found.ok) return { error: CONDITION[found.error.code] ?? "item-not-found", text: found.error.message };
    target = { kind: "contact", contact: found.value };
  }
  const handler = handlers.get(`${String(iq.attrs.type)} ${payload.getNS() ?? ""}`);
  if (handler === undefined) return { error: "service-unavailable" };
  return handler(payload, target);
}

function discoInfo(query: Element, info: ReturnType<typeof domainInfo>): Answer {
  const node = attr(query, "node");
  if (!knownNode(node, info)) return { error: "item-not-found", text: `no node ${node ?? ""}; ours is #${capsVer(info)}` };
  return { payload: infoQuery(info, node) };
}

/** XEP-0054: the vCard of a contact names it; nothing else is published. */
function vcard(name: string): Element {
  const card = new Element("vCard", { xmlns: NS.vcard });
  card.c("FN").t(name);
  return card;
}

/** XEP-0092 §2: name and version; the OS is left out (§2 allows it, and it tells attackers too much). */
function version(software: ServicesOptions["software"]): Element {
  const query = new Element("query", { xmlns: NS.version });
  query.c("name").t(software.name);
  query.c("version").t(software.version);
  return query;
}

/** XEP-0100 §6.3.1: what to type to add a contact. */
function gatewayPrompt(): Element {
  const query = new Element("query", { xmlns: NS.gateway });
  query.c("desc").t("Enter the extension (1001) or SIP address (sip:1001@pbx.example.com) of the contact you would like to add.");
  query.c("prompt").t("Extension or SIP address");
  return query;
}

/** XEP-0100 §6.3.2: the prompt's answer → the contact's JID (XEP-0106-escaped where needed). */
function resolvePrompt(query: Element, directory: ContactDirectory): Answer {
  const prompt = query.getChild("prompt");
  if (prompt === undefined) return { error: "bad-request", text: "the query has no <prompt/>" };
  const resolved = directory.resolvePrompt(prompt.getText());
  if (!resolved.ok) return { error: CONDITION[resolved.error.code] ?? "not-acceptable", text: resolved.error.message };
  const answer = new Element("query", { xmlns: NS.gateway });
  answer.c("jid").t(resolved.value);
  return { payload: answer };
}
