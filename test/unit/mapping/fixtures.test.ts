/** The golden bodies of test/fixtures, from the wire to the stanza a chat user gets, under each profile. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { presenceToXmpp, sipToPresence } from "../../../src/mapping/index.js";
import { parseSipBody } from "../../../src/pidf/index.js";
import { profile } from "./builders.js";

const fixtures = join(import.meta.dirname, "../../fixtures");

interface Seen {
  readonly rule: string;
  readonly phone?: string;
  readonly stanza: Readonly<Record<string, unknown>>;
}

const dnd = (status: Record<string, string>, priority = 0) => ({ type: "available", show: "dnd", status, priority });

const cases: [string, string, Seen][] = [
  ["asterisk-20-pidf-idle", "asterisk", { rule: "asterisk-ready", phone: "idle", stanza: { type: "available", status: {}, priority: 127 } }],
  ["asterisk-20-pidf-idle", "default", { rule: "available", stanza: { type: "available", status: { "": "Ready" }, priority: 127 } }],
  ["asterisk-20-pidf-ringing", "asterisk", { rule: "asterisk-ringing", phone: "ringing", stanza: dnd({ "": "Ringing" }, 127) }],
  ["asterisk-20-pidf-ringing", "default", { rule: "ringing", phone: "ringing", stanza: dnd({ "": "Ringing" }, 127) }],
  ["asterisk-20-pidf-on-the-phone", "asterisk", { rule: "asterisk-on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }, 127) }],
  ["asterisk-20-pidf-on-hold", "asterisk", { rule: "asterisk-on-hold", phone: "on-hold", stanza: dnd({ "": "On hold" }, 127) }],
  ["asterisk-20-pidf-on-hold", "default", { rule: "on-hold", phone: "on-hold", stanza: dnd({ "": "On hold" }, 127) }],
  ["asterisk-20-dialog-info-early", "asterisk", { rule: "ringing", phone: "ringing", stanza: dnd({ "": "Ringing" }) }],
  ["asterisk-20-dialog-info-confirmed", "asterisk", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }) }],
  ["asterisk-13-dialog-info-on-hold", "asterisk", { rule: "on-hold", phone: "on-hold", stanza: dnd({ "": "On hold" }) }],
  ["asterisk-20-dialog-info-idle", "asterisk", { rule: "available", phone: "idle", stanza: { type: "available", status: {}, priority: 0 } }],
  ["asterisk-20-xpidf-inuse", "asterisk", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }, 76) }],
  ["freeswitch-1.10-pidf-talk", "freeswitch", { rule: "freeswitch-on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }) }],
  ["freeswitch-1.10-pidf-talk", "default", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "Talk 1002" }) }],
  ["freeswitch-1.10-dialog-info-confirmed", "freeswitch", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }) }],
  ["kamailio-5.6-baresip-busy", "kamailio", { rule: "kamailio-dnd-note", stanza: dnd({}) }],
  ["kamailio-5.6-jitsi-away", "kamailio", {
    rule: "away",
    stanza: { type: "available", show: "away", status: { en: "Gone for lunch, back at 2", de: "Mittagspause, zurück um 14 Uhr", ja: "昼食中です" }, priority: 0 },
  }],
  ["cisco-cp8800-pidf-default-ns-redeclared", "default", { rule: "busy", stanza: dnd({ fr: "En réunion & « occupé »" }, 127) }],
  ["polycom-vvx-xpidf-open", "default", { rule: "available", stanza: { type: "available", status: {}, priority: 76 } }],
  ["yealink-t4x-pidf-two-tuples", "default", { rule: "available", stanza: { type: "available", status: { "": "Away" }, priority: -102 } }],
  ["yealink-t4x-pidf-two-tuples", "kamailio", { rule: "kamailio-away-note", stanza: { type: "available", show: "away", status: {}, priority: -102 } }],
  ["sipnetic-1.1-pidf-rpid-in-status", "default", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }) }],
  ["rfc3863-2004-extension", "default", { rule: "available", stanza: { type: "available", status: { "": "I'll be in Tokyo next week" }, priority: 127 } }],
  ["rfc4479-2006-data-model", "default", { rule: "appointment", stanza: dnd({ en: "In a meeting until 3" }) }],
  ["rfc4480-2006-rpid", "default", {
    rule: "away",
    stanza: { type: "available", show: "away", status: { "": "Scoring 120" }, priority: 76, idleSince: "2004-10-21T13:20:00-05:00" },
  }],
  ["rfc4235-2005-full", "default", { rule: "on-the-phone", phone: "in-call", stanza: dnd({ "": "On the phone" }) }],
];

describe("golden bodies", () => {
  it.each(cases)("%s under %s", (fixture, table, expected) => {
    const body = parseSipBody(readFileSync(join(fixtures, `${fixture}.xml`)));
    if (!body.ok) throw new Error(`${fixture}: ${body.error.message}`);
    const { presence, rule } = sipToPresence(body.value, profile(table));
    expect({ rule, ...(presence.phone === undefined ? {} : { phone: presence.phone }), stanza: presenceToXmpp(presence) }).toEqual(expected);
  });
});
