/** What the gateway is built from: the presence server, the SIP ports, the address rules and the table. */
import type { BridgeError, Result } from "../errors.js";
import type { MappingTable } from "../mapping/index.js";
import type { SipBody as ParsedSipBody } from "../pidf/types.js";
import type { Presence } from "../presence/types.js";
import type { PersonLink } from "./gateway-people.js";
import type { PublishMode } from "./decisions-sip-watchers.js";
import type { Clock, Logger, SipBody, SipNotifierPort, SipPublisherPort, SipSubscriberPort, XmppLink } from "./ports.js";
import type { PresenceServer } from "./presence-server.js";

/** The address rules the gateway needs (src/mapping's AddressBook). */
export interface GatewayAddresses {
  contactToSip(jid: string): Result<string>;
  sipToContact(input: string): Result<string>;
  jidToSip(jid: string): Result<string>;
  sipToJid(uri: string): Result<string>;
}

export interface GatewayOptions {
  readonly presenceServer: PresenceServer;
  /** For the RFC 7247 stanza errors sent to watchers whose SIP subscription failed. */
  readonly link: Pick<XmppLink, "sendPresenceError">;
  readonly addresses: GatewayAddresses;
  readonly table: MappingTable;
  readonly subscriber: SipSubscriberPort;
  readonly notifier?: SipNotifierPort;
  readonly publisher?: SipPublisherPort;
  readonly mode: PublishMode;
  /** The SIP domain the bridge serves chat users under (`sip:juliet@<sipDomain>`). */
  readonly sipDomain: string;
  /** The XMPP server's domain: only its users are served to SIP watchers. */
  readonly serverDomain: string;
  /** src/pidf's parseSipBody (the gateway imports codecs as types only). */
  parseBody(body: SipBody): Result<ParsedSipBody, BridgeError>;
  /** The PIDF the publisher sends for a chat user (src/mapping's egress, serialised). */
  renderPidf(presence: Presence, entity: string, tupleId?: string): SipBody;
  /** Linked people (gateway-people.ts), resolved from the config and the mapping's links. */
  readonly links?: readonly PersonLink[];
  /** Person-sync debounce (people.debounceMs). */
  readonly debounceMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}
