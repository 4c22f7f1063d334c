/**
 * The presence server against real Prosody 0.12 and real ejabberd 23.01, with real
 * chat users (@xmpp/client 0.14): subscription with the approval policy, presence,
 * probes on re-login, unsubscription, the users' presence heard by the gateway, and
 * the services (disco, gateway prompt, vCard, ping, version) with their errors.
 */
import { xml } from "@xmpp/client";
import { parse } from "ltx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { ChatPresence } from "../../src/gateway/ports.js";
import { makePresence } from "../../src/presence/index.js";
import { CAPS_NODE, CONTACT_CAPS } from "../../src/xmpp/services/index.js";
import { startEjabberd } from "../servers/ejabberd.js";
import { startProsody, type XmppServer, type XmppServerOptions } from "../servers/prosody.js";
import { bridge, COMPONENT, configFor, JULIET, login, NURSE, presenceFrom, recordingLogger, ROMEO, scratchDir, typed, writeConfig } from "./presence-server-helpers.js";

const CONTACT = `1001@${COMPONENT.domain}`;
const onThePhone = makePresence({ availability: "available", show: "dnd", notes: { "": "On the phone" }, origin: { side: "sip" } });
const away = makePresence({ availability: "available", show: "away", notes: { "": "Back soon" }, origin: { side: "sip" } });


function presenceServerSuite(name: string, start: (options: XmppServerOptions) => Promise<XmppServer>): void {
  describe.sequential(`presence server on ${name}`, () => {
    let server: XmppServer;
    let app: App;
    let scratch: ReturnType<typeof scratchDir>;
    const logger = recordingLogger();
    const heard: ChatPresence[] = [];
    const inbound: string[] = [];
    const errorsSent: { from: string; to: string; condition: string; type: string | undefined }[] = [];

    beforeAll(async () => {
      server = await start({ components: [COMPONENT], users: [JULIET, NURSE, ROMEO] });
      scratch = scratchDir("int");
      const limits = { maxStanzaBytes: 8192 };
      const config = writeConfig(scratch.dir, server, { subscriptions: { rateLimit: { burst: 3, perMinute: 1 } } }, limits);
      app = bridge(configFor(config), logger);
      app.presenceServer.setChatPresenceListener({ chatPresence: (update) => heard.push(update) });
      app.link.onPresence((p) => inbound.push(`${p.type} ${p.from} → ${p.to}`));
      const sendError = app.link.sendPresenceError.bind(app.link);
      app.link.sendPresenceError = (original, condition, text, type) => {
        errorsSent.push({ from: original.to, to: original.from, condition, type });
        sendError(original, condition, text, type);
      };
      expect(await app.start()).toEqual({ ok: true, value: undefined });
    });
    afterAll(async () => {
      await app?.stop();
      await server?.stop();
      scratch?.remove();
    });

    it("a chat user adds a bridged contact, is approved by the policy, and sees its presence with caps", async () => {
      expect(app.presenceServer.setContactPresence(CONTACT, onThePhone)).toEqual({ ok: true, value: { changed: true, watchers: 0 } });
      const juliet = await login(server, JULIET);
      try {
        await juliet.send(xml("presence"));
        await juliet.send(xml("presence", { to: CONTACT, type: "subscribe" }));
        await juliet.waitFor(typed("subscribed", CONTACT));
        const seen = await juliet.waitFor(presenceFrom(CONTACT, "dnd", "On the phone"));
        expect(parse(seen).getChild("c", "http://jabber.org/protocol/caps")?.attrs).toEqual({
          xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: CAPS_NODE, ver: CONTACT_CAPS.ver,
        });
        expect(app.presenceServer.registry.stateOf(CONTACT, juliet.jid)).toBe("from");
        const roster = await juliet.iq("get", juliet.jid, xml("query", { xmlns: "jabber:iq:roster" }));
        expect(roster.getChildren("item").map((item) => [item.attrs.jid, item.attrs.subscription])).toEqual([[CONTACT, "to"]]);

        // A change reaches the watcher; the same presence again sends nothing.
        const before = juliet.received.length;
        expect(app.presenceServer.setContactPresence(CONTACT, away)).toEqual({ ok: true, value: { changed: true, watchers: 1 } });
        await juliet.waitFor(presenceFrom(CONTACT, "away", "Back soon"), before);
        expect(app.presenceServer.setContactPresence(CONTACT, away)).toEqual({ ok: true, value: { changed: false, watchers: 0 } });
      } finally {
        await juliet.stop();
      }
    });

    it("gets the presence again by probe when the user logs in again", async () => {
      const probesBefore = inbound.filter((line) => line.startsWith(`probe ${JULIET.user}@`)).length;
      const juliet = await login(server, JULIET, "again");
      try {
        await juliet.send(xml("presence"));
        await juliet.waitFor(presenceFrom(CONTACT, "away", "Back soon"));
        expect(inbound.filter((line) => line.startsWith(`probe ${JULIET.user}@`)).length).toBeGreaterThan(probesBefore);
      } finally {
        await juliet.stop();
      }
    });

    it("unsubscribes: the contact says unavailable and the relation is gone", async () => {
      const juliet = await login(server, JULIET, "leaving");
      try {
        await juliet.send(xml("presence"));
        await juliet.waitFor(presenceFrom(CONTACT, "away"));
        const before = juliet.received.length;
        await juliet.send(xml("presence", { to: CONTACT, type: "unsubscribe" }));
        await juliet.waitFor(typed("unavailable", CONTACT), before);
        await expect.poll(() => app.presenceServer.registry.stateOf(CONTACT, juliet.jid)).toBe("none");
      } finally {
        await juliet.stop();
      }
    });

    it("asks a user for their presence with the contact's nick, and hears it once approved", async () => {
      const nurse = await login(server, NURSE);
      try {
        await nurse.send(xml("presence", {}, xml("show", {}, "chat")));
        const contact = `1002@${COMPONENT.domain}`;
        expect(app.presenceServer.requestSubscription(contact, nurse.jid).ok).toBe(true);
        const request = await nurse.waitFor(typed("subscribe", contact));
        expect(request).toContain('<nick xmlns="http://jabber.org/protocol/nick">1002</nick>');
        await nurse.send(xml("presence", { to: contact, type: "subscribed" }));
        await expect.poll(() => heard.find((h) => h.user === nurse.jid && h.contact === contact)).toMatchObject({
          user: nurse.jid, resource: "test", contact, presence: { availability: "available", show: "chat" },
        });
      } finally {
        await nurse.stop();
      }
      await expect.poll(() => heard.filter((h) => h.user === nurse.jid).at(-1)?.presence.availability).toBe("unavailable");
    });

    it("answers disco: gateway/simple for the domain, client/phone for a contact", async () => {
      const juliet = await login(server, JULIET, "disco");
      try {
        const domain = await juliet.iq("get", COMPONENT.domain, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }));
        expect(domain.getChildren("identity").map((i) => i.attrs)).toEqual([{ category: "gateway", type: "simple", name: "SIP presence gateway" }]);
        expect(domain.getChildren("feature").map((f) => f.attrs.var)).toEqual([
          "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
          "jabber:iq:gateway", "jabber:iq:version", "urn:xmpp:ping", "vcard-temp",
        ]);
        const contact = await juliet.iq("get", CONTACT, xml("query", { xmlns: "http://jabber.org/protocol/disco#info", node: `${CAPS_NODE}#${CONTACT_CAPS.ver}` }));
        expect(contact.getChildren("identity").map((i) => i.attrs)).toEqual([{ category: "client", type: "phone" }]);
        const items = await juliet.iq("get", COMPONENT.domain, xml("query", { xmlns: "http://jabber.org/protocol/disco#items" }));
        expect([items.attrs.xmlns, items.children.length]).toEqual(["http://jabber.org/protocol/disco#items", 0]);
      } finally {
        await juliet.stop();
      }
    });

    it("answers the XEP-0100 prompt with the contact's JID, escaped where needed", async () => {
      const juliet = await login(server, JULIET, "prompt");
      try {
        const prompt = await juliet.iq("get", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:gateway" }));
        expect(prompt.getChildText("prompt")).toBe("Extension or SIP address");
        for (const [input, jid] of [["1001", CONTACT], [`sip:1003@${COMPONENT.domain}`, `1003@${COMPONENT.domain}`]] as const) {
          const answer = await juliet.iq("set", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:gateway" }, xml("prompt", {}, input)));
          expect(answer.getChildText("jid")).toBe(jid);
        }
        await expect(juliet.iq("set", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:gateway" }, xml("prompt", {}, "tel:+4930123")))).rejects.toMatchObject({
          condition: "jid-malformed",
        });
        await expect(juliet.iq("set", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:gateway" }))).rejects.toMatchObject({ condition: "bad-request" });
      } finally {
        await juliet.stop();
      }
    });

    it("answers vCard, ping and version, and the RFC 6120 errors for the rest", async () => {
      const juliet = await login(server, JULIET, "services");
      try {
        const card = await juliet.iq("get", CONTACT, xml("vCard", { xmlns: "vcard-temp" }));
        expect([card.attrs.xmlns, card.getChildText("FN")]).toEqual(["vcard-temp", "1001"]);
        await expect(juliet.iq("get", CONTACT, xml("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
        await expect(juliet.iq("get", COMPONENT.domain, xml("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
        const version = await juliet.iq("get", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:version" }));
        expect([version.getChildText("name"), version.getChildText("version"), version.getChild("os")]).toEqual(["presence-bridge", "0.1.0", undefined]);
        await expect(juliet.iq("get", `alice@${COMPONENT.domain}`, xml("vCard", { xmlns: "vcard-temp" }))).rejects.toMatchObject({ condition: "item-not-found" });
        await expect(juliet.iq("get", COMPONENT.domain, xml("query", { xmlns: "jabber:iq:last" }))).rejects.toMatchObject({ condition: "service-unavailable" });
      } finally {
        await juliet.stop();
      }
    });

    it("pings the server itself (XEP-0199 keepalive)", async () => {
      const ping = xml("iq", { type: "get", to: server.domain }, xml("ping", { xmlns: "urn:xmpp:ping" }));
      const answer = await app.link.request(ping as never, 5000);
      expect(answer.ok && String(answer.value.attrs.type)).toMatch(/^(result|error)$/);
    });

    it("refuses a message with service-unavailable and keeps serving", async () => {
      const juliet = await login(server, JULIET, "message");
      try {
        await juliet.send(xml("message", { to: CONTACT, type: "chat", id: "m1" }, xml("body", {}, "hello")));
        await juliet.waitFor(/^<message(?=[^>]*type="error")[^>]*>.*<service-unavailable/);
        await expect(juliet.iq("get", CONTACT, xml("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
      } finally {
        await juliet.stop();
      }
    });

    it("answers bad input as RFC 6120 asks, logs the sender, and keeps serving others", async () => {
      const romeo = await login(server, ROMEO);
      const juliet = await login(server, JULIET, "bystander");
      try {
        // Over the stanza size cap (8 KiB here): policy-violation.
        await romeo.send(xml("presence", { to: CONTACT, id: "big" }, xml("status", {}, "x".repeat(20_000))));
        const big = await romeo.waitFor((s) => s.name === "presence" && s.attrs.type === "error" && s.attrs.id === "big");
        expect(parse(big).getChild("error")?.getChild("policy-violation")).toBeDefined();
        expect(logger.records.find((r) => r.event === "stanza.too-large")?.fields).toMatchObject({ from: `${romeo.jid}/test`, to: CONTACT });

        // Over the per-watcher subscription-request rate (burst 3): one policy-violation of type wait, then silence.
        for (const n of [1, 2, 3, 4, 5]) await romeo.send(xml("presence", { to: `200${n}@${COMPONENT.domain}`, type: "subscribe" }));
        // The roster push that says the third request was approved (both servers send it).
        await romeo.waitFor((s) => s.getChild("query", "jabber:iq:roster")?.getChild("item")?.attrs.subscription === "to" &&
          s.getChild("query", "jabber:iq:roster")?.getChild("item")?.attrs.jid === `2003@${COMPONENT.domain}`);
        // The error goes to the bare JID the server stamped on the request; whether the server shows
        // it to a client is its choice (Prosody drops presence errors to a bare JID), so it is checked
        // where the bridge sends it.
        await expect.poll(() => errorsSent.filter((e) => e.to === romeo.jid)).toEqual([
          { from: `2004@${COMPONENT.domain}`, to: romeo.jid, condition: "policy-violation", type: "wait" },
        ]);
        expect(["2001", "2002", "2003", "2004", "2005"].map((n) => app.presenceServer.registry.stateOf(`${n}@${COMPONENT.domain}`, romeo.jid))).toEqual([
          "from", "from", "from", "none", "none",
        ]);

        // Someone else is served as before.
        await expect(juliet.iq("get", CONTACT, xml("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
      } finally {
        await romeo.stop();
        await juliet.stop();
      }
    });

    it("fails at once, naming not-authorized, when the secret is wrong", async () => {
      const wrong = bridge(configFor(writeConfig(scratch.dir, server, { store: { path: ":memory:" } }), "wrong-secret"), recordingLogger());
      try {
        const result = await wrong.start();
        expect(result).toMatchObject({ ok: false, error: { code: "not-authorized", message: expect.stringContaining("not-authorized") } });
        expect(wrong.link.status()).toMatchObject({ state: "failed", attempt: 1 });
      } finally {
        await wrong.stop();
      }
      expect(app.link.status().state).toBe("online");
    });
  });
}

presenceServerSuite("Prosody 0.12", startProsody);
presenceServerSuite("ejabberd 23.01", startEjabberd);
