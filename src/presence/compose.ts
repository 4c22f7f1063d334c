/**
 * Composition: several tuples, devices or resources → one view.
 *
 * Precedence rules (the README copies this list):
 *
 * 1. An entry is *engaged* when its phone state is dialing, ringing, in-call or
 *    on-hold, or its activities include `on-the-phone`.
 * 2. Availability: available when any entry is available or engaged (a closed tuple
 *    with an on-the-phone activity is busy, not offline). No entries → unavailable.
 * 3. Phone state: the busiest across entries, in-call > on-hold > ringing > dialing
 *    > idle; none when no entry has one.
 * 4. The *leading* entry (whose show, notes and priority the view takes): engaged
 *    entries first, then available ones, then the rest; among those the highest
 *    priority; then the most available show (chat > none > away > xa > dnd); then
 *    the most recent `updated` (an entry without one is the oldest); then document order.
 * 5. Show: the leading entry's show, only when the view is available.
 * 6. Activities, other activities, moods and place types: the union of the
 *    presentity facts and the entries that count (sorted and unique; other
 *    activities keep their order, unique). When any entry is available or engaged,
 *    only those count: an offline device's `away` does not make an online one away.
 *    When none is, every entry counts, so an offline view still says why.
 * 7. Notes: the presentity's notes when it has any; else the leading entry's notes.
 * 8. Priority: the leading entry's priority (0 when there are no entries).
 * 9. Idle: an entry counts as available here when it is available or engaged (rule 2).
 *    The view is idle when every available entry is idle, or, when no entry is
 *    available, when the presentity says idle. `idleSince` is then the latest
 *    `idleSince` among the available entries and the presentity (the most recent input).
 *
 * Times (`updated`, `idleSince`) are compared as instants (`Date.parse`); a value
 * that does not parse counts as the oldest.
 */
import { madeEntries, makePresence, sortedUnique } from "./make.js";
import { isEngaged, phoneRank, showRank } from "./order.js";
import type { Notes, Origin, PhoneState, Presence, PresenceEntry } from "./types.js";

/** Facts about the presentity as a whole, e.g. the PIDF `dm:person` (RFC 4479 §3.1). */
export interface PresentityFacts {
  readonly activities?: readonly string[];
  readonly otherActivities?: readonly string[];
  readonly moods?: readonly string[];
  readonly placeTypes?: readonly string[];
  readonly notes?: Notes;
  readonly idleSince?: string;
}

const ENGAGED = 0;
const AVAILABLE = 1;
const OTHER = 2;

const instant = (time: string | undefined): number => {
  if (time === undefined) return -Infinity;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? -Infinity : ms;
};

/** The later of two times; the first when they are the same instant. */
const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined || instant(b) <= instant(a) ? a : b;

/** Rule 4 after the class: does `e` lead over the current leader `lead`? Ties keep `lead`. */
function leads(e: PresenceEntry, lead: PresenceEntry): boolean {
  if (e.priority !== lead.priority) return e.priority > lead.priority;
  const byShow = showRank(e.show) - showRank(lead.show);
  if (byShow !== 0) return byShow < 0;
  return instant(e.updated) > instant(lead.updated);
}

const classOf = (e: PresenceEntry): number => (isEngaged(e) ? ENGAGED : e.availability === "available" ? AVAILABLE : OTHER);

/**
 * Rule 4 as a sort order: negative when `a` leads over `b`, positive when `b` leads, 0 when
 * neither does (a stable sort then keeps document order, as compose does). Sorting entries
 * with it puts the leading entry first: `compose` of the sorted list leads with its first entry.
 */
export function leadOrder(a: PresenceEntry, b: PresenceEntry): number {
  const byClass = classOf(a) - classOf(b);
  if (byClass !== 0) return byClass;
  return leads(a, b) ? -1 : leads(b, a) ? 1 : 0;
}

function unionActivities(
  facts: readonly string[] | undefined,
  entries: readonly PresenceEntry[],
  onlyAvailable: boolean,
): readonly string[] {
  const sources: (readonly string[])[] = [];
  if (facts !== undefined && facts.length > 0) sources.push(facts);
  for (const entry of entries) {
    if (entry.activities.length === 0) continue;
    if (onlyAvailable && !isEngaged(entry) && entry.availability !== "available") continue;
    sources.push(entry.activities);
  }
  return sortedUnique(sources.length <= 1 ? sources[0] : sources.flat());
}

function hasAny(notes: Notes | undefined): notes is Notes {
  for (const _ in notes) return true;
  return false;
}

/**
 * Composes entries and presentity facts into one normalised, frozen view by the
 * precedence rules above. The entries are normalised with `makeEntry` and kept in
 * the result; `origin` says where the view came from.
 */
export function compose(entries: readonly PresenceEntry[], presentity: PresentityFacts, origin: Origin): Presence {
  const list = madeEntries(entries);
  let lead: PresenceEntry | undefined;
  let leadClass = OTHER + 1;
  let phone: PhoneState | undefined;
  let anyAvailable = false;
  let allAvailableIdle = true;
  let latestIdle: string | undefined;

  for (const entry of list) {
    const engaged = isEngaged(entry);
    const available = engaged || entry.availability === "available";
    const entryClass = classOf(entry);
    if (lead === undefined || entryClass < leadClass || (entryClass === leadClass && leads(entry, lead))) {
      lead = entry;
      leadClass = entryClass;
    }
    if (entry.phone !== undefined && (phone === undefined || phoneRank(entry.phone) < phoneRank(phone))) phone = entry.phone;
    if (available) {
      anyAvailable = true;
      if (entry.idleSince === undefined) allAvailableIdle = false;
      else latestIdle = later(latestIdle, entry.idleSince);
    }
  }

  const idle = allAvailableIdle && (anyAvailable || presentity.idleSince !== undefined);
  return makePresence({
    availability: anyAvailable ? "available" : "unavailable",
    show: anyAvailable ? lead?.show : undefined,
    activities: unionActivities(presentity.activities, list, anyAvailable),
    otherActivities: presentity.otherActivities,
    moods: presentity.moods,
    placeTypes: presentity.placeTypes,
    phone,
    notes: hasAny(presentity.notes) ? presentity.notes : lead?.notes,
    priority: lead?.priority ?? 0,
    idleSince: idle ? later(latestIdle, presentity.idleSince) : undefined,
    entries: list,
    origin,
  });
}
