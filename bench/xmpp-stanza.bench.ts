/**
 * The `<presence/>` codec on its hot path: every stanza a bridged user or watcher
 * sends passes through parseXmppPresence, every presence the bridge sends through
 * the serializer.
 */
import { parse as ltxParse } from "ltx";
import { parseXmppPresence, serializeXmppPresence, xmppPresenceToElement } from "../src/xmpp/index.js";
import { measure, type Figure } from "./harness.js";

// What Gajim sends: show, status, priority, caps; plus idle, as Gajim and slidge send it.
const STANZA = `<presence xmlns="jabber:component:accept" from="juliet@capulet.lit/gajim.X1Y2Z3" to="1001@sip.example.com" id="a1b2c3d4" xml:lang="en">
  <show>away</show>
  <status>Out to lunch &amp; back at 2</status>
  <priority>50</priority>
  <c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="https://gajim.org" ver="QgayPKawpkPSDYmwT/WM94uAlu0="/>
  <idle xmlns="urn:xmpp:idle:1" since="2026-11-25T10:00:00Z"/>
</presence>`;

export const title = "XMPP <presence/> codec";

export function run(): readonly Figure[] {
  const parsed = parseXmppPresence(STANZA);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const presence = parsed.value.presence;
  const element = ltxParse(STANZA);
  const bytes = Buffer.byteLength(STANZA);
  return [
    measure(`parse stanza text (${bytes} B)`, () => parseXmppPresence(STANZA)),
    measure("parse ltx Element (@xmpp/component path)", () => parseXmppPresence(element)),
    measure("serialize to text", () => serializeXmppPresence(presence)),
    measure("build ltx Element", () => xmppPresenceToElement(presence)),
  ];
}
