/** The namespaces the services answer, with the XEP that defines each. */
export const NS = {
  discoInfo: "http://jabber.org/protocol/disco#info", // XEP-0030
  discoItems: "http://jabber.org/protocol/disco#items", // XEP-0030
  gateway: "jabber:iq:gateway", // XEP-0100
  ping: "urn:xmpp:ping", // XEP-0199
  version: "jabber:iq:version", // XEP-0092
  vcard: "vcard-temp", // XEP-0054
  caps: "http://jabber.org/protocol/caps", // XEP-0115
  idle: "urn:xmpp:idle:1", // XEP-0319
} as const;
