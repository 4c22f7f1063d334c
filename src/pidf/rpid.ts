/**
 * RFC 4480 (RPID) elements the codec models: activities, mood, place-type,
 * sphere and user-input, read wherever a producer puts them (person, device,
 * tuple, or inside a tuple's status) and written in the `rpid:` prefix.
 */
import { escapeAttr, escapeText, isElement, type XmlElement } from "../xml/index.js";
import { langOf, langText, tokenOf, type Draft } from "./common.js";
import { RPID_NS, type RpidFields, type UserInput } from "./types.js";

/** RFC 4589 location types, the vocabulary of RFC 4480 §3.7 `<place-type>`. */
export const LOCATION_TYPE_NS = "urn:ietf:params:xml:ns:location-type";

/** What {@link readRpid} fills; becomes the RpidFields of a tuple, person or device. */
export type RpidDraft = Draft<RpidFields> & {
  activities: string[];
  otherActivities: RpidFields["otherActivities"][number][];
  moods: string[];
  placeTypes: string[];
};

export const newRpid = (): RpidDraft => ({ activities: [], otherActivities: [], moods: [], placeTypes: [] });

/**
 * Reads `el` into `into` when it is a modelled RPID element and returns true;
 * returns false for anything else (the caller keeps it as an extension).
 * Values are collected as written: child local names whatever their namespace
 * (RFC 4589 place types have their own, and producers get namespaces wrong).
 */
export function readRpid(el: XmlElement, into: RpidDraft, lang: string | undefined): boolean {
  if (el.ns !== RPID_NS) return false;
  switch (el.name) {
    case "activities": {
      const inner = langOf(el, lang);
      for (const child of el.children) {
        if (!isElement(child) || child.name === "note") continue;
        if (child.name === "other") into.otherActivities.push(langText(child, inner));
        else into.activities.push(child.name);
      }
      // RFC 4480 §3.2: from/until bound the activities' validity.
      if (into.activitiesFrom === undefined && el.attrs.from !== undefined) into.activitiesFrom = el.attrs.from;
      if (into.activitiesUntil === undefined && el.attrs.until !== undefined) into.activitiesUntil = el.attrs.until;
      return true;
    }
    case "mood":
      collectNames(el, into.moods);
      return true;
    case "place-type":
      collectNames(el, into.placeTypes);
      return true;
    case "sphere": {
      // RFC 4480 §3.9: <work/>, <home/>, <unknown/> or free text.
      const token = el.children.find(isElement);
      const value = token === undefined ? tokenOf(el) : token.name;
      if (value !== "" && into.sphere === undefined) into.sphere = value;
      return true;
    }
    case "user-input": {
      const input = readUserInput(el);
      if (input !== undefined && into.userInput === undefined) into.userInput = input;
      return true;
    }
    default:
      return false;
  }
}

function collectNames(el: XmlElement, into: string[]): void {
  for (const child of el.children) if (isElement(child) && child.name !== "note") into.push(child.name);
}

/** RFC 4480 §3.11; an unusable value is left out rather than failing the body. */
function readUserInput(el: XmlElement): UserInput | undefined {
  const value = tokenOf(el);
  if (value !== "active" && value !== "idle") return undefined;
  const input: Draft<UserInput> = { value };
  const last = el.attrs["last-input"];
  if (last !== undefined) input.lastInput = last.trim();
  const threshold = el.attrs["idle-threshold"]?.trim();
  if (threshold !== undefined && /^[0-9]{1,9}$/.test(threshold)) input.idleThreshold = Number(threshold);
  return input;
}

/** Copies the collected RPID values onto a tuple, person or device under construction. */
export function finishRpid<T extends Draft<RpidFields>>(target: T, from: RpidDraft): T {
  target.activities = from.activities;
  target.otherActivities = from.otherActivities;
  target.moods = from.moods;
  target.placeTypes = from.placeTypes;
  if (from.userInput !== undefined) target.userInput = from.userInput;
  if (from.sphere !== undefined) target.sphere = from.sphere;
  if (from.activitiesFrom !== undefined) target.activitiesFrom = from.activitiesFrom;
  if (from.activitiesUntil !== undefined) target.activitiesUntil = from.activitiesUntil;
  return target;
}

// XML Namespaces §3 NCName, enough to tell whether a value can be an element name.
const NCNAME = /^[A-Za-z_\u00C0-\uFFFD][\w.\-\u00B7\u00C0-\uFFFD]*$/;
const SPHERE_TOKENS = new Set(["work", "home", "unknown"]);

/** True when some RPID content would be written for these fields. */
export function hasRpid(f: RpidFields): boolean {
  return f.activities.length > 0 || f.otherActivities.length > 0 || f.moods.length > 0 || f.placeTypes.length > 0
    || f.userInput !== undefined || f.sphere !== undefined || f.activitiesFrom !== undefined || f.activitiesUntil !== undefined;
}

/** The `rpid:` elements for these fields (the `lt:` prefix for place types). */
export function writeRpid(f: RpidFields): string {
  let out = "";
  if (f.activities.length > 0 || f.otherActivities.length > 0 || f.activitiesFrom !== undefined || f.activitiesUntil !== undefined) {
    let attrs = "";
    if (f.activitiesFrom !== undefined) attrs += ` from="${escapeAttr(f.activitiesFrom)}"`;
    if (f.activitiesUntil !== undefined) attrs += ` until="${escapeAttr(f.activitiesUntil)}"`;
    let inner = "";
    // A name that cannot be an element name still reaches the peer, as <other> text.
    for (const name of f.activities) inner += NCNAME.test(name) ? `<rpid:${name}/>` : `<rpid:other>${escapeText(name)}</rpid:other>`;
    for (const other of f.otherActivities) inner += `<rpid:other${langAttr(other.lang)}>${escapeText(other.text)}</rpid:other>`;
    out += inner === "" ? `<rpid:activities${attrs}/>` : `<rpid:activities${attrs}>${inner}</rpid:activities>`;
  }
  if (f.moods.length > 0) out += `<rpid:mood>${names(f.moods, "rpid")}</rpid:mood>`;
  if (f.placeTypes.length > 0) out += `<rpid:place-type>${names(f.placeTypes, "lt")}</rpid:place-type>`;
  if (f.sphere !== undefined) {
    out += SPHERE_TOKENS.has(f.sphere) ? `<rpid:sphere><rpid:${f.sphere}/></rpid:sphere>` : `<rpid:sphere>${escapeText(f.sphere)}</rpid:sphere>`;
  }
  if (f.userInput !== undefined) {
    const u = f.userInput;
    let attrs = "";
    if (u.idleThreshold !== undefined) attrs += ` idle-threshold="${u.idleThreshold}"`;
    if (u.lastInput !== undefined) attrs += ` last-input="${escapeAttr(u.lastInput)}"`;
    out += `<rpid:user-input${attrs}>${u.value}</rpid:user-input>`;
  }
  return out;
}

/** True when the fields name a place type, which needs the `lt:` declaration. */
export const usesLocationTypes = (f: RpidFields): boolean => f.placeTypes.some((p) => p !== "other");

function names(values: readonly string[], prefix: string): string {
  let out = "";
  for (const v of values) {
    if (!NCNAME.test(v)) continue;
    out += v === "other" ? "<rpid:other/>" : `<${prefix}:${v}/>`;
  }
  return out;
}

export const langAttr = (lang: string | undefined): string => (lang === undefined ? "" : ` xml:lang="${escapeAttr(lang)}"`);
