/**
 * Compiles one validated table document into rules, and merges a table with the
 * one it extends. Pure: no file is read here.
 */
import { makePresence } from "../presence/index.js";
import type { Availability, Notes, PhoneState, Presence, Show } from "../presence/types.js";
import { compileWhen, type TextKey } from "./conditions.js";
import { pointerJoin, type Issue } from "./issues.js";
import { applyTemplate, compileTemplate, type Template } from "./template.js";
import type { AddressRules, MappingTable, Rule } from "./types.js";

type Json = Readonly<Record<string, unknown>>;

/** One table document, compiled but not yet merged with what it extends. */
export interface CompiledDocument {
  readonly name?: string;
  readonly description?: string;
  readonly extends?: string;
  readonly sipToXmpp: readonly Rule[];
  readonly xmppToSip: readonly Rule[];
  readonly remove: readonly string[];
  readonly addresses?: AddressRules;
}

const EMPTY_NOTES: Notes = Object.freeze({});

/** `undefined`: the texts pass through; `null`: no text; else the compiled template. */
function templateAt(then: Json, key: string, field: TextKey, pointer: string, issues: Issue[]): Template | null | undefined {
  const source = then[key];
  if (source === undefined || source === null) return source;
  const compiled = compileTemplate(source as string, field);
  if (compiled.ok) return compiled.value;
  issues.push({ code: "invalid-template", message: compiled.error, pointer: pointerJoin(pointer, key) });
  return undefined;
}

const notesBy = (template: Template | null | undefined, notes: Notes): Notes =>
  template === undefined ? notes : template === null ? EMPTY_NOTES : applyTemplate(template, notes);

function sipApply(then: Json, pointer: string, issues: Issue[]): (p: Presence) => Presence {
  const availability = then.availability as Availability | undefined;
  const show = then.show as Show | "none" | undefined;
  const phone = then.phone as PhoneState | undefined;
  const status = templateAt(then, "status", "note", pointer, issues);
  return (p) =>
    makePresence({
      availability: availability ?? p.availability,
      show: show === undefined ? p.show : show === "none" ? undefined : show,
      activities: p.activities,
      otherActivities: p.otherActivities,
      moods: p.moods,
      placeTypes: p.placeTypes,
      phone: phone ?? p.phone,
      notes: notesBy(status, p.notes),
      priority: p.priority,
      idleSince: p.idleSince,
      entries: p.entries,
      origin: p.origin,
    });
}

function xmppApply(then: Json, pointer: string, issues: Issue[]): (p: Presence) => Presence {
  const basic = then.basic as "open" | "closed" | undefined;
  const availability: Availability | undefined = basic === undefined ? undefined : basic === "open" ? "available" : "unavailable";
  const activities = then.activities === undefined ? undefined : Object.freeze([...(then.activities as string[])].sort());
  const other = then.other === undefined ? undefined : Object.freeze([...(then.other as string[])]);
  const note = templateAt(then, "note", "status", pointer, issues);
  return (p) =>
    makePresence({
      availability: availability ?? p.availability,
      show: p.show,
      activities: activities ?? p.activities,
      otherActivities: other ?? p.otherActivities,
      moods: p.moods,
      placeTypes: p.placeTypes,
      phone: p.phone,
      notes: notesBy(note, p.notes),
      priority: p.priority,
      idleSince: p.idleSince,
      entries: p.entries,
      origin: p.origin,
    });
}

function compileRules(doc: Json, direction: "sipToXmpp" | "xmppToSip", label: string, issues: Issue[]): Rule[] {
  const rules = (doc[direction] as Json[] | undefined) ?? [];
  const key: TextKey = direction === "sipToXmpp" ? "note" : "status";
  return rules.map((raw, i) => {
    const pointer = pointerJoin(`/${direction}`, i);
    const checks = compileWhen(raw.when as Json, pointerJoin(pointer, "when"), key, issues);
    const thenAt = pointerJoin(pointer, "then");
    const apply = direction === "sipToXmpp" ? sipApply(raw.then as Json, thenAt, issues) : xmppApply(raw.then as Json, thenAt, issues);
    const rule: Rule = { id: raw.id as string, origin: `${label}#${pointer}`, checks, apply };
    return Object.freeze(typeof raw.description === "string" ? { ...rule, description: raw.description } : rule);
  });
}

/** Compiles a document that passed the schema; `label` names it in rule origins. */
export function compileDocument(doc: Json, label: string): { readonly document: CompiledDocument; readonly issues: readonly Issue[] } {
  const issues: Issue[] = [];
  const sipToXmpp = compileRules(doc, "sipToXmpp", label, issues);
  const xmppToSip = compileRules(doc, "xmppToSip", label, issues);
  const seen = new Set<string>();
  for (const direction of ["sipToXmpp", "xmppToSip"] as const) {
    ((doc[direction] as Json[] | undefined) ?? []).forEach((raw, i) => {
      const id = raw.id as string;
      if (seen.has(id)) {
        issues.push({ code: "duplicate-rule", message: `another rule of this table is already named "${id}"; ids are unique across both directions`, pointer: `/${direction}/${i}/id` });
      }
      seen.add(id);
    });
  }
  const document: CompiledDocument = {
    ...(typeof doc.name === "string" ? { name: doc.name } : {}),
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    ...(typeof doc.extends === "string" ? { extends: doc.extends } : {}),
    sipToXmpp,
    xmppToSip,
    remove: (doc.remove as string[] | undefined) ?? [],
    ...(doc.addresses === undefined ? {} : { addresses: doc.addresses as AddressRules }),
  };
  return { document, issues };
}

/**
 * The rules of `child` before those of `parent`; a child rule named like a parent
 * rule replaces it in place; `remove` drops parent rules.
 */
export function mergeDocument(
  child: CompiledDocument,
  parent: MappingTable | undefined,
  name: string,
  files: readonly string[],
): { readonly table: MappingTable; readonly issues: readonly Issue[] } {
  const issues: Issue[] = [];
  const parentIds = new Map<string, "sipToXmpp" | "xmppToSip">();
  for (const direction of ["sipToXmpp", "xmppToSip"] as const) for (const rule of parent?.[direction] ?? []) parentIds.set(rule.id, direction);
  const removed = new Set(child.remove);
  child.remove.forEach((id, i) => {
    if (!parentIds.has(id)) {
      const why = parent === undefined ? "this table extends none" : `${parent.name} has no rule "${id}"`;
      issues.push({ code: "unknown-rule", message: `cannot remove "${id}": ${why}`, pointer: `/remove/${i}` });
    }
  });

  const merge = (direction: "sipToXmpp" | "xmppToSip"): readonly Rule[] => {
    const own = new Map<string, Rule>();
    const added: Rule[] = [];
    child[direction].forEach((rule, i) => {
      const inParent = parentIds.get(rule.id);
      if (removed.has(rule.id)) {
        issues.push({ code: "duplicate-rule", message: `"${rule.id}" is both removed and redefined; keep one`, pointer: `/${direction}/${i}/id` });
      } else if (inParent !== undefined && inParent !== direction) {
        issues.push({ code: "duplicate-rule", message: `"${rule.id}" names a ${inParent} rule of ${parent?.name ?? "the parent"}; a replacement must be in the same direction`, pointer: `/${direction}/${i}/id` });
      } else if (inParent === direction) own.set(rule.id, rule);
      else added.push(rule);
    });
    const inherited = (parent?.[direction] ?? []).filter((rule) => !removed.has(rule.id)).map((rule) => own.get(rule.id) ?? rule);
    return Object.freeze([...added, ...inherited]);
  };

  const sipToXmpp = merge("sipToXmpp");
  const xmppToSip = merge("xmppToSip");
  const addresses = parent?.addresses === undefined ? child.addresses : { ...parent.addresses, ...child.addresses };
  const description = child.description ?? parent?.description;
  const table: MappingTable = Object.freeze({
    name,
    ...(description === undefined ? {} : { description }),
    files: Object.freeze([...files]),
    sipToXmpp,
    xmppToSip,
    ...(addresses === undefined ? {} : { addresses: Object.freeze(addresses) }),
  });
  return { table, issues };
}
