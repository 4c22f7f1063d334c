/**
 * XEP-0030 service discovery for the domain (the gateway) and for each contact,
 * with the XEP-0115 node `CAPS_NODE#ver` answered like the plain query.
 */
import { Element } from "ltx";
import { CAPS_NODE, capsVer, type DiscoInfo } from "./caps.js";
import { NS } from "./namespaces.js";

/**
 * FIELD.md §2.4: the registrar's type for a SIP gateway is `gateway/simple`
 * ("SIP for Instant Messaging and Presence Leveraging Extensions").
 */
export function domainInfo(name: string): DiscoInfo {
  return {
    identities: [{ category: "gateway", type: "simple", name }],
    features: [NS.discoInfo, NS.discoItems, NS.gateway, NS.ping, NS.version, NS.vcard, NS.caps],
  };
}

/**
 * A bridged contact is a phone (`client/phone`, as cheogram does). The identity has no
 * name so that every contact has the same caps hash and clients ask once; names are in
 * the vCard and the nick.
 */
export const CONTACT_INFO: DiscoInfo = {
  identities: [{ category: "client", type: "phone" }],
  features: [NS.discoInfo, NS.discoItems, NS.ping, NS.vcard, NS.caps, NS.idle],
};

export const CONTACT_CAPS = { node: CAPS_NODE, ver: capsVer(CONTACT_INFO), hash: "sha-1" } as const;

/** `<query xmlns=disco#info [node]>` with identities and features, sorted for a stable answer. */
export function infoQuery(info: DiscoInfo, node: string | undefined): Element {
  const query = new Element("query", { xmlns: NS.discoInfo, ...(node === undefined ? {} : { node }) });
  for (const identity of info.identities) {
    query.c("identity", {
      category: identity.category,
      type: identity.type,
      ...(identity.name === undefined ? {} : { name: identity.name }),
      ...(identity.lang === undefined ? {} : { "xml:lang": identity.lang }),
    });
  }
  for (const feature of [...info.features].sort()) query.c("feature", { var: feature });
  return query;
}

/** Whether a disco#info `node` is one we answer: none, or our caps node with the right ver (XEP-0115 §6.2). */
export function knownNode(node: string | undefined, info: DiscoInfo): boolean {
  return node === undefined || node === `${CAPS_NODE}#${capsVer(info)}`;
}
