import { describe, expect, it } from "vitest";
import { RPID_ACTIVITIES } from "../../../src/presence/types.js";
import { parsePidf, type PidfDocument, type PidfPerson, type PidfTuple } from "../../../src/pidf/index.js";
import type { XmlElement } from "../../../src/xml/index.js";

const NS = `xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"`;
const doc = (inner: string, attrs = `entity="sip:alice@example.com"`): string => `<presence ${NS} ${attrs}>${inner}</presence>`;

function parsed(xml: string): PidfDocument {
  const r = parsePidf(xml);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
const person = (inner: string): PidfPerson => {
  const p = parsed(doc(`<dm:person id="p1">${inner}</dm:person>`)).persons[0];
  if (p === undefined) throw new Error("no person");
  return p;
};
const tuple = (inner: string): PidfTuple => {
  const t = parsed(doc(`<tuple id="t1">${inner}</tuple>`)).tuples[0];
  if (t === undefined) throw new Error("no tuple");
  return t;
};
/** Extensions without prefixes, for comparing producers' styles. */
const stripPrefixes = (el: XmlElement): XmlElement =>
  ({ ns: el.ns, name: el.name, attrs: el.attrs, children: el.children.map((c) => (typeof c === "string" ? c : stripPrefixes(c))) });

const EMPTY_RPID = { activities: [], otherActivities: [], moods: [], placeTypes: [] };

describe("parsePidf: RFC 3863", () => {
  it("reads entity, tuple id, basic, contact with priority, notes and timestamp", () => {
    const xml = doc(`<tuple id="t8a3"><status><basic>open</basic></status><contact priority="0.8">sip:alice@192.0.2.4</contact>`
      + `<note xml:lang="en">At my desk</note><timestamp>2026-11-23T10:00:00Z</timestamp></tuple><note>Presence note</note>`);
    expect(parsed(xml)).toEqual({
      kind: "pidf",
      entity: "sip:alice@example.com",
      tuples: [{
        id: "t8a3", basic: "open", contact: { uri: "sip:alice@192.0.2.4", priority: 0.8 },
        notes: [{ text: "At my desk", lang: "en" }], timestamp: "2026-11-23T10:00:00Z", deviceIds: [], ...EMPTY_RPID, extensions: [],
      }],
      persons: [], devices: [], notes: [{ text: "Presence note" }], extensions: [],
    });
  });

  it("trims values but keeps note text as written", () => {
    const t = tuple(`<status><basic>\n closed \n</basic></status><contact>\n  sip:a@b  \n</contact><note>  two  spaces </note>`);
    expect([t.basic, t.contact, t.notes]).toEqual(["closed", { uri: "sip:a@b" }, [{ text: "  two  spaces " }]]);
  });

  it.each([["0", 0], ["1", 1], ["1.0", 1], ["0.800000", 0.8], [".5", 0.5]])("reads priority %s as %d", (raw, value) => {
    expect(tuple(`<status/><contact priority="${raw}">sip:a@b</contact>`).contact).toEqual({ uri: "sip:a@b", priority: value });
  });

  it.each([["1.5"], ["-0.1"], ["high"], [""]])("leaves out the unusable priority %j", (raw) => {
    expect(tuple(`<status/><contact priority="${raw}">sip:a@b</contact>`).contact).toEqual({ uri: "sip:a@b" });
  });

  it("reads a tuple without status or basic", () => {
    expect(tuple(`<contact>sip:a@b</contact>`).basic).toBeUndefined();
    expect(tuple(`<status/>`).basic).toBeUndefined();
  });

  it("reads notes in several languages, inheriting xml:lang from enclosing elements", () => {
    const d = parsed(doc(
      `<tuple id="t" xml:lang="de"><status/><note>Am Telefon</note><note xml:lang="fr">Au téléphone</note></tuple>`
      + `<note>Global</note><dm:person id="p" xml:lang="ja"><dm:note>電話中</dm:note><dm:note xml:lang="zh-Hant">通話中</dm:note></dm:person>`,
      `entity="sip:a@b" xml:lang="en"`,
    ));
    expect(d.tuples[0]?.notes).toEqual([{ text: "Am Telefon", lang: "de" }, { text: "Au téléphone", lang: "fr" }]);
    expect(d.notes).toEqual([{ text: "Global", lang: "en" }]);
    expect(d.persons[0]?.notes).toEqual([{ text: "電話中", lang: "ja" }, { text: "通話中", lang: "zh-Hant" }]);
  });

  it("keeps notes with markup characters and quotes", () => {
    expect(tuple(`<status/><note>&lt;b&gt; &amp; "quoted" 'single'</note>`).notes).toEqual([{ text: `<b> & "quoted" 'single'` }]);
  });

  it("keeps unknown elements as extensions at every level and never fails on them", () => {
    const d = parsed(doc(
      `<tuple id="t"><status><basic>open</basic><x:on-phone xmlns:x="urn:x">yes</x:on-phone></status><x:caps xmlns:x="urn:x"/>`
      + `<unknown-pidf-child/></tuple><y:top xmlns:y="urn:y" a="1"/><dm:person id="p"><rpid:class>calendar</rpid:class></dm:person>`,
    ));
    expect(d.tuples[0]?.extensions.map((e) => `{${e.ns}}${e.name}`)).toEqual([
      "{urn:x}on-phone", "{urn:x}caps", "{urn:ietf:params:xml:ns:pidf}unknown-pidf-child",
    ]);
    expect(d.extensions).toEqual([{ ns: "urn:y", name: "top", prefix: "y", attrs: { a: "1" }, children: [] }]);
    expect(d.persons[0]?.extensions).toEqual([
      { ns: "urn:ietf:params:xml:ns:pidf:rpid", name: "class", prefix: "rpid", attrs: {}, children: ["calendar"] },
    ]);
  });

  it("tolerates the CIPID namespace as extensions", () => {
    const p = person(`<c:display-name xmlns:c="urn:ietf:params:xml:ns:pidf:cipid">Bob</c:display-name>`);
    expect(p.extensions.map((e) => [e.ns, e.name])).toEqual([["urn:ietf:params:xml:ns:pidf:cipid", "display-name"]]);
  });
});

describe("parsePidf: RFC 4479 data model", () => {
  it("reads person and device with notes, timestamps and deviceID, and deviceID references in tuples", () => {
    const d = parsed(doc(
      `<tuple id="t"><status><basic>open</basic></status><dm:deviceID>urn:x-mac:0003ba4811e3</dm:deviceID></tuple>`
      + `<dm:person id="p"><dm:note>Busy</dm:note><dm:timestamp>2026-01-01T00:00:00Z</dm:timestamp></dm:person>`
      + `<dm:device id="d"><dm:deviceID>urn:x-mac:0003ba4811e3</dm:deviceID><dm:note>Desk phone</dm:note></dm:device>`,
    ));
    expect(d.tuples[0]?.deviceIds).toEqual(["urn:x-mac:0003ba4811e3"]);
    expect(d.persons).toEqual([{ id: "p", notes: [{ text: "Busy" }], timestamp: "2026-01-01T00:00:00Z", ...EMPTY_RPID, extensions: [] }]);
    expect(d.devices).toEqual([{ id: "d", deviceId: "urn:x-mac:0003ba4811e3", notes: [{ text: "Desk phone" }], ...EMPTY_RPID, extensions: [] }]);
  });

  it("keeps a person without id, reading it as the empty id", () => {
    expect(parsed(doc(`<dm:person><dm:note>x</dm:note></dm:person>`)).persons[0]?.id).toBe("");
  });

  it("reads a PIDF-namespace <note> inside a person as its note", () => {
    expect(person(`<note>misplaced</note>`).notes).toEqual([{ text: "misplaced" }]);
  });
});

describe("parsePidf: RFC 4480 RPID", () => {
  it.each(RPID_ACTIVITIES.filter((a) => a !== "other"))("reads the activity %s", (activity) => {
    expect(person(`<rpid:activities><rpid:${activity}/></rpid:activities>`).activities).toEqual([activity]);
  });

  it("reads all 27 activities in document order, <other> texts apart", () => {
    const body = RPID_ACTIVITIES.map((a) => (a === "other" ? `<rpid:other xml:lang="en">Gardening</rpid:other>` : `<rpid:${a}/>`)).join("");
    const p = person(`<rpid:activities>${body}</rpid:activities>`);
    expect(RPID_ACTIVITIES).toHaveLength(27);
    expect(p.activities).toEqual(RPID_ACTIVITIES.filter((a) => a !== "other"));
    expect(p.otherActivities).toEqual([{ text: "Gardening", lang: "en" }]);
  });

  it("reads <other> activities with their language, inherited or own", () => {
    const p = person(`<rpid:activities xml:lang="de"><rpid:other>Gartenarbeit</rpid:other><rpid:other xml:lang="fr">Jardinage</rpid:other><rpid:other>x</rpid:other></rpid:activities>`);
    expect(p.activities).toEqual([]);
    expect(p.otherActivities).toEqual([{ text: "Gartenarbeit", lang: "de" }, { text: "Jardinage", lang: "fr" }, { text: "x", lang: "de" }]);
  });

  it("reads unknown, from/until, and skips the activities' own <note>", () => {
    const p = person(`<rpid:activities from="2026-05-30T12:00:00+05:00" until="2026-05-30T17:00:00+05:00"><rpid:note>Far away</rpid:note><rpid:unknown/></rpid:activities>`);
    expect(p).toMatchObject({ activities: ["unknown"], activitiesFrom: "2026-05-30T12:00:00+05:00", activitiesUntil: "2026-05-30T17:00:00+05:00" });
  });

  const MOODS = [
    "afraid", "amazed", "angry", "annoyed", "anxious", "ashamed", "bored", "brave", "calm", "cold", "confused",
    "contented", "cranky", "curious", "depressed", "disappointed", "disgusted", "distracted", "embarrassed", "excited",
    "flirtatious", "frustrated", "grumpy", "guilty", "happy", "hot", "humbled", "humiliated", "hungry", "hurt",
    "impressed", "in_awe", "in_love", "indignant", "interested", "invincible", "jealous", "lonely", "mean", "moody",
    "nervous", "neutral", "offended", "playful", "proud", "relieved", "remorseful", "restless", "sad", "sarcastic",
    "serious", "shocked", "shy", "sick", "sleepy", "stressed", "surprised", "thirsty", "worried", "unknown",
  ];

  it("reads every RFC 4480 §3.4 mood as its element name", () => {
    expect(person(`<rpid:mood>${MOODS.map((m) => `<rpid:${m}/>`).join("")}</rpid:mood>`).moods).toEqual(MOODS);
  });

  it("reads place types from the RFC 4589 namespace and <other>", () => {
    const p = person(`<rpid:place-type xmlns:lt="urn:ietf:params:xml:ns:location-type"><lt:residence/><lt:office/><rpid:other>Boat</rpid:other></rpid:place-type>`);
    expect(p.placeTypes).toEqual(["residence", "office", "other"]);
  });

  it.each([
    ["<rpid:work/>", "work"], ["<rpid:home/>", "home"], ["bowling league", "bowling league"], ["  work  ", "work"],
  ])("reads the sphere %s", (inner, sphere) => {
    expect(person(`<rpid:sphere>${inner}</rpid:sphere>`).sphere).toBe(sphere);
  });

  it("reads user-input active and idle with last-input and idle-threshold", () => {
    expect(person(`<rpid:user-input>active</rpid:user-input>`).userInput).toEqual({ value: "active" });
    expect(person(`<rpid:user-input idle-threshold="600" last-input="2026-10-21T13:20:00-05:00">idle</rpid:user-input>`).userInput)
      .toEqual({ value: "idle", lastInput: "2026-10-21T13:20:00-05:00", idleThreshold: 600 });
  });

  it("leaves out a user-input with an unknown value, and an unusable idle-threshold", () => {
    expect(person(`<rpid:user-input>sleeping</rpid:user-input>`).userInput).toBeUndefined();
    expect(person(`<rpid:user-input idle-threshold="ten">idle</rpid:user-input>`).userInput).toEqual({ value: "idle" });
  });

  it("reads RPID on devices and in tuples, also inside <status> as some producers write it", () => {
    const d = parsed(doc(
      `<tuple id="t1"><status><basic>open</basic><rpid:activities><rpid:on-the-phone/></rpid:activities></status></tuple>`
      + `<tuple id="t2"><status><basic>open</basic></status><rpid:activities><rpid:busy/></rpid:activities><rpid:user-input>idle</rpid:user-input></tuple>`
      + `<dm:device id="d"><rpid:user-input>active</rpid:user-input><dm:deviceID>urn:d</dm:deviceID></dm:device>`,
    ));
    expect(d.tuples.map((t) => [t.activities, t.userInput, t.extensions])).toEqual([
      [["on-the-phone"], undefined, []],
      [["busy"], { value: "idle" }, []],
    ]);
    expect(d.devices[0]).toMatchObject({ deviceId: "urn:d", userInput: { value: "active" } });
  });

  it("reads activity children written in the wrong namespace by their local name", () => {
    expect(person(`<rpid:activities><busy/><x:away xmlns:x="urn:x"/></rpid:activities>`).activities).toEqual(["busy", "away"]);
  });
});

describe("parsePidf: producers' namespace styles give the same document", () => {
  const PIDF = "urn:ietf:params:xml:ns:pidf";
  const DM = "urn:ietf:params:xml:ns:pidf:data-model";
  const RPID = "urn:ietf:params:xml:ns:pidf:rpid";
  const styles = {
    "Asterisk (default pidf, dm:, rpid:)": `<presence xmlns="${PIDF}" xmlns:dm="${DM}" xmlns:rpid="${RPID}" entity="sip:1001@pbx"><tuple id="t"><status><basic>closed</basic></status><note xml:lang="en">On the phone</note></tuple><dm:person id="p"><rpid:activities><rpid:on-the-phone/></rpid:activities><dm:note>On the phone</dm:note><rpid:class>x</rpid:class></dm:person></presence>`,
    "RFC 3863 (impp: prefix)": `<impp:presence xmlns:impp="${PIDF}" xmlns:pdm="${DM}" xmlns:r="${RPID}" entity="sip:1001@pbx"><impp:tuple id="t"><impp:status><impp:basic>closed</impp:basic></impp:status><impp:note xml:lang="en">On the phone</impp:note></impp:tuple><pdm:person id="p"><r:activities><r:on-the-phone/></r:activities><pdm:note>On the phone</pdm:note><r:class>x</r:class></pdm:person></impp:presence>`,
    "default namespace redeclared per element": `<presence xmlns="${PIDF}" entity="sip:1001@pbx"><tuple id="t"><status><basic>closed</basic></status><note xml:lang="en">On the phone</note></tuple><person xmlns="${DM}" id="p"><activities xmlns="${RPID}"><on-the-phone/></activities><note>On the phone</note><class xmlns="${RPID}">x</class></person></presence>`,
    "declarations on inner elements": `<presence xmlns="${PIDF}" entity="sip:1001@pbx"><tuple id="t"><status><basic>closed</basic></status><note xml:lang="en">On the phone</note></tuple><dm:person xmlns:dm="${DM}" id="p"><rpid:activities xmlns:rpid="${RPID}"><rpid:on-the-phone/></rpid:activities><dm:note>On the phone</dm:note><q:class xmlns:q="${RPID}">x</q:class></dm:person></presence>`,
  };

  it("reads the same values whatever the prefixes", () => {
    const [first, ...rest] = Object.values(styles).map((xml) => {
      const d = parsed(xml);
      return { ...d, persons: d.persons.map((p) => ({ ...p, extensions: p.extensions.map(stripPrefixes) })) };
    });
    expect(first?.persons[0]).toMatchObject({ activities: ["on-the-phone"], notes: [{ text: "On the phone" }] });
    for (const other of rest) expect(other).toEqual(first);
  });
});

describe("parsePidf: errors", () => {
  it("rejects a presence without entity as missing-attribute", () => {
    expect(parsePidf(`<presence xmlns="urn:ietf:params:xml:ns:pidf"/>`)).toEqual({
      ok: false, error: { code: "missing-attribute", message: "<presence> has no entity attribute (RFC 3863 §4.1.1)", at: "/presence" },
    });
  });

  it.each([
    [`<presence entity="x"/>`, "presence"],
    [`<presence xmlns="urn:ietf:params:xml:ns:cpim-pidf" entity="x"/>`, "{urn:ietf:params:xml:ns:cpim-pidf}presence"],
    [`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info"/>`, "{urn:ietf:params:xml:ns:dialog-info}dialog-info"],
  ])("rejects the root of %s as unexpected-root", (xml, name) => {
    expect(parsePidf(xml)).toEqual({
      ok: false,
      error: { code: "unexpected-root", message: `the root element is ${name}; a PIDF body has {urn:ietf:params:xml:ns:pidf}presence`, at: "/" },
    });
  });

  it("rejects a basic other than open or closed as invalid-value, with its path", () => {
    expect(parsePidf(doc(`<tuple id="a"><status><basic>open</basic></status></tuple><tuple id="b"><status><basic>busy</basic></status></tuple>`))).toEqual({
      ok: false,
      error: { code: "invalid-value", message: `<basic> is "busy"; RFC 3863 §4.1.4 allows open or closed`, at: "/presence/tuple[2]/status/basic" },
    });
  });

  it("rejects a tuple without id as missing-attribute", () => {
    expect(parsePidf(doc(`<tuple><status/></tuple>`))).toEqual({
      ok: false, error: { code: "missing-attribute", message: "<tuple> has no id attribute (RFC 3863 §4.1.2)", at: "/presence/tuple[1]" },
    });
  });

  it("passes XML errors through with their location", () => {
    expect(parsePidf(`<presence ${NS} entity="x">\n<tuple id="a"></presence>`)).toMatchObject({
      ok: false, error: { code: "not-well-formed", at: "line 2, column 15" },
    });
    expect(parsePidf("<presence/>", { maxBytes: 4 })).toMatchObject({ ok: false, error: { code: "too-large" } });
  });
});
