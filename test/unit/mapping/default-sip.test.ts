/** Every sipToXmpp row of mappings/default.json, with bodies shaped as SIP sources send them. */
import { describe, expect, it } from "vitest";
import { sipToPresence } from "../../../src/mapping/index.js";
import type { SipBody } from "../../../src/pidf/types.js";
import { dialog, dialogInfo, person, pidf, profile, text, tuple, xpidf } from "./builders.js";

const table = profile("default");

interface Expected {
  readonly rule: string;
  readonly availability: "available" | "unavailable";
  readonly show?: string;
  readonly phone?: string;
  readonly notes: Record<string, string>;
  readonly idleSince?: string;
}

function seen(body: SipBody): Expected {
  const { presence: p, rule } = sipToPresence(body, table);
  return {
    rule: rule ?? "(none)",
    availability: p.availability,
    ...(p.show === undefined ? {} : { show: p.show }),
    ...(p.phone === undefined ? {} : { phone: p.phone }),
    notes: { ...p.notes },
    ...(p.idleSince === undefined ? {} : { idleSince: p.idleSince }),
  };
}

const withPerson = (activities: string[], notes: string[] = [], basic: "open" | "closed" = "open"): SipBody =>
  pidf({ tuples: [tuple({ basic })], persons: [person({ activities, notes: notes.map((n) => text(n)) })] });

const cases: [string, SipBody, Expected][] = [
  ["dialog early + recipient → ringing", dialogInfo([dialog({ state: "early", direction: "recipient" })]),
    { rule: "ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
  ["on-the-phone + note Ringing on a closed tuple → ringing", withPerson(["on-the-phone"], ["Ringing"], "closed"),
    { rule: "ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
  ["dialog early + initiator → dialing", dialogInfo([dialog({ state: "early", direction: "initiator" })]),
    { rule: "dialing", availability: "available", show: "dnd", phone: "dialing", notes: { "": "Dialing" } }],
  ["dialog trying without direction → dialing", dialogInfo([dialog({ state: "trying" })]),
    { rule: "dialing", availability: "available", show: "dnd", phone: "dialing", notes: { "": "Dialing" } }],
  ["dialog confirmed + held → on hold", dialogInfo([dialog({ state: "confirmed", held: true })]),
    { rule: "on-hold", availability: "available", show: "dnd", phone: "on-hold", notes: { "": "On hold" } }],
  ["on-the-phone + note On hold → on hold", withPerson(["on-the-phone"], ["On hold"], "closed"),
    { rule: "on-hold", availability: "available", show: "dnd", phone: "on-hold", notes: { "": "On hold" } }],
  ["dialog confirmed → on the phone", dialogInfo([dialog({ state: "confirmed", direction: "recipient" })]),
    { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
  ["closed + on-the-phone, no note → on the phone, never offline", withPerson(["on-the-phone"], [], "closed"),
    { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
  ["on-the-phone keeps the person's own note", withPerson(["on-the-phone"], ["Call with Bob"]),
    { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "Call with Bob" } }],
  ["busy without note → dnd, no canned text", withPerson(["busy"]),
    { rule: "busy", availability: "available", show: "dnd", notes: {} }],
  ["busy with note → dnd + the note", withPerson(["busy"], ["Working from home"]),
    { rule: "busy", availability: "available", show: "dnd", notes: { "": "Working from home" } }],
  ["meeting without note → dnd In a meeting", withPerson(["meeting"]),
    { rule: "meeting", availability: "available", show: "dnd", notes: { "": "In a meeting" } }],
  ["meeting with note → the note", withPerson(["meeting"], ["Budget review"]),
    { rule: "meeting", availability: "available", show: "dnd", notes: { "": "Budget review" } }],
  ["appointment → dnd", withPerson(["appointment"]),
    { rule: "appointment", availability: "available", show: "dnd", notes: { "": "At an appointment" } }],
  ["presentation → dnd", withPerson(["presentation"]),
    { rule: "presentation", availability: "available", show: "dnd", notes: { "": "Giving a presentation" } }],
  ["away + other xa → xa", pidf({ tuples: [tuple()], persons: [person({ activities: ["away"], otherActivities: [text("xa")] })] }),
    { rule: "extended-away", availability: "available", show: "xa", notes: {} }],
  ["other 'Extended away' → xa", pidf({ tuples: [tuple()], persons: [person({ otherActivities: [text(" Extended away ")] })] }),
    { rule: "extended-away", availability: "available", show: "xa", notes: {} }],
  ["other 'Free for chat' → chat", pidf({ tuples: [tuple()], persons: [person({ otherActivities: [text("Free for chat")] })] }),
    { rule: "free-for-chat", availability: "available", show: "chat", notes: {} }],
  ["vacation → xa On vacation", withPerson(["vacation"]),
    { rule: "vacation", availability: "available", show: "xa", notes: { "": "On vacation" } }],
  ["vacation beats away", withPerson(["away", "vacation"]),
    { rule: "vacation", availability: "available", show: "xa", notes: { "": "On vacation" } }],
  ["holiday → xa", withPerson(["holiday"], ["Back on Monday"]),
    { rule: "holiday", availability: "available", show: "xa", notes: { "": "Back on Monday" } }],
  ["permanent-absence → xa", withPerson(["permanent-absence"]),
    { rule: "permanent-absence", availability: "available", show: "xa", notes: { "": "Permanently absent" } }],
  ["sleeping → xa", withPerson(["sleeping"]),
    { rule: "sleeping", availability: "available", show: "xa", notes: { "": "Sleeping" } }],
  ["lunch → away Out for a meal", withPerson(["lunch"]),
    { rule: "meal", availability: "available", show: "away", notes: { "": "Out for a meal" } }],
  ["in-transit → away Travelling", withPerson(["in-transit"]),
    { rule: "travel", availability: "available", show: "away", notes: { "": "Travelling" } }],
  ["away → away", withPerson(["away"]),
    { rule: "away", availability: "available", show: "away", notes: {} }],
  ["user-input idle with last-input → away + idle since",
    pidf({ tuples: [tuple({ userInput: { value: "idle", lastInput: "2026-03-01T10:00:00Z" } })] }),
    { rule: "away", availability: "available", show: "away", notes: {}, idleSince: "2026-03-01T10:00:00Z" }],
  ["person user-input idle without last-input → away", pidf({ tuples: [tuple()], persons: [person({ userInput: { value: "idle" } })] }),
    { rule: "away", availability: "available", show: "away", notes: {} }],
  ["open and nothing else → available", pidf({ tuples: [tuple()] }),
    { rule: "available", availability: "available", notes: {} }],
  ["open with notes in two languages → both", pidf({ tuples: [tuple({ notes: [text("At my desk", "en"), text("Am Platz", "de")] })] }),
    { rule: "available", availability: "available", notes: { en: "At my desk", de: "Am Platz" } }],
  ["a note with markup characters is kept as text", pidf({ tuples: [tuple({ notes: [text(`Tom & "Jerry" <'show'>`)] })] }),
    { rule: "available", availability: "available", notes: { "": `Tom & "Jerry" <'show'>` } }],
  ["closed → unavailable", pidf({ tuples: [tuple({ basic: "closed" })] }),
    { rule: "unavailable", availability: "unavailable", notes: {} }],
  ["closed with a note → unavailable + the note", pidf({ tuples: [tuple({ basic: "closed", notes: [text("Gone home")] })] }),
    { rule: "unavailable", availability: "unavailable", notes: { "": "Gone home" } }],
  ["closed + busy → unavailable (only phone activity overrides closed)", withPerson(["busy"], [], "closed"),
    { rule: "unavailable", availability: "unavailable", notes: {} }],
  ["no tuple at all → unavailable", pidf({ persons: [person({ notes: [text("Hello")] })] }),
    { rule: "unavailable", availability: "unavailable", notes: { "": "Hello" } }],
  ["dialog-info without dialogs → available, phone idle", dialogInfo([]),
    { rule: "available", availability: "available", phone: "idle", notes: {} }],
  ["dialog-info with a terminated dialog → available, phone idle", dialogInfo([dialog({ state: "terminated" })]),
    { rule: "available", availability: "available", phone: "idle", notes: {} }],
  ["XPIDF open → available", xpidf([{ uri: "sip:1001@pbx.example.com", status: "open", substatus: "online" }]),
    { rule: "available", availability: "available", notes: {} }],
  ["XPIDF inuse → on the phone", xpidf([{ uri: "sip:1001@pbx.example.com", status: "inuse", substatus: "onthephone" }]),
    { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
  ["XPIDF open + busy → dnd", xpidf([{ uri: "sip:1001@pbx.example.com", status: "open", substatus: "busy" }]),
    { rule: "busy", availability: "available", show: "dnd", notes: {} }],
  ["XPIDF open + berightback → away", xpidf([{ uri: "sip:1001@pbx.example.com", status: "open", substatus: "berightback" }]),
    { rule: "away", availability: "available", show: "away", notes: {} }],
  ["XPIDF closed → unavailable", xpidf([{ uri: "sip:1001@pbx.example.com", status: "closed", substatus: "offline" }]),
    { rule: "unavailable", availability: "unavailable", notes: {} }],
];

describe("default table, SIP → XMPP", () => {
  it.each(cases)("%s", (_name, body, expected) => {
    expect(seen(body)).toEqual(expected);
  });

  it("reads every sipToXmpp rule of the table in the cases above", () => {
    const covered = new Set(cases.map(([, , e]) => e.rule));
    expect(table.sipToXmpp.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe("composition of several tuples (PEERS: one closed + one away is not offline)", () => {
  it("a closed tuple and an open tuple with away → away", () => {
    const body = pidf({ tuples: [tuple({ id: "desk", basic: "closed" }), tuple({ id: "mobile", activities: ["away"], notes: [text("Out")] })] });
    expect(seen(body)).toEqual({ rule: "away", availability: "available", show: "away", notes: { "": "Out" } });
  });

  it("an open idle tuple and a closed tuple on the phone → on the phone", () => {
    const body = pidf({ tuples: [tuple({ id: "soft" }), tuple({ id: "desk", basic: "closed", activities: ["on-the-phone"] })] });
    expect(seen(body)).toEqual({ rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } });
  });

  it("a ringing dialog and a confirmed one → in-call wins (the busiest phone state)", () => {
    const body = dialogInfo([dialog({ id: "a", state: "early", direction: "recipient" }), dialog({ id: "b", state: "confirmed" })]);
    expect(seen(body)).toMatchObject({ rule: "on-the-phone", phone: "in-call" });
  });

  it("person notes win over tuple notes; presence-level notes count as the person's", () => {
    const body = pidf({ notes: [text("Presence note")], tuples: [tuple({ notes: [text("Tuple note")] })] });
    expect(seen(body).notes).toEqual({ "": "Presence note" });
  });

  it("a device referenced by a tuple lends it its activities", () => {
    const body = pidf({
      tuples: [tuple({ id: "t", basic: "closed", deviceIds: ["urn:uuid:d1"] })],
      devices: [{ id: "d1", deviceId: "urn:uuid:d1", activities: ["on-the-phone"], otherActivities: [], moods: [], placeTypes: [], notes: [], extensions: [] }],
    });
    expect(seen(body)).toMatchObject({ rule: "on-the-phone", availability: "available" });
  });

  it("the contact priority becomes the XMPP priority, the origin the presentity", () => {
    const { presence } = sipToPresence(pidf({ tuples: [tuple({ contact: { uri: "sip:1001@192.0.2.1", priority: 0.8 } })] }), table, { via: "call-id-1" });
    expect([presence.priority, presence.origin]).toEqual([76, { side: "sip", entity: "sip:1001@pbx.example.com", via: "call-id-1" }]);
  });
});
