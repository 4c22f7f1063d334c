/**
 * One translation per NOTIFY and per stanza: wire → codec → mapping (lift, compose,
 * rules) → codec → wire, on bodies of about 1 KB, and the mapping step alone.
 */
import { loadTable, presenceToPidf, presenceToXmpp, sipToPresence, xmppToPresence } from "../src/mapping/index.js";
import { parseSipBody, serializePidf } from "../src/pidf/index.js";
import { parseXmppPresence, serializeXmppPresence } from "../src/xmpp/index.js";
import { measure, type Figure } from "./harness.js";

// A desk phone behind Kamailio in a call (closed + on-the-phone), its softphone open, a person saying so in two languages.
const PIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
  xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:1001@pbx.example.com">
  <tuple id="desk-7c1f">
    <status><basic>closed</basic></status>
    <rpid:activities><rpid:on-the-phone/></rpid:activities>
    <contact priority="0.8">sip:1001@192.0.2.17:5060;transport=udp</contact>
    <note>On the phone</note>
    <timestamp>2026-11-25T10:42:07Z</timestamp>
  </tuple>
  <tuple id="soft-a9e2">
    <status><basic>open</basic></status>
    <contact priority="0.4">sip:1001@198.51.100.4:5062;transport=tls</contact>
    <timestamp>2026-11-25T10:40:00Z</timestamp>
  </tuple>
  <dm:person id="p-1001">
    <rpid:activities><rpid:on-the-phone/></rpid:activities>
    <rpid:user-input>active</rpid:user-input>
    <dm:note xml:lang="en">Call with the auditors &amp; legal</dm:note>
    <dm:note xml:lang="de">Telefonat mit den Prüfern &amp; der Rechtsabteilung</dm:note>
    <dm:timestamp>2026-11-25T10:42:07Z</dm:timestamp>
  </dm:person>
</presence>`;

// What Gajim sends, with statuses in two languages, caps, idle and a delay stamp.
const STANZA = `<presence xmlns="jabber:component:accept" from="juliet@capulet.lit/gajim.X1Y2Z3" to="1001@sip.example.com" id="a1b2c3d4-e5f6-7a8b-9c0d">
  <show>xa</show>
  <status>Working from home today, back in the office on Monday &amp; reachable by chat</status>
  <status xml:lang="de">Heute im Homeoffice, ab Montag wieder im Büro und per Chat erreichbar</status>
  <status xml:lang="fr">En télétravail aujourd'hui, de retour au bureau lundi</status>
  <priority>50</priority>
  <c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="https://gajim.org" ver="QgayPKawpkPSDYmwT/WM94uAlu0="/>
  <idle xmlns="urn:xmpp:idle:1" since="2026-11-25T10:00:00Z"/>
  <delay xmlns="urn:xmpp:delay" from="capulet.lit" stamp="2026-11-25T10:05:00Z"/>
</presence>`;

export const title = "translate: wire → mapping → wire";

export function run(): readonly Figure[] {
  const loaded = loadTable({ profile: "kamailio" });
  if (!loaded.ok) throw new Error(loaded.error.map((e) => e.message).join("; "));
  const table = loaded.value;
  const body = parseSipBody(PIDF, "application/pidf+xml");
  const stanza = parseXmppPresence(STANZA);
  if (!body.ok || !stanza.ok) throw new Error("sample bodies do not parse");
  const presence = stanza.value.presence;
  const entity = "sip:juliet@capulet.lit";
  const target = { targetOpsPerSec: 20_000 };
  const sipToXmpp = sipToPresence(body.value, table);
  const xmppToSip = xmppToPresence(presence, table);
  if (sipToXmpp.rule !== "on-the-phone" || xmppToSip.rule !== "xmpp-xa") throw new Error(`unexpected rules ${sipToXmpp.rule} ${xmppToSip.rule}`);

  return [
    measure(`sip→xmpp: parse PIDF (${Buffer.byteLength(PIDF)} B) + translate + serialize stanza`, () => {
      const parsed = parseSipBody(PIDF, "application/pidf+xml");
      if (!parsed.ok) throw new Error(parsed.error.message);
      return serializeXmppPresence(presenceToXmpp(sipToPresence(parsed.value, table).presence));
    }, { ...target, note: "kamailio profile; rule on-the-phone after 20 rules tried" }),
    measure(`xmpp→sip: parse stanza (${Buffer.byteLength(STANZA)} B) + translate + serialize PIDF`, () => {
      const parsed = parseXmppPresence(STANZA);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return serializePidf(presenceToPidf(xmppToPresence(parsed.value.presence, table).presence, entity));
    }, target),
    measure("sip→xmpp translate only (lift, compose, rules, project)", () => presenceToXmpp(sipToPresence(body.value, table).presence), target),
    measure("xmpp→sip translate only (lift, compose, rules, project)", () => presenceToPidf(xmppToPresence(presence, table).presence, entity), target),
    measure("load and compile the kamailio table (file I/O, schema, compile)", () => loadTable({ profile: "kamailio" }), { ops: 200, warmup: 20, runs: 5 }),
  ];
}
