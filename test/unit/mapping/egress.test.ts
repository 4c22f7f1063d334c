/** Egress is projection: what presenceToXmpp and presenceToPidf write for a canonical value. */
import { describe, expect, it } from "vitest";
import { presenceToPidf, presenceToXmpp, xmppToPresence } from "../../../src/mapping/index.js";
import { serializePidf } from "../../../src/pidf/index.js";
import { makeEntry, makePresence } from "../../../src/presence/index.js";
import { profile, stanza } from "./builders.js";

describe("presenceToXmpp", () => {
  it("projects availability, show, notes, priority and idle", () => {
    const p = makePresence({
      availability: "available", show: "away", notes: { "": "Out", de: "Weg" }, priority: -3,
      idleSince: "2026-03-01T10:00:00Z", activities: ["away"], origin: { side: "sip" },
    });
    expect(presenceToXmpp(p)).toEqual({ type: "available", show: "away", status: { "": "Out", de: "Weg" }, priority: -3, idleSince: "2026-03-01T10:00:00Z" });
  });

  it("unavailable: no show, no priority, the status kept", () => {
    const p = makePresence({ availability: "unavailable", notes: { "": "Gone" }, priority: 9, origin: { side: "sip" } });
    expect(presenceToXmpp(p)).toEqual({ type: "unavailable", status: { "": "Gone" }, priority: 0 });
  });
});

describe("presenceToPidf", () => {
  it("writes one tuple and a person with the RPID the rule chose", () => {
    const { presence } = xmppToPresence(stanza({ show: "dnd", status: { "": "Busy & <b>", en: "Deadline" }, priority: 127 }), profile("default"));
    const doc = presenceToPidf(presence, "sip:juliet@capulet.lit", { timestamp: "2026-03-01T10:00:00Z" });
    expect(serializePidf(doc)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:juliet@capulet.lit">' +
        '<tuple id="balcony"><status><basic>open</basic></status><contact priority="1">sip:juliet@capulet.lit</contact>' +
        '<note>Busy &amp; &lt;b&gt;</note><note xml:lang="en">Deadline</note><timestamp>2026-03-01T10:00:00Z</timestamp></tuple>' +
        '<dm:person id="p-balcony"><rpid:activities><rpid:busy/></rpid:activities></dm:person></presence>',
    );
  });

  it("writes no person when there is nothing to say, and a closed tuple when unavailable", () => {
    const p = makePresence({ availability: "unavailable", origin: { side: "xmpp", entity: "juliet@capulet.lit" } });
    expect(presenceToPidf(p, "sip:juliet@capulet.lit", { tupleId: "juliet" })).toEqual({
      kind: "pidf", entity: "sip:juliet@capulet.lit", persons: [], devices: [], notes: [], extensions: [],
      tuples: [{
        id: "juliet", basic: "closed", contact: { uri: "sip:juliet@capulet.lit", priority: 0.502 }, notes: [],
        deviceIds: [], extensions: [], activities: [], otherActivities: [], moods: [], placeTypes: [],
      }],
    });
  });

  it("takes the tuple id from the origin, else the first entry, else 't'", () => {
    const entry = makeEntry({ id: "9phone", availability: "available" });
    const fromEntry = makePresence({ availability: "available", entries: [entry], origin: { side: "sip" } });
    expect(presenceToPidf(fromEntry, "sip:a@b").tuples[0]?.id).toBe("t-9phone");
    expect(presenceToPidf(makePresence({ availability: "available", origin: { side: "sip" } }), "sip:a@b").tuples[0]?.id).toBe("t");
  });

  it("keeps moods and place types of a SIP presence", () => {
    const p = makePresence({ availability: "available", moods: ["happy"], placeTypes: ["office"], origin: { side: "sip" } });
    expect(presenceToPidf(p, "sip:a@b").persons[0]).toMatchObject({ moods: ["happy"], placeTypes: ["office"], activities: [] });
  });
});
