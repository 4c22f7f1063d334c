/** `mapping explain`: the facts the rules saw and each rule's verdict, and wire bodies end to end. */
import { describe, expect, it } from "vitest";
import { explainSip, explainXmpp, presenceToXmpp, sipToPresence } from "../../../src/mapping/index.js";
import { parseSipBody } from "../../../src/pidf/index.js";
import { asteriskPidf, dialog, dialogInfo, profile, stanza } from "./builders.js";

describe("explainSip", () => {
  it("lists each rule tried, why it failed, and the match", () => {
    const explanation = explainSip(asteriskPidf("closed", "On hold", "busy"), profile("default"));
    expect(explanation.facts).toEqual({
      basic: "closed", availability: "unavailable", show: "none", phone: "none",
      activities: ["busy"], other: [], notes: { "": "On hold" }, idle: false,
    });
    expect(explanation.steps.slice(0, 5)).toEqual([
      {
        rule: "ringing",
        matched: false,
        reasons: [
          'anyOf (phone [ringing] | activities.any [on-the-phone] + note equals "Ringing"): no (saw option 1: phone [ringing] saw none / option 2: activities.any [on-the-phone] saw busy; note equals "Ringing" saw "On hold")',
        ],
      },
      { rule: "dialing", matched: false, reasons: ["phone [dialing]: no (saw none)"] },
      {
        rule: "on-hold",
        matched: false,
        reasons: [
          'anyOf (phone [on-hold] | activities.any [on-the-phone] + note equals "On hold"): no (saw option 1: phone [on-hold] saw none / option 2: activities.any [on-the-phone] saw busy)',
        ],
      },
      { rule: "on-the-phone", matched: false, reasons: ["anyOf (phone [in-call] | activities.any [on-the-phone]): no (saw option 1: phone [in-call] saw none / option 2: activities.any [on-the-phone] saw busy)"] },
      { rule: "busy", matched: false, reasons: ["availability available: no (saw unavailable)", "activities.any [busy]: yes (saw busy)"] },
    ]);
    expect(explanation.steps.at(-1)).toEqual({ rule: "unavailable", matched: true, reasons: ["no conditions: always matches"] });
    expect(explanation.result.rule).toBe("unavailable");
  });

  it("the Asterisk profile explains the same body as on hold", () => {
    const explanation = explainSip(asteriskPidf("closed", "On hold", "busy"), profile("asterisk"));
    expect(explanation.steps.map((s) => [s.rule, s.matched])).toEqual([
      ["asterisk-unavailable", false], ["asterisk-ringing", false], ["asterisk-on-hold", true],
    ]);
    expect(explanation.steps[0]?.reasons).toEqual(["basic closed: yes (saw closed)", 'note equals "Unavailable": no (saw "On hold")']);
  });

  it("shows the dialogs of a dialog-info body", () => {
    const explanation = explainSip(dialogInfo([dialog({ state: "confirmed", direction: "initiator", held: true })]), profile("default"));
    expect(explanation.facts.dialogs).toEqual([{ id: "d1", state: "confirmed", direction: "initiator", held: true }]);
    expect(explanation.result.rule).toBe("on-hold");
  });
});

describe("explainXmpp", () => {
  it("lists the xmppToSip rules tried", () => {
    const explanation = explainXmpp(stanza({ show: "away", status: { en: "Lunch" } }), profile("default"));
    expect(explanation.facts).toEqual({ availability: "available", show: "away", phone: "none", activities: [], other: [], notes: { en: "Lunch" }, idle: false });
    expect(explanation.steps.map((s) => `${s.rule}: ${s.reasons.join("; ")}`)).toEqual([
      "xmpp-unavailable: availability unavailable: no (saw available)",
      "xmpp-dnd: show [dnd]: no (saw away)",
      "xmpp-xa: show [xa]: no (saw away)",
      "xmpp-away: show [away]: yes (saw away)",
    ]);
    expect(explanation.result.presence.activities).toEqual(["away"]);
  });
});

describe("wire bodies end to end (parseSipBody → sipToPresence → presenceToXmpp)", () => {
  const asteriskRinging = `<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@pbx.example.com" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ringing</note>
 <tuple id="1001">
  <status><basic>closed</basic></status>
  <contact priority="1">sip:1002@192.0.2.20:5060</contact>
 </tuple>
 <dm:person><rpid:activities><rpid:on-the-phone /></rpid:activities></dm:person>
</presence>`;

  const freeswitchTalk = `<?xml version="1.0" encoding="ISO-8859-1"?>
<presence xmlns='urn:ietf:params:xml:ns:pidf'
xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'
xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid'
xmlns:c='urn:ietf:params:xml:ns:pidf:cipid' entity='sip:1000@192.0.2.24'>
<tuple id='t6a5ed77e'>
<status>
<basic>open</basic>
</status>
</tuple>
<dm:person id='p06360c4a'>
<rpid:activities><rpid:on-the-phone/></rpid:activities>
<dm:note>Talk 1002</dm:note>
</dm:person>
</presence>`;

  const asteriskDialog = `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:1001@pbx.example.com">
 <dialog id="1001" direction="recipient"><state>early</state></dialog>
</dialog-info>`;

  it.each([
    ["Asterisk PIDF, ringing", asteriskRinging, "application/pidf+xml", "asterisk", "asterisk-ringing",
      { type: "available", show: "dnd", status: { "": "Ringing" }, priority: 127 }],
    ["FreeSWITCH PIDF, talking", freeswitchTalk, "application/pidf+xml", "freeswitch", "freeswitch-on-the-phone",
      { type: "available", show: "dnd", status: { "": "On the phone" }, priority: 0 }],
    ["Asterisk dialog-info, ringing", asteriskDialog, "application/dialog-info+xml", "asterisk", "ringing",
      { type: "available", show: "dnd", status: { "": "Ringing" }, priority: 0 }],
  ])("%s", (_name, wire, contentType, table, rule, expected) => {
    const body = parseSipBody(wire, contentType);
    if (!body.ok) throw new Error(body.error.message);
    const translation = sipToPresence(body.value, profile(table));
    expect(translation.rule).toBe(rule);
    expect(presenceToXmpp(translation.presence)).toEqual(expected);
  });
});
