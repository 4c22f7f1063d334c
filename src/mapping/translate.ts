/**
 * Ingress: a SIP body or an XMPP stanza → lifted entries → compose() → the
 * table's rules → the canonical Presence, with the rule that decided it.
 */
import { compose, makeEntry } from "../presence/index.js";
import type { Notes, Origin, Presence } from "../presence/types.js";
import type { Dialog, SipBody } from "../pidf/types.js";
import type { XmppPresence } from "../xmpp/types.js";
import { liftDialogInfo } from "./lift-dialog.js";
import { liftPidf, type Lifted } from "./lift-pidf.js";
import { liftXpidf } from "./lift-xpidf.js";
import { factsJson, factsOf, runRules, traceRules } from "./rules.js";
import type { Explanation, Facts, MappingTable, Translation } from "./types.js";

function originOf(side: Origin["side"], entity: string | undefined, via: string | undefined): Origin {
  if (via === undefined) return entity === undefined ? { side } : { side, entity };
  return entity === undefined ? { side, via } : { side, entity, via };
}

function liftSip(body: SipBody): Lifted & { readonly dialogs?: readonly Dialog[] } {
  switch (body.kind) {
    case "pidf":
      return liftPidf(body);
    case "dialog-info":
      return { entries: liftDialogInfo(body), presentity: {}, idle: false, dialogs: body.dialogs };
    case "xpidf":
      return liftXpidf(body);
  }
}

function prepareSip(body: SipBody, origin: Partial<Origin> | undefined): { composed: Presence; facts: Facts } {
  const lifted = liftSip(body);
  const composed = compose(lifted.entries, lifted.presentity, originOf("sip", origin?.entity ?? body.entity, origin?.via));
  return { composed, facts: factsOf(composed, lifted) };
}

/** Blank status texts say nothing (as blank PIDF notes do), so both sides drop them alike. */
function statusNotes(status: Notes): Notes {
  for (const lang in status) {
    if ((status[lang] as string).trim() !== "") continue;
    return Object.fromEntries(Object.entries(status).filter(([, text]) => text.trim() !== ""));
  }
  return status;
}

function prepareXmpp(p: XmppPresence, origin: Partial<Origin> | undefined): { composed: Presence; facts: Facts } {
  const slash = p.from === undefined ? -1 : p.from.indexOf("/");
  const bare = p.from === undefined ? undefined : slash < 0 ? p.from : p.from.slice(0, slash);
  const resource = p.from === undefined || slash < 0 ? undefined : p.from.slice(slash + 1);
  // RFC 6121 §4.7.1: only available presence (no type) says someone is there; any other type reads as unavailable.
  const entry = makeEntry({
    id: resource ?? "",
    availability: p.type === "available" ? "available" : "unavailable",
    show: p.show,
    notes: statusNotes(p.status),
    priority: p.priority,
    idleSince: p.idleSince,
    contact: p.from,
    updated: p.delay?.stamp,
  });
  const composed = compose([entry], {}, originOf("xmpp", origin?.entity ?? bare, origin?.via ?? resource));
  return { composed, facts: factsOf(composed) };
}

/**
 * SIP → canonical presence. PIDF: one entry per tuple, persons as presentity facts;
 * dialog-info: one entry per dialog in progress (merge partial bodies first with
 * `mergeDialogInfo`); XPIDF: one entry per address. Then composition, then the
 * table's `sipToXmpp` rules, first match wins.
 */
export function sipToPresence(body: SipBody, table: MappingTable, origin?: Partial<Origin>): Translation {
  const { composed, facts } = prepareSip(body, origin);
  return runRules(table.sipToXmpp, facts, composed);
}

/**
 * XMPP → canonical presence: the stanza is one entry (show, status, priority,
 * idle as sent), then the table's `xmppToSip` rules set basic, activities and notes.
 */
export function xmppToPresence(p: XmppPresence, table: MappingTable, origin?: Partial<Origin>): Translation {
  const { composed, facts } = prepareXmpp(p, origin);
  return runRules(table.xmppToSip, facts, composed);
}

/** What {@link sipToPresence} saw and why each rule matched or not. */
export function explainSip(body: SipBody, table: MappingTable, origin?: Partial<Origin>): Explanation {
  const { composed, facts } = prepareSip(body, origin);
  return { facts: factsJson(facts), ...traceRules(table.sipToXmpp, facts, composed) };
}

/** What {@link xmppToPresence} saw and why each rule matched or not. */
export function explainXmpp(p: XmppPresence, table: MappingTable, origin?: Partial<Origin>): Explanation {
  const { composed, facts } = prepareXmpp(p, origin);
  return { facts: factsJson(facts), ...traceRules(table.xmppToSip, facts, composed) };
}
