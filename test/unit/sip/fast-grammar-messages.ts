/**
 * SIP messages in the shapes the servers and clients we meet put on the wire
 * (header order, parameter spelling, display names, branch and tag formats of
 * Kamailio 5.x presence, Asterisk 20 PJSIP, FreeSWITCH 1.10, baresip 3.x and
 * sipsak 0.9), for the fast-path equivalence tests and the parse benchmark.
 * Written from those programs' usual output, not captured from a live run.
 */

const pidf = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:1001@pbx.example.com"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`;

const message = (lines: readonly string[], body = ""): string =>
  [...lines, `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");

/** Kamailio presence module NOTIFY to a watcher over UDP, with its Record-Route-less in-dialog form. */
export const KAMAILIO_NOTIFY = message([
  "NOTIFY sip:gw@192.0.2.10:5070;transport=udp SIP/2.0",
  "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKdcb1.a6a0f0c6000000000000000000000000.0",
  "To: <sip:gw@bridge.example.com>;tag=b1d2e3f4a5",
  "From: <sip:1001@pbx.example.com>;tag=a6a1c5f60faecf035a1ae5b6e96e979a-4c5f",
  "CSeq: 3 NOTIFY",
  "Call-ID: 5f1d7c3e-0b8a-4c1e-9d2f-3a4b5c6d7e8f",
  "Content-Type: application/pidf+xml",
  "Max-Forwards: 70",
  "Event: presence",
  "Contact: <sip:192.0.2.20:5060;transport=udp>",
  "Subscription-State: active;expires=3597",
  "User-Agent: kamailio (5.7.4 (x86_64/linux))",
], pidf);

/** Asterisk 20 (res_pjsip_pubsub) NOTIFY over TCP. */
export const ASTERISK_NOTIFY = message([
  "NOTIFY sip:gw@192.0.2.10:5070;transport=tcp SIP/2.0",
  "Via: SIP/2.0/TCP 192.0.2.30:5060;rport;branch=z9hG4bKPj5b3c1f06-8f7a-4a1d-b2e3-0c9d8e7f6a5b;alias",
  "From: <sip:1002@pbx.example.com>;tag=7a3b0e2c-1d4f-4e5a-9b8c-6d5e4f3a2b1c",
  "To: \"presence bridge\" <sip:gw@bridge.example.com>;tag=lrj5jc0q3b",
  "Contact: <sip:192.0.2.30:5060;transport=TCP>",
  "Call-ID: q7s4j1b0qso1mmd3pq4i",
  "CSeq: 15417 NOTIFY",
  "Subscription-State: active;expires=3599",
  "Event: dialog",
  "Allow-Events: presence, dialog, message-summary, refer",
  "Max-Forwards: 70",
  "User-Agent: Asterisk PBX 20.5.0",
  "Content-Type: application/dialog-info+xml",
], "<dialog-info/>");

/** FreeSWITCH 1.10 (sofia) NOTIFY with a display name, Record-Route kept from the SUBSCRIBE. */
export const FREESWITCH_NOTIFY = message([
  "NOTIFY sip:gw@192.0.2.10:5070 SIP/2.0",
  "Via: SIP/2.0/UDP 192.0.2.40;rport;branch=z9hG4bK6Ftp0aHm3QNUS",
  "Route: <sip:192.0.2.50;lr;ftag=lrj5jc0q3b>",
  "Max-Forwards: 70",
  "From: \"Extension 1003\" <sip:1003@pbx.example.com>;tag=cH2mX9S5ga4Fc",
  "To: <sip:gw@bridge.example.com>;tag=lrj5jc0q3b",
  "Call-ID: 0f9d3c1a-7b2e-4d5f-a6c8-1e2d3c4b5a69",
  "CSeq: 86413157 NOTIFY",
  "Contact: <sip:mod_sofia@192.0.2.40:5060>",
  "User-Agent: FreeSWITCH-mod_sofia/1.10.11-release~64bit",
  "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY, PUBLISH, SUBSCRIBE",
  "Supported: timer, path, replaces",
  "Event: presence",
  "Allow-Events: talk, hold, conference, presence, as-feature-event, dialog, line-seize, call-info, sla, include-session-description, presence.winfo, message-summary, refer",
  "Subscription-State: active;expires=1800",
  "Content-Type: application/pidf+xml",
], pidf);

/** baresip 3.x SUBSCRIBE for presence, with its instance and reg-id Contact parameters. */
export const BARESIP_SUBSCRIBE = message([
  "SUBSCRIBE sip:gw@bridge.example.com SIP/2.0",
  "Via: SIP/2.0/UDP 192.0.2.60:42117;branch=z9hG4bK2b1e5c0d9a8f7e6d;rport",
  "Contact: <sip:alice-0x55d0c8a1b2c0@192.0.2.60:42117>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1",
  "Max-Forwards: 70",
  "To: <sip:gw@bridge.example.com>",
  "From: \"Alice\" <sip:alice@example.com>;tag=5b4e8d3c2a1f0e9d",
  "Call-ID: 8c7b6a5d4e3f2a1b",
  "CSeq: 40719 SUBSCRIBE",
  "User-Agent: baresip v3.10.1 (x86_64/linux)",
  "Event: presence",
  "Accept: application/pidf+xml",
  "Expires: 600",
]);

/** sipsak 0.9 OPTIONS ping (its compact-looking Via and a URI without user). */
export const SIPSAK_OPTIONS = message([
  "OPTIONS sip:192.0.2.10:5070 SIP/2.0",
  "Via: SIP/2.0/UDP 127.0.1.1:39645;branch=z9hG4bK.2c9a0b77;rport;alias",
  "From: sip:sipsak@127.0.1.1:39645;tag=62a51b04",
  "To: sip:192.0.2.10:5070",
  "Call-ID: 1655024388@127.0.1.1",
  "CSeq: 1 OPTIONS",
  "Contact: sip:sipsak@127.0.1.1:39645",
  "Max-Forwards: 70",
  "User-Agent: sipsak 0.9.8.1",
  "Accept: text/plain",
]);

/** A 200 OK to a SUBSCRIBE through a Kamailio proxy: Record-Route list, two Vias, received/rport filled. */
export const OK_200 = message([
  "SIP/2.0 200 OK",
  "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK9dc1e3;rport=5070;received=192.0.2.10",
  "Via: SIP/2.0/UDP 192.0.2.11;branch=z9hG4bK1a2b3c",
  "Record-Route: <sip:192.0.2.20;lr=on;ftag=lrj5jc0q3b>, <sip:proxy.example.com;transport=tcp;lr>",
  "From: \"Juliet\" <sip:juliet@capulet.lit>;tag=lrj5jc0q3b",
  "To: <sip:1001@pbx.example.com>;tag=a6a1c5f60faecf035a1ae5b6e96e979a-b2c4",
  "Call-ID: q7s4j1b0qso1mmd3pq4i",
  "CSeq: 1 SUBSCRIBE",
  "Expires: 3600",
  "Contact: <sip:192.0.2.20:5060;transport=udp>;expires=3600, <sip:1001@192.0.2.21>;q=0.5",
  "Server: kamailio (5.7.4 (x86_64/linux))",
]);

/** Every message above by the program it imitates. */
export const REAL_MESSAGES: Readonly<Record<string, string>> = {
  "Kamailio NOTIFY": KAMAILIO_NOTIFY,
  "Asterisk NOTIFY": ASTERISK_NOTIFY,
  "FreeSWITCH NOTIFY": FREESWITCH_NOTIFY,
  "baresip SUBSCRIBE": BARESIP_SUBSCRIBE,
  "sipsak OPTIONS": SIPSAK_OPTIONS,
  "200 OK to SUBSCRIBE": OK_200,
};
