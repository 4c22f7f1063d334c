/**
 * The address rules of a conversion table (`addresses`), applied: contact JID ⇄
 * SIP URI, chat user JID ⇄ SIP URI (RFC 7247 §3), XEP-0106 escaping, domain pairs,
 * templates and explicit links of a person's JID to an extension. Compiled once
 * (templates checked, pairs indexed); every call is then a few string operations.
 */
import { fail, ok, type BridgeError, type Result } from "../errors.js";
import { escapeLocalpart, unescapeLocalpart } from "./addresses-escape.js";
import { bareJid, encodeSipUser, formatSipUri, parseJid, parseSipUri, type SipUri } from "./addresses-parse.js";
import { compileAddressTemplate, fillTemplate, type AddressTemplate } from "./addresses-template.js";
import type { AddressRules } from "./types.js";

/** What the address rules cannot know: the domain the bridge serves as an XMPP component. */
export interface AddressOptions {
  /** The component's domain: every bridged contact is `user@componentDomain`. */
  readonly componentDomain: string;
}

/** A compiled set of address rules. Every method returns a typed error for bad input; none throws. */
export interface AddressBook {
  readonly componentDomain: string;
  /** The SIP domain of bridged contacts: the pair of the component domain, else that domain itself. */
  readonly contactSipDomain: string;
  /** A bridged contact's JID (`1001@sip.example.com`) → its SIP URI (`sip:1001@pbx.example.com`). */
  contactToSip(jid: string): Result<string>;
  /**
   * A SIP address → the JID of its bridged contact in the component domain. Takes what
   * a person types at the XEP-0100 prompt: `1001`, `sip:1001@pbx`, `alice@example.com`.
   * An address outside the contacts' SIP domain keeps its host, escaped (XEP-0106).
   */
  sipToContact(input: string): Result<string>;
  /** A JID → its SIP URI (RFC 7247 §3.2): a link, else the domain pair and `jidToSip`; a resource becomes `;gr=`. */
  jidToSip(jid: string): Result<string>;
  /** A SIP URI → its JID (RFC 7247 §3.3): a link, else the domain pair and `sipToJid`. */
  sipToJid(uri: string): Result<string>;
  /** The display name of a contact: its link's `name`, else its SIP user part (or whole address). */
  contactName(jid: string): Result<string>;
}

export const DEFAULT_JID_TO_SIP = "sip:{local}@{domain}";
export const DEFAULT_SIP_TO_JID = "{user}@{domain}";

interface Link {
  readonly jid: string;
  readonly sip: string;
  readonly name?: string;
}

const at = (pointer: string, error: BridgeError): BridgeError => ({ ...error, at: error.at ?? pointer });

/** Compiles the rules; every problem (a bad template, an unparsable link) is reported with its JSON pointer. */
export function compileAddresses(rules: AddressRules | undefined, options: AddressOptions): Result<AddressBook, readonly BridgeError[]> {
  const errors: BridgeError[] = [];
  const component = parseJid(options.componentDomain);
  if (!component.ok || component.value.local !== "" || component.value.resource !== undefined) {
    return { ok: false, error: [{ code: "jid-malformed", message: `"${options.componentDomain}" is not a domain JID` }] };
  }
  const componentDomain = component.value.domain;
  const escaping = rules?.escaping ?? "xep-0106";
  const toSip = compileAddressTemplate(rules?.jidToSip ?? DEFAULT_JID_TO_SIP, ["local", "domain"], "/addresses/jidToSip");
  const toJid = compileAddressTemplate(rules?.sipToJid ?? DEFAULT_SIP_TO_JID, ["user", "domain"], "/addresses/sipToJid");
  if (!toSip.ok) errors.push(toSip.error);
  if (!toJid.ok) errors.push(toJid.error);

  // Domain pairs, first one wins in each direction (RFC 7247 §3: a JID domain and a SIP domain of one site).
  const sipOf = new Map<string, string>();
  const xmppOf = new Map<string, string>();
  (rules?.domains ?? []).forEach((pair, i) => {
    const xmpp = pair.xmpp.toLowerCase().replace(/\.$/, "");
    const sip = pair.sip.toLowerCase().replace(/\.$/, "");
    if (!parseJid(xmpp).ok || xmpp.includes("@")) errors.push({ code: "jid-malformed", message: `"${pair.xmpp}" is not an XMPP domain`, at: `/addresses/domains/${i}/xmpp` });
    if (!parseSipUri(`sip:${sip}`).ok || sip.includes("@")) errors.push({ code: "invalid-uri", message: `"${pair.sip}" is not a SIP domain`, at: `/addresses/domains/${i}/sip` });
    if (!sipOf.has(xmpp)) sipOf.set(xmpp, sip);
    if (!xmppOf.has(sip)) xmppOf.set(sip, xmpp);
  });
  const contactSipDomain = sipOf.get(componentDomain) ?? componentDomain;

  // Links: a person's JID ⇄ an extension ("1001", in the contacts' SIP domain) or a SIP URI.
  const linkBySip = new Map<string, Link>();
  const linkByJid = new Map<string, Link>();
  (rules?.links ?? []).forEach((link, i) => {
    const jid = parseJid(link.jid);
    const sip = sipAddress(link.sip, contactSipDomain);
    if (!jid.ok || jid.value.local === "" || jid.value.resource !== undefined) {
      errors.push(at(`/addresses/links/${i}/jid`, jid.ok ? { code: "jid-malformed", message: `"${link.jid}" is not a bare JID with a localpart` } : jid.error));
      return;
    }
    if (!sip.ok) return void errors.push(at(`/addresses/links/${i}/sip`, sip.error));
    const entry: Link = { jid: bareJid(jid.value), sip: formatSipUri(sip.value), ...(link.name === undefined ? {} : { name: link.name }) };
    if (!linkBySip.has(entry.sip)) linkBySip.set(entry.sip, entry);
    if (!linkByJid.has(entry.jid)) linkByJid.set(entry.jid, entry);
  });
  if (errors.length > 0 || !toSip.ok || !toJid.ok) return { ok: false, error: errors };
  return ok(makeBook({ componentDomain, contactSipDomain, escaping, toSip: toSip.value, toJid: toJid.value, sipOf, xmppOf, linkBySip, linkByJid }));
}

/** What a person may type for a SIP address: `1001`, `alice@example.com`, `sip:1001@pbx`. */
function sipAddress(input: string, defaultHost: string): Result<SipUri> {
  const text = input.trim();
  if (text === "") return fail("invalid-uri", "the address is empty");
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^:@]+@/.test(text)) return parseSipUri(text);
  return parseSipUri(text.includes("@") ? `sip:${text}` : `sip:${text}@${defaultHost}`);
}

interface Compiled {
  readonly componentDomain: string;
  readonly contactSipDomain: string;
  readonly escaping: "xep-0106" | "none";
  readonly toSip: AddressTemplate;
  readonly toJid: AddressTemplate;
  readonly sipOf: ReadonlyMap<string, string>;
  readonly xmppOf: ReadonlyMap<string, string>;
  readonly linkBySip: ReadonlyMap<string, Link>;
  readonly linkByJid: ReadonlyMap<string, Link>;
}

function makeBook(c: Compiled): AddressBook {
  const localOf = (user: string): Result<string> => {
    if (c.escaping === "xep-0106") return escapeLocalpart(user);
    return /[\s"&'/:<>@]/.test(user) || user === ""
      ? fail("jid-malformed", `the user part "${user}" needs XEP-0106 escaping, which the address rules turn off`)
      : ok(user);
  };
  const userOf = (local: string): string => (c.escaping === "xep-0106" ? unescapeLocalpart(local) : local);

  /** A JID's SIP address (no `;gr=`): an escaped whole address, or the template with the paired domain. */
  const sipOfJid = (local: string, domain: string): Result<string> => {
    const user = userOf(local);
    if (user.includes("@")) {
      // XEP-0106 carried a whole SIP address in the localpart (`alice\40example.org@sip.example.com`).
      const whole = parseSipUri(`sip:${user}`);
      return whole.ok ? ok(formatSipUri(whole.value)) : whole;
    }
    const filled = fillTemplate(c.toSip, { local: encodeSipUser(user), domain: c.sipOf.get(domain) ?? domain });
    const uri = parseSipUri(filled);
    return uri.ok ? ok(formatSipUri(uri.value)) : fail(uri.error.code, `jidToSip made "${filled}", which is not a SIP URI: ${uri.error.message}`);
  };

  const contactJid = (uri: SipUri): Result<string> => {
    if (uri.user === "") return fail("invalid-uri", `${formatSipUri(uri)} names no user; a contact needs one`);
    const local = localOf(uri.host === c.contactSipDomain ? uri.user : `${uri.user}@${uri.host}`);
    if (!local.ok) return local;
    if (uri.host !== c.contactSipDomain) return ok(`${local.value}@${c.componentDomain}`);
    return jidFromTemplate(local.value, c.componentDomain);
  };

  const jidFromTemplate = (local: string, domain: string): Result<string> => {
    const filled = fillTemplate(c.toJid, { user: local, domain });
    const jid = parseJid(filled);
    return jid.ok ? ok(bareJid(jid.value)) : fail("jid-malformed", `sipToJid made "${filled}", which is not a JID: ${jid.error.message}`);
  };

  const contactParts = (text: string): Result<{ local: string }> => {
    const jid = parseJid(text);
    if (!jid.ok) return jid;
    if (jid.value.domain !== c.componentDomain) return fail("item-not-found", `${text} is not in the bridge's domain ${c.componentDomain}`);
    if (jid.value.local === "") return fail("item-not-found", `${text} is the bridge itself, not a contact`);
    return ok({ local: jid.value.local });
  };

  return {
    componentDomain: c.componentDomain,
    contactSipDomain: c.contactSipDomain,
    contactToSip(text) {
      const parts = contactParts(text);
      return parts.ok ? sipOfJid(parts.value.local, c.componentDomain) : parts;
    },
    sipToContact(input) {
      const uri = sipAddress(input, c.contactSipDomain);
      return uri.ok ? contactJid(uri.value) : uri;
    },
    jidToSip(text) {
      const jid = parseJid(text);
      if (!jid.ok) return jid;
      if (jid.value.local === "") return fail("jid-malformed", `${text} has no localpart; only users and contacts have SIP addresses`);
      const link = c.linkByJid.get(bareJid(jid.value));
      const base = link === undefined ? sipOfJid(jid.value.local, jid.value.domain) : ok(link.sip);
      // RFC 7247 §3.2: the resourcepart of a full JID becomes the GRUU `gr` parameter.
      if (!base.ok || jid.value.resource === undefined) return base;
      return ok(`${base.value};gr=${encodeURIComponent(jid.value.resource)}`);
    },
    sipToJid(text) {
      const uri = parseSipUri(text);
      if (!uri.ok) return uri;
      const link = c.linkBySip.get(formatSipUri({ ...uri.value, scheme: "sip" }));
      if (link !== undefined) return ok(link.jid);
      if (uri.value.user === "") return fail("invalid-uri", `${text} names no user`);
      if (uri.value.host === c.contactSipDomain) return contactJid(uri.value);
      const local = localOf(uri.value.user);
      return local.ok ? jidFromTemplate(local.value, c.xmppOf.get(uri.value.host) ?? uri.value.host) : local;
    },
    contactName(text) {
      const parts = contactParts(text);
      if (!parts.ok) return parts;
      const sip = sipOfJid(parts.value.local, c.componentDomain);
      if (!sip.ok) return sip;
      const link = c.linkBySip.get(sip.value);
      if (link?.name !== undefined) return ok(link.name);
      const user = userOf(parts.value.local);
      return ok(user);
    },
  };
}
