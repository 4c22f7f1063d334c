/** Every row of the Asterisk, Kamailio and FreeSWITCH profiles, with bodies as those servers send them. */
import { describe, expect, it } from "vitest";
import { sipToPresence, type MappingTable } from "../../../src/mapping/index.js";
import type { SipBody } from "../../../src/pidf/types.js";
import { asteriskPidf, dialog, dialogInfo, freeswitchPidf, person, pidf, profile, text, tuple, xpidf } from "./builders.js";

function seen(body: SipBody, table: MappingTable) {
  const { presence: p, rule } = sipToPresence(body, table);
  return { rule, availability: p.availability, show: p.show ?? "none", phone: p.phone ?? "none", notes: { ...p.notes } };
}

describe("asterisk profile (res_pjsip_pidf_body_generator.c, presence_xml.c)", () => {
  const asterisk = profile("asterisk");
  it.each<[string, SipBody, ReturnType<typeof seen>]>([
    ["NOT_INUSE: open, Ready → available, no canned status", asteriskPidf("open", "Ready"),
      { rule: "asterisk-ready", availability: "available", show: "none", phone: "idle", notes: {} }],
    ["RINGING: closed, on-the-phone, Ringing → dnd Ringing", asteriskPidf("closed", "Ringing", "on-the-phone"),
      { rule: "asterisk-ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
    ["INUSE: closed, on-the-phone, On the phone → dnd On the phone", asteriskPidf("closed", "On the phone", "on-the-phone"),
      { rule: "asterisk-on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["ONHOLD: closed, on-the-phone, On hold → dnd On hold", asteriskPidf("closed", "On hold", "on-the-phone"),
      { rule: "asterisk-on-hold", availability: "available", show: "dnd", phone: "on-hold", notes: { "": "On hold" } }],
    ["UNAVAILABLE: closed, Unavailable → offline, no canned status", asteriskPidf("closed", "Unavailable"),
      { rule: "asterisk-unavailable", availability: "unavailable", show: "none", phone: "none", notes: {} }],
    ["without the Eyebeam supplement: closed + Ringing alone → ringing", asteriskPidf("closed", "Ringing"),
      { rule: "asterisk-ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
    ["without the Eyebeam supplement: closed + On the phone alone → on the phone", asteriskPidf("closed", "On the phone"),
      { rule: "asterisk-on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["before Asterisk 13: closed, busy, On the phone → on the phone", asteriskPidf("closed", "On the phone", "busy"),
      { rule: "asterisk-on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["before Asterisk 13: closed, away, Unavailable → offline", asteriskPidf("closed", "Unavailable", "away"),
      { rule: "asterisk-unavailable", availability: "unavailable", show: "none", phone: "none", notes: {} }],
    ["dialog-info early (ringing) → the default ringing rule", dialogInfo([dialog({ state: "early", direction: "recipient" })]),
      { rule: "ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
    ["dialog-info confirmed with +sip.rendering=no → on hold", dialogInfo([dialog({ state: "confirmed", held: true })]),
      { rule: "on-hold", availability: "available", show: "dnd", phone: "on-hold", notes: { "": "On hold" } }],
    ["XPIDF inuse/onthephone → on the phone", xpidf([{ uri: "sip:1001@192.0.2.1;user=ip", status: "inuse", substatus: "onthephone", priority: 0.8 }]),
      { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["XPIDF open/online → available", xpidf([{ uri: "sip:1001@192.0.2.1;user=ip", status: "open", substatus: "online", priority: 0.8 }]),
      { rule: "available", availability: "available", show: "none", phone: "none", notes: {} }],
    ["XPIDF closed/offline → unavailable", xpidf([{ uri: "sip:1001@192.0.2.1;user=ip", status: "closed", substatus: "offline", priority: 0.8 }]),
      { rule: "unavailable", availability: "unavailable", show: "none", phone: "none", notes: {} }],
  ])("%s", (_name, body, expected) => {
    expect(seen(body, asterisk)).toEqual(expected);
  });

  it("the default table reads the Eyebeam bodies the same way, but keeps Asterisk's canned words", () => {
    const fallback = profile("default");
    expect(seen(asteriskPidf("closed", "On hold", "on-the-phone"), fallback)).toMatchObject({ rule: "on-hold", phone: "on-hold" });
    expect(seen(asteriskPidf("open", "Ready"), fallback)).toMatchObject({ rule: "available", notes: { "": "Ready" } });
  });
});

describe("kamailio profile (clients publishing through Kamailio's presence server)", () => {
  const kamailio = profile("kamailio");
  const published = (note: string, activities: string[] = [], basic: "open" | "closed" = "open"): SipBody =>
    pidf({ tuples: [tuple({ id: "a8098c1a", basic, notes: [text(note)] })], persons: activities.length === 0 ? [] : [person({ activities })] });

  it.each<[string, SipBody, ReturnType<typeof seen>]>([
    ["pua_xmpp 'Busy (DND)' → dnd, no canned status", published("Busy (DND)"),
      { rule: "kamailio-dnd-note", availability: "available", show: "dnd", phone: "none", notes: {} }],
    ["'do not disturb' → dnd", published("Do not disturb"),
      { rule: "kamailio-dnd-note", availability: "available", show: "dnd", phone: "none", notes: {} }],
    ["pua_xmpp 'Away' → away", published("Away"),
      { rule: "kamailio-away-note", availability: "available", show: "away", phone: "none", notes: {} }],
    ["pua_xmpp 'Online' → available", published("Online"),
      { rule: "kamailio-online-note", availability: "available", show: "none", phone: "none", notes: {} }],
    ["Jitsi 'Offline' on a closed tuple → unavailable, no status", published("Offline", [], "closed"),
      { rule: "kamailio-offline-note", availability: "unavailable", show: "none", phone: "none", notes: {} }],
    ["Jitsi 'Busy (DND)' with <busy/> → dnd", published("Busy (DND)", ["busy"]),
      { rule: "kamailio-dnd-note", availability: "available", show: "dnd", phone: "none", notes: {} }],
    ["Jitsi 'On the phone' with on-the-phone → the default phone rule", published("On the phone", ["on-the-phone"]),
      { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["Jitsi 'In a meeting' with meeting → dnd In a meeting", published("In a meeting", ["meeting"]),
      { rule: "meeting", availability: "available", show: "dnd", phone: "none", notes: { "": "In a meeting" } }],
    ["baresip <busy/> without note → dnd (PEERS: pua_xmpp showed it as available)",
      pidf({ tuples: [tuple({ id: "t4109" })], persons: [person({ id: "p4159", activities: ["busy"] })] }),
      { rule: "busy", availability: "available", show: "dnd", phone: "none", notes: {} }],
    ["a note that is not a canned word stays the status", published("Lunch with Ann", ["away"]),
      { rule: "away", availability: "available", show: "away", phone: "none", notes: { "": "Lunch with Ann" } }],
    ["'Online' while on the phone → on the phone", published("Online", ["on-the-phone"]),
      { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "Online" } }],
  ])("%s", (_name, body, expected) => {
    expect(seen(body, kamailio)).toEqual(expected);
  });

  it("two publications, one closed and one away, compose to away", () => {
    const body = pidf({ tuples: [tuple({ id: "desk", basic: "closed" }), tuple({ id: "mobile", notes: [text("Away")] })] });
    expect(seen(body, kamailio)).toMatchObject({ rule: "kamailio-away-note", availability: "available", show: "away" });
  });
});

describe("freeswitch profile (mod_sofia)", () => {
  const freeswitch = profile("freeswitch");
  it.each<[string, SipBody, ReturnType<typeof seen>]>([
    ["'Available' → available, no canned status", freeswitchPidf("Available", false),
      { rule: "freeswitch-available", availability: "available", show: "none", phone: "none", notes: {} }],
    ["'Ring 1002' → ringing, without the number", freeswitchPidf("Ring 1002", true),
      { rule: "freeswitch-ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
    ["'Ringing' → ringing", freeswitchPidf("Ringing", true),
      { rule: "freeswitch-ringing", availability: "available", show: "dnd", phone: "ringing", notes: { "": "Ringing" } }],
    ["'Talk 1002' → on the phone, without the number", freeswitchPidf("Talk 1002", true),
      { rule: "freeswitch-on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["'On The Phone' → on the phone", freeswitchPidf("On The Phone", true),
      { rule: "freeswitch-on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "On the phone" } }],
    ["'Hold 1002' → on hold", freeswitchPidf("Hold 1002", true),
      { rule: "freeswitch-on-hold", availability: "available", show: "dnd", phone: "on-hold", notes: { "": "On hold" } }],
    ["'Unregistered' on a closed tuple → unavailable", freeswitchPidf("Unregistered", false, "closed"),
      { rule: "freeswitch-unregistered", availability: "unavailable", show: "none", phone: "none", notes: {} }],
    ["on-the-phone with an unknown note → the default rule keeps the note", freeswitchPidf("CS_EXECUTE", true),
      { rule: "on-the-phone", availability: "available", show: "dnd", phone: "in-call", notes: { "": "CS_EXECUTE" } }],
    ["'Talkative' is not a call", freeswitchPidf("Talkative", false),
      { rule: "available", availability: "available", show: "none", phone: "none", notes: { "": "Talkative" } }],
  ])("%s", (_name, body, expected) => {
    expect(seen(body, freeswitch)).toEqual(expected);
  });
});

describe("profiles extend default", () => {
  it.each(["asterisk", "kamailio", "freeswitch"])("%s: its rules first, then every default rule in order", (name) => {
    const table = profile(name);
    const base = profile("default");
    const own = table.sipToXmpp.filter((r) => r.id.startsWith(`${name}-`)).map((r) => r.id);
    expect(table.sipToXmpp.map((r) => r.id)).toEqual([...own, ...base.sipToXmpp.map((r) => r.id)]);
    expect(table.xmppToSip.map((r) => r.id)).toEqual(base.xmppToSip.map((r) => r.id));
    expect(table.files).toEqual([`mappings/${name}.json`, "mappings/default.json"]);
  });
});
