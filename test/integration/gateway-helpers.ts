/** What the gateway integration tests share: the config with a SIP side, PIDF bodies, the bridge as a child process. */
import { resolve } from "node:path";
import type { Kamailio } from "../servers/kamailio.js";
import type { XmppServer } from "../servers/prosody.js";
import { COMPONENT, writeConfig } from "./presence-server-helpers.js";

export const ROOT = resolve(import.meta.dirname, "../..");
/** Chat users are served to SIP as `sip:<user>@chat.test`; Kamailio relays that domain to the bridge. */
export const CHAT_SIP_DOMAIN = "chat.test";

/** The bridge's config for these servers: the SIP side decides every request (nothing approved by policy). */
export function writeGatewayConfig(dir: string, server: XmppServer, kamailio: Kamailio, bridgePort: number, sip: Record<string, unknown> = {}): string {
  return writeConfig(dir, server, {
    subscriptions: { approve: [], otherwise: "defer" },
    contacts: { pattern: "^sip:[0-9]+@(sip\\.localhost|example\\.com)$" },
    sip: {
      listen: { udp: { port: bridgePort } },
      outboundProxy: `sip:${kamailio.host}:${kamailio.port}`,
      identity: `sip:presence-bridge@${COMPONENT.domain}`,
      domain: CHAT_SIP_DOMAIN,
      minNotifyIntervalMs: 0,
      ...sip,
    },
  });
}

export const onThePhonePidf = (entity: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
  `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status></tuple>` +
  `<dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person></presence>\r\n`;

export const openPidf = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
  `<tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>\r\n`;

export const etagOf = (sipsakOutput: string): string | undefined => /SIP-ETag:\s*(\S+)/i.exec(sipsakOutput)?.[1];

export { startBridge, type BridgeProcess } from "./presence-server-helpers.js";
