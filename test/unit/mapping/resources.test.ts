/**
 * A chat user with several resources, as the SIP side sees them: xmppResourcesToPresence
 * (composition by src/presence/compose.ts rule 4, then the table) and presenceToPidf (one
 * tuple per resource, stable ids, GRUU contacts).
 */
import { describe, expect, it } from "vitest";
import { parsePidf, serializePidf } from "../../../src/pidf/index.js";
import { presenceToPidf, xmppResourcesToPresence, xmppToPresence } from "../../../src/mapping/index.js";
import type { Presence, Show } from "../../../src/presence/types.js";
import { profile, stanza } from "./builders.js";

const table = profile("default");
const JULIET = "juliet@capulet.lit";
const entity = "sip:juliet@chat.capulet.lit";

interface Resource {
  readonly resource: string;
  readonly show?: Show;
  readonly priority?: number;
  readonly status?: string;
  readonly offline?: boolean;
}

/** What the gateway does with each resource's stanza: its entry, available ones composed. */
function composed(resources: readonly Resource[]): Presence {
  const entries = resources
    .filter((r) => r.offline !== true)
    .map((r) => {
      const p = stanza({ from: `${JULIET}/${r.resource}`, priority: r.priority ?? 0, status: r.status === undefined ? {} : { "": r.status }, ...(r.show === undefined ? {} : { show: r.show }) });
      return xmppToPresence(p, table, { entity: JULIET, via: r.resource }).presence.entries[0]!;
    });
  return xmppResourcesToPresence(entries, table, JULIET).presence;
}

/** The view a SIP watcher gets: basic and show, the person's activities, then each tuple. */
function watcherSees(resources: readonly Resource[]) {
  const p = composed(resources);
  const doc = presenceToPidf(p, entity);
  return {
    availability: p.availability,
    show: p.show ?? "none",
    priority: p.priority,
    activities: doc.persons[0]?.activities ?? [],
    tuples: doc.tuples.map((t) => `${t.id} ${t.basic} ${t.contact?.uri} ${t.contact?.priority} ${t.notes.map((n) => n.text).join("|")}`.trimEnd()),
  };
}

const desk: Resource = { resource: "desk", priority: 5, status: "Reading" };
const phone: Resource = { resource: "phone", show: "away", priority: 0, status: "On the bus" };

describe("xmppResourcesToPresence: which resource leads (RFC 6121 §4.7.2.3 priority, then compose.ts rule 4)", () => {
  it.each<[string, Resource[], ReturnType<typeof watcherSees>]>([
    [
      "two priorities: the higher leads though it is less available",
      [{ ...phone, priority: 10 }, desk],
      {
        availability: "available", show: "away", priority: 10, activities: ["away"],
        tuples: [`phone open ${entity};gr=phone 0.541 On the bus`, `desk open ${entity};gr=desk 0.522 Reading`],
      },
    ],
    [
      "two priorities: the higher leads, its tuple first whatever the arrival order",
      [phone, desk],
      {
        availability: "available", show: "none", priority: 5, activities: [],
        tuples: [`desk open ${entity};gr=desk 0.522 Reading`, `phone open ${entity};gr=phone 0.502 On the bus`],
      },
    ],
    [
      "a negative priority never leads over a non-negative one",
      [{ resource: "bot", show: "chat", priority: -1, status: "Logging" }, phone],
      {
        availability: "available", show: "away", priority: 0, activities: ["away"],
        tuples: [`phone open ${entity};gr=phone 0.502 On the bus`, `bot open ${entity};gr=bot 0.498 Logging`],
      },
    ],
    [
      "a negative priority alone is still online (RFC 6121 §4.7.1): available with its show",
      [{ resource: "bot", show: "chat", priority: -1, status: "Logging" }],
      { availability: "available", show: "chat", priority: -1, activities: [], tuples: [`bot open ${entity} 0.498 Logging`] },
    ],
    [
      "same priority: the most available show leads (none before dnd)",
      [{ resource: "a", show: "dnd", status: "Busy" }, { resource: "b", status: "Here" }],
      { availability: "available", show: "none", priority: 0, activities: [], tuples: [`b open ${entity};gr=b 0.502 Here`, `a open ${entity};gr=a 0.502 Busy`] },
    ],
    [
      "same priority: xa before dnd, chat before everything",
      [{ resource: "a", show: "dnd" }, { resource: "b", show: "xa" }, { resource: "c", show: "chat" }],
      { availability: "available", show: "chat", priority: 0, activities: [], tuples: [`c open ${entity};gr=c 0.502`, `b open ${entity};gr=b 0.502`, `a open ${entity};gr=a 0.502`] },
    ],
    [
      "same priority and show: the first to arrive leads",
      [{ resource: "a", show: "away", status: "first" }, { resource: "b", show: "away", status: "second" }],
      { availability: "available", show: "away", priority: 0, activities: ["away"], tuples: [`a open ${entity};gr=a 0.502 first`, `b open ${entity};gr=b 0.502 second`] },
    ],
    [
      "one goes offline: only its entry goes, the other is the whole view (one tuple, the entity as contact)",
      [{ ...desk, offline: true }, phone],
      { availability: "available", show: "away", priority: 0, activities: ["away"], tuples: [`phone open ${entity} 0.502 On the bus`] },
    ],
    [
      "the last one gone: unavailable",
      [{ ...desk, offline: true }, { ...phone, offline: true }],
      { availability: "unavailable", show: "none", priority: 0, activities: [], tuples: ["t closed sip:juliet@chat.capulet.lit 0.502"] },
    ],
  ])("%s", (_, resources, expected) => {
    expect(watcherSees(resources)).toEqual(expected);
  });

  it("the view takes the leading resource's status; the origin names the user and the leading resource", () => {
    const p = composed([phone, desk]);
    expect([p.notes, p.origin]).toEqual([{ "": "Reading" }, { side: "xmpp", entity: JULIET, via: "desk" }]);
  });
});

describe("presenceToPidf: one tuple per resource (RFC 8048 §6.2: resourcepart ⇄ tuple id, GRUU contact)", () => {
  it("tuple ids depend on the resource only: the same across a change of the leading resource", () => {
    const before = presenceToPidf(composed([phone, desk]), entity);
    const after = presenceToPidf(composed([{ ...phone, priority: 9 }, desk]), entity);
    expect(before.tuples.map((t) => t.id).sort()).toEqual(after.tuples.map((t) => t.id).sort());
    expect([before.tuples[0]?.id, after.tuples[0]?.id]).toEqual(["desk", "phone"]);
    expect([before.persons[0]?.id ?? "none", after.persons[0]?.id]).toEqual(["none", "p-sip_juliet_chat.capulet.lit"]);
  });

  it("resources that are no xs:ID become valid, distinct ids; the GRUU escapes them", () => {
    const doc = presenceToPidf(composed([{ resource: "9 phone" }, { resource: "9_phone" }]), entity);
    expect(doc.tuples.map((t) => [t.id, t.contact?.uri])).toEqual([
      ["t-9_phone", `${entity};gr=9%20phone`],
      ["t-9_phone_", `${entity};gr=9_phone`],
    ]);
  });

  it("a caller that names the tuple (person-sync's own publication) gets it as the prefix of each resource's tuple, for one resource too", () => {
    const doc = presenceToPidf(composed([phone, desk]), entity, { tupleId: "pb-juliet" });
    expect(doc.tuples.map((t) => [t.id, t.basic, t.contact?.uri])).toEqual([
      ["pb-juliet-desk", "open", `${entity};gr=desk`],
      ["pb-juliet-phone", "open", `${entity};gr=phone`],
    ]);
    // One resource left: the same tuple id, so the PBX's watchers see the same tuple.
    const alone = presenceToPidf(composed([phone]), entity, { tupleId: "pb-juliet" });
    expect(alone.tuples.map((t) => [t.id, t.contact?.uri])).toEqual([["pb-juliet-phone", `${entity};gr=phone`]]);
    const away = presenceToPidf(composed([{ ...phone, priority: 9 }, desk]), entity, { tupleId: "pb-juliet" });
    expect(away.persons.map((p) => [p.id, p.activities])).toEqual([["p-pb-juliet", ["away"]]]);
  });

  it("the wire form parses back with every tuple", () => {
    const wire = serializePidf(presenceToPidf(composed([phone, { ...desk, show: "dnd" }]), entity));
    const back = parsePidf(wire);
    expect(back.ok && back.value.tuples.map((t) => [t.id, t.basic])).toEqual([["desk", "open"], ["phone", "open"]]);
    expect(back.ok && back.value.persons.map((p) => p.activities)).toEqual([["busy"]]);
  });
});
