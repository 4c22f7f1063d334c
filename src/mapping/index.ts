/**
 * The conversion tables: load, validate, compile, apply. The only code that turns
 * a protocol value into a Presence or a Presence into a protocol value.
 */
export type { AddressRules, Explanation, ExplainStep, MappingTable, Rule, Translation } from "./types.js";
export { checkTableFiles, loadTable, PROFILES, profilePath, type TableSource } from "./load.js";
export { explainSip, explainXmpp, sipBodiesToPresence, sipToPresence, xmppResourcesToPresence, xmppToPresence } from "./translate.js";
export { presenceToDialogInfo, presenceToPidf, presenceToXmpp, type PidfOptions } from "./egress.js";
export { mergeDialogInfo, phoneStateOf, type MergeStatus } from "./lift-dialog.js";
export { compileTemplate, applyTemplate, type Template } from "./template.js";
export { compileAddresses, DEFAULT_JID_TO_SIP, DEFAULT_SIP_TO_JID, type AddressBook, type AddressOptions } from "./addresses.js";
export { escapeLocalpart, unescapeLocalpart } from "./addresses-escape.js";
export { addressDirectory, type AddressDirectory, type DirectoryContact } from "./addresses-directory.js";
export { bareJid, formatSipUri, parseJid, parseSipUri, type Jid, type SipUri } from "./addresses-parse.js";
