import { existsSync } from "node:fs";
import { client, xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBaresip } from "../servers/baresip.js";
import { startEjabberd } from "../servers/ejabberd.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer, type XmppServerOptions } from "../servers/prosody.js";
import { header, pidf } from "../servers/sip-message.js";
import { SipProbe } from "../servers/sip-probe.js";
import { sipsak, sipsakPublish } from "../servers/sipsak.js";
import { connectRawComponent } from "../servers/xmpp-component.js";

const COMPONENT = { domain: "sip.localhost", secret: "s3cret" };
const JULIET = { user: "juliet", password: "balcony" };

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function login(server: XmppServer, user = JULIET) {
  const xmpp = client({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    username: user.user,
    password: user.password,
    resource: "smoke",
  });
  xmpp.on("error", () => undefined);
  await xmpp.start();
  return xmpp;
}

function xmppSmoke(name: string, start: (o: XmppServerOptions) => Promise<XmppServer>): void {
  describe.sequential(`${name} (real server on loopback)`, () => {
    let server: XmppServer;
    beforeAll(async () => {
      server = await start({ components: [COMPONENT], users: [JULIET] });
    });
    afterAll(async () => {
      const { pid, dir } = server ?? {};
      await server?.stop();
      if (pid !== undefined) expect(isGone(pid)).toBe(true);
      if (dir !== undefined) expect(existsSync(dir)).toBe(false);
    });

    it("lets an @xmpp/client 0.14 user log in, and routes presence to and from a XEP-0114 component", async () => {
      const component = await connectRawComponent({ host: server.host, port: server.componentPort, ...COMPONENT });
      const xmpp = await login(server);
      try {
        const fromUser: string[] = [];
        xmpp.on("stanza", (s) => fromUser.push(s.toString()));
        await xmpp.send(xml("presence"));
        await xmpp.send(xml("presence", { to: "alice@sip.localhost", type: "subscribe" }));
        await component.waitFor(/<presence[^>]*type=["']subscribe["'][^>]*>|<presence[^>]*to=["']alice@sip\.localhost["'][^>]*type=["']subscribe["']/);
        component.send(`<presence from='alice@sip.localhost' to='juliet@${server.domain}' type='subscribed'/>`);
        component.send(`<presence from='alice@sip.localhost' to='juliet@${server.domain}'><show>dnd</show></presence>`);
        await expect.poll(() => fromUser.some((s) => s.includes("alice@sip.localhost") && s.includes("<show>dnd</show>"))).toBe(true);
      } finally {
        await xmpp.stop();
        await component.close();
      }
    });

    it("refuses a component with the wrong secret", async () => {
      await expect(connectRawComponent({ host: server.host, port: server.componentPort, domain: COMPONENT.domain, secret: "wrong" }))
        .rejects.toThrow(/not-authorized|refused|closed/);
    });

    it("keeps its users across restart()", async () => {
      const before = server.pid;
      await server.restart();
      expect(server.pid).not.toBe(before);
      const xmpp = await login(server);
      await xmpp.stop();
    });
  });
}

xmppSmoke("Prosody", startProsody);
xmppSmoke("ejabberd", startEjabberd);

const PUBLISH_HEADERS: [string, string][] = [["Event", "presence"], ["Expires", "300"], ["Content-Type", "application/pidf+xml"]];

describe.sequential("Kamailio presence server (no auth)", () => {
  let kamailio: Kamailio;
  beforeAll(async () => {
    kamailio = await startKamailio();
  });
  afterAll(async () => {
    const { pid, dir } = kamailio ?? {};
    await kamailio?.stop();
    if (pid !== undefined) expect(isGone(pid)).toBe(true);
    if (dir !== undefined) expect(existsSync(dir)).toBe(false);
  });

  for (const transport of ["udp", "tcp"] as const) {
    it(`answers OPTIONS, takes a sipsak PUBLISH and NOTIFYs the PIDF to a subscriber (${transport})`, async () => {
      const target = { host: kamailio.host, port: kamailio.port, transport };
      expect((await sipsak({ ...target, method: "OPTIONS", uri: "sip:1001@example.com" })).code).toBe(200);
      const note = `Working from home (${transport})`;
      const published = await sipsakPublish(target, "sip:1001@example.com", pidf("sip:1001@example.com", "open", note));
      expect(published.code, published.output).toBe(200);

      const watcher = await SipProbe.open({ ...target, user: "alice", domain: "example.com" });
      try {
        const sub = await watcher.subscribe("sip:1001@example.com");
        expect(sub.response.status).toBe(200);
        const notify = await watcher.waitForNotify(sub.callId, (body) => body.includes(note));
        expect(header(notify, "content-type")).toBe("application/pidf+xml");
        expect(header(notify, "subscription-state")).toMatch(/^active/);
        expect(notify.body).toContain("<basic>open</basic>");
      } finally {
        await watcher.close();
      }
    });
  }

  it("accepts SUBSCRIBE for Event: dialog (presence_dialoginfo), not 489", async () => {
    const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "alice", domain: "example.com" });
    try {
      const sub = await watcher.subscribe("sip:1001@example.com", "dialog");
      expect(sub.response.status).toBe(200);
      await watcher.waitForNotify(sub.callId);
    } finally {
      await watcher.close();
    }
  });
});

describe.sequential("Kamailio with digest auth", () => {
  const realm = "example.com";
  const alice = { user: "alice", password: "wonderland" };
  const bob = { user: "bob", password: "builder" };
  const carol = { user: "carol", password: "singer" };
  let kamailio: Kamailio;
  beforeAll(async () => {
    kamailio = await startKamailio({ auth: { realm, users: [alice, bob, carol] } });
  });
  afterAll(async () => {
    await kamailio?.stop();
  });

  it("challenges PUBLISH with 407 and accepts it with credentials (sipsak)", async () => {
    const target = { host: kamailio.host, port: kamailio.port };
    const body = pidf("sip:alice@example.com", "open", "authenticated");
    expect((await sipsakPublish(target, "sip:alice@example.com", body)).codes).toEqual([407]);
    expect((await sipsakPublish(target, "sip:alice@example.com", body, { auth: { user: "alice", password: "nope" } })).code).toBe(407);
    expect((await sipsakPublish(target, "sip:alice@example.com", body, { auth: alice })).codes).toEqual([407, 200]);
  });

  it("challenges SUBSCRIBE (407) and REGISTER (401), then accepts both with credentials", async () => {
    const anonymous = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "bob", domain: realm });
    const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, transport: "tcp", user: "bob", domain: realm, credentials: bob });
    try {
      expect((await anonymous.subscribe("sip:alice@example.com")).response.status).toBe(407);
      const sub = await watcher.subscribe("sip:alice@example.com");
      expect(sub.responses.map((r) => r.status)).toEqual([407, 200]);
      await watcher.waitForNotify(sub.callId, (b) => b.includes("authenticated"));
      const reg = await watcher.request("REGISTER", `sip:${realm}`, { to: watcher.aor, headers: [["Expires", "60"]] });
      expect(reg.responses.map((r) => r.status)).toEqual([401, 200]);
    } finally {
      await anonymous.close();
      await watcher.close();
    }
  });

  it("takes baresip's PUBLISH (its presence_online / presence_offline) and shows baresip what others publish", async () => {
    const phone = await startBaresip({
      server: kamailio,
      account: { user: "carol", password: carol.password, domain: realm },
      watch: ["sip:bob@example.com"],
    });
    const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "bob", domain: realm, credentials: bob });
    try {
      const sub = await watcher.subscribe("sip:carol@example.com");
      await watcher.waitForNotify(sub.callId, (b) => b.includes("<basic>open</basic>"));
      await phone.setPresence("offline");
      await watcher.waitForNotify(sub.callId, (b) => b.includes("<basic>closed</basic>"));

      const published = await watcher.request("PUBLISH", "sip:bob@example.com", { headers: PUBLISH_HEADERS, body: pidf("sip:bob@example.com", "open") });
      expect(published.response.status).toBe(200);
      await phone.waitForWatched("sip:bob@example.com", "Online");
    } finally {
      await watcher.close();
      await phone.stop();
    }
  });
});
