/** Every xmppToSip row of mappings/default.json, and every show value in both directions. */
import { describe, expect, it } from "vitest";
import { presenceToPidf, presenceToXmpp, sipToPresence, xmppToPresence } from "../../../src/mapping/index.js";
import type { Show } from "../../../src/presence/types.js";
import { profile, stanza } from "./builders.js";

const table = profile("default");
const entity = "sip:juliet@capulet.lit";

/** What a SIP watcher gets: basic, the person's activities and other texts, the tuple notes. */
function watcherSees(fields: Parameters<typeof stanza>[0]) {
  const { presence, rule } = xmppToPresence(stanza(fields), table);
  const doc = presenceToPidf(presence, entity);
  const t = doc.tuples[0];
  return {
    rule,
    basic: t?.basic,
    activities: doc.persons[0]?.activities ?? [],
    other: doc.persons[0]?.otherActivities.map((o) => o.text) ?? [],
    notes: t?.notes ?? [],
  };
}

describe("default table, XMPP → SIP", () => {
  it.each([
    ["available", {}, { rule: "xmpp-available", basic: "open", activities: [], other: [] }],
    ["chat", { show: "chat" as Show }, { rule: "xmpp-chat", basic: "open", activities: [], other: ["chat"] }],
    ["away", { show: "away" as Show }, { rule: "xmpp-away", basic: "open", activities: ["away"], other: [] }],
    ["xa", { show: "xa" as Show }, { rule: "xmpp-xa", basic: "open", activities: ["away"], other: ["xa"] }],
    ["dnd", { show: "dnd" as Show }, { rule: "xmpp-dnd", basic: "open", activities: ["busy"], other: [] }],
    ["unavailable", { type: "unavailable" as const }, { rule: "xmpp-unavailable", basic: "closed", activities: [], other: [] }],
    ["unavailable with a stale show", { type: "unavailable" as const, show: "dnd" as Show }, { rule: "xmpp-unavailable", basic: "closed", activities: [], other: [] }],
  ])("%s", (_name, fields, expected) => {
    expect(watcherSees(fields)).toEqual({ ...expected, notes: [] });
  });

  it("status becomes notes in every language, never a canned word (PEERS: 'Working from home' must survive)", () => {
    const seen = watcherSees({ show: "dnd", status: { "": "Working from home", de: "Homeoffice", ja: "在宅勤務" } });
    expect(seen.notes).toEqual([{ text: "Working from home" }, { text: "Homeoffice", lang: "de" }, { text: "在宅勤務", lang: "ja" }]);
  });

  it("xa keeps its status and says nothing more in the note", () => {
    expect(watcherSees({ show: "xa", status: { en: "Back tomorrow" } }).notes).toEqual([{ text: "Back tomorrow", lang: "en" }]);
  });

  it("an unavailable stanza keeps its status (RFC 6121 §4.5.1)", () => {
    expect(watcherSees({ type: "unavailable", status: { "": "Gone home" } }).notes).toEqual([{ text: "Gone home" }]);
  });

  it("blank status texts are dropped", () => {
    expect(watcherSees({ status: { "": "  ", fr: "Ici" } }).notes).toEqual([{ text: "Ici", lang: "fr" }]);
  });

  it("priority becomes the rescaled contact priority, with the entity as contact", () => {
    const { presence } = xmppToPresence(stanza({ priority: -128 }), table);
    expect(presenceToPidf(presence, entity).tuples[0]?.contact).toEqual({ uri: entity, priority: 0 });
    const high = xmppToPresence(stanza({ priority: 127 }), table).presence;
    expect(presenceToPidf(high, entity, { contact: "sip:juliet@192.0.2.7" }).tuples[0]?.contact).toEqual({ uri: "sip:juliet@192.0.2.7", priority: 1 });
  });

  it("XEP-0319 idle becomes RPID user-input idle with last-input", () => {
    const { presence } = xmppToPresence(stanza({ show: "away", idleSince: "2026-03-01T10:00:00Z" }), table);
    expect(presenceToPidf(presence, entity).persons[0]?.userInput).toEqual({ value: "idle", lastInput: "2026-03-01T10:00:00Z" });
  });

  it("the canonical value carries both vocabularies and the origin", () => {
    const { presence } = xmppToPresence(stanza({ show: "xa", status: { "": "Out" }, priority: 3 }), table);
    expect(presence).toMatchObject({
      availability: "available", show: "xa", activities: ["away"], otherActivities: ["xa"], notes: { "": "Out" }, priority: 3,
      origin: { side: "xmpp", entity: "juliet@capulet.lit", via: "balcony" },
    });
  });

  it("the tuple id is the resource, made a valid xs:ID", () => {
    const { presence } = xmppToPresence(stanza({ from: "juliet@capulet.lit/2nd phone" }), table);
    expect(presenceToPidf(presence, entity).tuples[0]?.id).toBe("t-2nd_phone");
  });
});

describe("every show value in both directions", () => {
  it.each(["none", "chat", "away", "xa", "dnd"] as const)("%s survives XMPP → PIDF value → XMPP", (show) => {
    const sent = stanza({ ...(show === "none" ? {} : { show }), status: { "": "text", de: "Text" }, priority: 7 });
    const out = xmppToPresence(sent, table).presence;
    const back = sipToPresence(presenceToPidf(out, entity), table).presence;
    expect(presenceToXmpp(back)).toEqual({ type: "available", ...(show === "none" ? {} : { show }), status: { "": "text", de: "Text" }, priority: 7 });
  });

  it("unavailable survives too", () => {
    const out = xmppToPresence(stanza({ type: "unavailable", status: { "": "Bye" } }), table).presence;
    const back = sipToPresence(presenceToPidf(out, entity), table).presence;
    expect(presenceToXmpp(back)).toEqual({ type: "unavailable", status: { "": "Bye" }, priority: 0 });
  });
});
