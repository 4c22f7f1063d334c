/**
 * The gateway's SIP side against a Kamailio that challenges every SUBSCRIBE and PUBLISH
 * (auth_db; the authenticated user must be the From user): the digest credentials come
 * from the config, the password from PRESENCE_BRIDGE_SIP_AUTH_PASSWORD.
 */
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { loadConfig } from "../../src/config/index.js";
import { freePort } from "../servers/free-port.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { sipsakPublish } from "../servers/sipsak.js";
import { onThePhonePidf, writeGatewayConfig } from "./gateway-helpers.js";
import { bridge, COMPONENT, JULIET, login, presenceFrom, recordingLogger, scratchDir, typed } from "./presence-server-helpers.js";

const REALM = COMPONENT.domain;
const GW = { user: "presence-bridge", password: "gateway-secret" };
const PHONE = { user: "1007", password: "desk-phone" };

describe("gateway: digest authentication against Kamailio", () => {
  let server: XmppServer;
  let kamailio: Kamailio;
  let app: App;
  let scratch: ReturnType<typeof scratchDir>;

  beforeAll(async () => {
    server = await startProsody({ components: [COMPONENT], users: [JULIET] });
    kamailio = await startKamailio({ auth: { realm: REALM, users: [GW, PHONE] } });
    scratch = scratchDir("gw-auth");
    const file = writeGatewayConfig(scratch.dir, server, kamailio, await freePort({ udp: true }), { auth: { username: GW.user, password: "not-this-one" } });
    const config = loadConfig({ file, env: { PRESENCE_BRIDGE_XMPP_SECRET: COMPONENT.secret, PRESENCE_BRIDGE_SIP_AUTH_PASSWORD: GW.password } });
    if (!config.ok) throw new Error(config.error.map((e) => e.message).join("; "));
    app = bridge(config.value, recordingLogger());
    expect(await app.start()).toEqual({ ok: true, value: undefined });
  });
  afterAll(async () => {
    await app?.stop();
    await kamailio?.stop();
    await server?.stop();
    scratch?.remove();
  });

  it("the shared SUBSCRIBE answers the challenge with the password from the environment", async () => {
    const phone = `sip:${PHONE.user}@${REALM}`;
    const contact = `${PHONE.user}@${REALM}`;
    expect((await sipsakPublish({ host: kamailio.host, port: kamailio.port, transport: "udp" }, phone, onThePhonePidf(phone), { auth: PHONE })).code).toBe(200);
    const juliet = await login(server, JULIET);
    try {
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: contact, type: "subscribe" }));
      await juliet.waitFor(typed("subscribed", contact));
      await juliet.waitFor(presenceFrom(contact, "dnd", "On the phone"));
    } finally {
      await juliet.stop();
    }
  });
});
