import { describe, expect, it } from "vitest";
import {
  parseDialogInfo, parsePidf, serializeDialogInfo, serializePidf,
  type DialogInfo, type PidfDocument, type PidfPerson, type PidfTuple,
} from "../../../src/pidf/index.js";

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n`;
const PIDF_NS = `xmlns="urn:ietf:params:xml:ns:pidf"`;
const DM_NS = `xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"`;
const RPID_NS = `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"`;
const EMPTY_RPID = { activities: [], otherActivities: [], moods: [], placeTypes: [] };

const tuple = (over: Partial<PidfTuple> = {}): PidfTuple => ({ id: "t1", notes: [], deviceIds: [], ...EMPTY_RPID, extensions: [], ...over });
const person = (over: Partial<PidfPerson> = {}): PidfPerson => ({ id: "p1", notes: [], ...EMPTY_RPID, extensions: [], ...over });
const pidf = (over: Partial<PidfDocument> = {}): PidfDocument =>
  ({ kind: "pidf", entity: "sip:juliet@capulet.lit", tuples: [], persons: [], devices: [], notes: [], extensions: [], ...over });

describe("serializePidf", () => {
  it("writes a compact document declaring only the pidf namespace when nothing else is used", () => {
    const doc = pidf({ tuples: [tuple({ basic: "open", contact: { uri: "xmpp:juliet@capulet.lit", priority: 0.5 }, notes: [{ text: "Online" }] })] });
    expect(serializePidf(doc)).toBe(`${HEAD}<presence ${PIDF_NS} entity="sip:juliet@capulet.lit"><tuple id="t1"><status><basic>open</basic></status>`
      + `<contact priority="0.5">xmpp:juliet@capulet.lit</contact><note>Online</note></tuple></presence>`);
  });

  it("writes person RPID with dm: and rpid: declared on the root, in the RFC 4479 order", () => {
    const doc = pidf({
      tuples: [tuple({ basic: "closed" })],
      persons: [person({
        activities: ["on-the-phone", "busy"], otherActivities: [{ text: "Coding", lang: "en" }],
        moods: ["happy"], placeTypes: ["office"], sphere: "work", userInput: { value: "idle", lastInput: "2026-01-01T10:00:00Z", idleThreshold: 300 },
        notes: [{ text: "On the phone" }], timestamp: "2026-01-01T10:05:00Z",
      })],
    });
    expect(serializePidf(doc)).toBe(`${HEAD}<presence ${PIDF_NS} ${DM_NS} ${RPID_NS} xmlns:lt="urn:ietf:params:xml:ns:location-type" entity="sip:juliet@capulet.lit">`
      + `<tuple id="t1"><status><basic>closed</basic></status></tuple><dm:person id="p1">`
      + `<rpid:activities><rpid:on-the-phone/><rpid:busy/><rpid:other xml:lang="en">Coding</rpid:other></rpid:activities>`
      + `<rpid:mood><rpid:happy/></rpid:mood><rpid:place-type><lt:office/></rpid:place-type><rpid:sphere><rpid:work/></rpid:sphere>`
      + `<rpid:user-input idle-threshold="300" last-input="2026-01-01T10:00:00Z">idle</rpid:user-input>`
      + `<dm:note>On the phone</dm:note><dm:timestamp>2026-01-01T10:05:00Z</dm:timestamp></dm:person></presence>`);
  });

  it("escapes notes and attributes so that <, &, quotes and newlines round-trip (the peer loses them)", () => {
    const text = `Meeting <board> & "finance" 'Q3'\nback at 3 > 2`;
    const doc = pidf({
      entity: `sip:o'brien&co@example.com`,
      tuples: [tuple({ id: `a"b`, basic: "open", notes: [{ text, lang: "en-GB" }] })],
      persons: [person({ notes: [{ text }, { text: "Réunion « budget »", lang: "fr" }] })],
      notes: [{ text: "\r\n" }],
    });
    const xml = serializePidf(doc);
    expect(xml).toContain(`<note xml:lang="en-GB">Meeting &lt;board&gt; &amp; "finance" 'Q3'\nback at 3 &gt; 2</note>`);
    expect(xml).toContain(`entity="sip:o&apos;brien&amp;co@example.com"`);
    expect(parsePidf(xml)).toEqual({ ok: true, value: doc });
  });

  it("writes extensions back inside the element that held them, declaring their namespaces", () => {
    const source = `<presence ${PIDF_NS} ${DM_NS} ${RPID_NS} entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status>`
      + `<sc:servcaps xmlns:sc="urn:ietf:params:xml:ns:pidf:caps"><sc:audio>true</sc:audio></sc:servcaps></tuple>`
      + `<dm:person id="p"><rpid:class>calendar</rpid:class><c:homepage xmlns:c="urn:ietf:params:xml:ns:pidf:cipid">http://x/?a=1&amp;b=2</c:homepage></dm:person>`
      + `<x:custom xmlns:x="urn:example:vendor" x:a="1"><x:deep>keep me</x:deep></x:custom></presence>`;
    const parsed = parsePidf(source);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const xml = serializePidf(parsed.value);
    expect(xml).toBe(`${HEAD}<presence ${PIDF_NS} ${DM_NS} entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status>`
      + `<sc:servcaps xmlns:sc="urn:ietf:params:xml:ns:pidf:caps"><sc:audio>true</sc:audio></sc:servcaps></tuple>`
      + `<dm:person id="p"><rpid:class xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">calendar</rpid:class>`
      + `<c:homepage xmlns:c="urn:ietf:params:xml:ns:pidf:cipid">http://x/?a=1&amp;b=2</c:homepage></dm:person>`
      + `<x:custom xmlns:x="urn:example:vendor" x:a="1"><x:deep>keep me</x:deep></x:custom></presence>`);
    expect(parsePidf(xml)).toEqual(parsed);
  });

  it("writes tuple RPID after status, device IDs, devices, empty notes and an empty status", () => {
    const doc = pidf({
      tuples: [tuple({ activities: ["away"], deviceIds: ["urn:d1"], notes: [{ text: "" }], timestamp: "2026-01-01T00:00:00Z" })],
      devices: [{ id: "d1", deviceId: "urn:d1", notes: [{ text: "Phone" }], ...EMPTY_RPID, userInput: { value: "active" }, extensions: [] }],
    });
    expect(serializePidf(doc)).toBe(`${HEAD}<presence ${PIDF_NS} ${DM_NS} ${RPID_NS} entity="sip:juliet@capulet.lit">`
      + `<tuple id="t1"><status/><rpid:activities><rpid:away/></rpid:activities><dm:deviceID>urn:d1</dm:deviceID><note/>`
      + `<timestamp>2026-01-01T00:00:00Z</timestamp></tuple>`
      + `<dm:device id="d1"><rpid:user-input>active</rpid:user-input><dm:deviceID>urn:d1</dm:deviceID><dm:note>Phone</dm:note></dm:device></presence>`);
  });

  it("writes a priority with at most three decimals and an activity name that is no XML name as <other>", () => {
    const xml = serializePidf(pidf({
      tuples: [tuple({ contact: { uri: "sip:a@b", priority: 0.12345 } })],
      persons: [person({ activities: ["on the phone"], activitiesFrom: "2026-01-01T00:00:00Z" })],
    }));
    expect(xml).toContain(`<contact priority="0.123">sip:a@b</contact>`);
    expect(xml).toContain(`<rpid:activities from="2026-01-01T00:00:00Z"><rpid:other>on the phone</rpid:other></rpid:activities>`);
  });
});

describe("serializeDialogInfo", () => {
  const base: DialogInfo = { kind: "dialog-info", entity: "sip:1001@pbx.example.com", version: 7, state: "full", dialogs: [] };

  it("writes every field in the RFC 4235 order", () => {
    const doc: DialogInfo = {
      ...base,
      dialogs: [{
        id: "d1", callId: "c@h", localTag: "lt", remoteTag: "rt", direction: "recipient", state: "confirmed",
        stateEvent: "replaced", stateCode: 200, duration: 12,
        local: { identity: "sip:1001@pbx.example.com", displayName: `"1001" & co`, target: "sip:1001@192.0.2.4" },
        remote: { identity: "sip:2001@pbx.example.com", target: "sip:2001@192.0.2.5" },
        held: true,
      }],
    };
    const xml = serializeDialogInfo(doc);
    expect(xml).toBe(`${HEAD}<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="full" entity="sip:1001@pbx.example.com">`
      + `<dialog id="d1" call-id="c@h" local-tag="lt" remote-tag="rt" direction="recipient"><state event="replaced" code="200">confirmed</state>`
      + `<duration>12</duration><local><identity display="&quot;1001&quot; &amp; co">sip:1001@pbx.example.com</identity>`
      + `<target uri="sip:1001@192.0.2.4"><param pname="+sip.rendering" pvalue="no"/></target></local>`
      + `<remote><identity>sip:2001@pbx.example.com</identity><target uri="sip:2001@192.0.2.5"/></remote></dialog></dialog-info>`);
    expect(parseDialogInfo(xml)).toEqual({ ok: true, value: doc });
  });

  it("writes held without a local target on the entity, as Asterisk does, and not-held as rendering yes", () => {
    const xml = serializeDialogInfo({ ...base, dialogs: [{ id: "1001", state: "confirmed", held: true }, { id: "2", state: "confirmed", held: false }] });
    expect(xml).toContain(`<dialog id="1001"><state>confirmed</state><local><target uri="sip:1001@pbx.example.com"><param pname="+sip.rendering" pvalue="no"/></target></local></dialog>`);
    expect(xml).toContain(`<param pname="+sip.rendering" pvalue="yes"/>`);
  });
});
