/**
 * Ingress: a SIP body or an XMPP stanza → lifted entries → compose() → the
 * table's rules → the canonical Presence, with the rule that decided it.
 */
import { compose, leadOrder, makeEntry } from "../presence/index.js";
import type { Notes, Origin, Presence, PresenceEntry } from "../presence/types.js";
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

type LiftedSip = ReturnType<typeof liftSip>;

const unionOf = (a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined =>
  a === undefined || a.length === 0 ? b : b === undefined || b.length === 0 ? a : [...a, ...b];

/**
 * Several publications of one presentity (RFC 3903 §4: the compositor's job) as
 * one lifted body: every entry of every body, presentity facts united, notes
 * from the first body that has any (callers order bodies newest first).
 */
function liftAll(bodies: readonly SipBody[]): LiftedSip {
  if (bodies.length === 1) return liftSip(bodies[0] as SipBody);
  const entries: PresenceEntry[] = [];
  const dialogs: Dialog[] = [];
  let activities: readonly string[] | undefined;
  let otherActivities: readonly string[] | undefined;
  let moods: readonly string[] | undefined;
  let placeTypes: readonly string[] | undefined;
  let notes: Notes | undefined;
  let idleSince: string | undefined;
  let basic: "open" | "closed" | undefined;
  let idle = false;
  bodies.forEach((body, index) => {
    const lifted = liftSip(body);
    for (const entry of lifted.entries) entries.push(makeEntry({ ...entry, id: `${index}:${entry.id}` }));
    if (lifted.dialogs !== undefined) dialogs.push(...lifted.dialogs);
    const facts = lifted.presentity;
    activities = unionOf(activities, facts.activities);
    otherActivities = unionOf(otherActivities, facts.otherActivities);
    moods = unionOf(moods, facts.moods);
    placeTypes = unionOf(placeTypes, facts.placeTypes);
    if (notes === undefined && facts.notes !== undefined && Object.keys(facts.notes).length > 0) notes = facts.notes;
    if (facts.idleSince !== undefined && (idleSince === undefined || Date.parse(facts.idleSince) > Date.parse(idleSince))) idleSince = facts.idleSince;
    if (lifted.basic === "open" || (lifted.basic === "closed" && basic === undefined)) basic = lifted.basic;
    idle ||= lifted.idle;
  });
  const presentity = { activities, otherActivities, moods, placeTypes, notes, idleSince };
  return { entries, presentity, idle, ...(basic === undefined ? {} : { basic }), ...(dialogs.length === 0 ? {} : { dialogs }) };
}

function prepareSip(body: SipBody | readonly SipBody[], origin: Partial<Origin> | undefined): { composed: Presence; facts: Facts } {
  const bodies: readonly SipBody[] = Array.isArray(body) ? body : [body as SipBody];
  const lifted = liftAll(bodies);
  const composed = compose(lifted.entries, lifted.presentity, originOf("sip", origin?.entity ?? bodies[0]?.entity, origin?.via));
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
 * Several publications of one presentity (the PUBLISH receiver's current bodies,
 * newest first) → one canonical presence: every tuple, device and dialog of every
 * body is composed together (src/presence/compose.ts), then the table's rules run
 * once. No publication at all is unavailable.
 */
export function sipBodiesToPresence(bodies: readonly SipBody[], table: MappingTable, origin?: Partial<Origin>): Translation {
  const { composed, facts } = prepareSip(bodies, origin);
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

/**
 * A chat user logged in with several resources → one canonical presence. Each resource is
 * one entry (the stanza's entry as {@link xmppToPresence} made it: id = resource, contact =
 * full JID); the entries are ordered by compose's rule 4 (src/presence/compose.ts: highest
 * priority first, then the most available show, then the most recent) and composed, then the
 * table's `xmppToSip` rules run once on the composed view, as they do for one stanza.
 *
 * RFC 6121 §4.7.2.3 / §8.5.2.1: priority says which resource matters, so it leads; a
 * negative priority only keeps bare-JID messages away from that resource, it is still online
 * (RFC 6121 §4.7.1), so it counts for availability and leads only when nothing else is there.
 * RFC 8048 §6.2 (resourcepart ⇄ tuple): the entries stay in the result, leading one first,
 * so `presenceToPidf` renders one tuple per resource.
 */
export function xmppResourcesToPresence(entries: readonly PresenceEntry[], table: MappingTable, entity: string): Translation {
  const ordered = [...entries].sort(leadOrder);
  const composed = compose(ordered, {}, originOf("xmpp", entity, ordered[0]?.id));
  return runRules(table.xmppToSip, factsOf(composed), composed);
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
