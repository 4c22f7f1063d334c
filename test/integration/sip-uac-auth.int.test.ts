/**
 * Digest authentication of the UAC side against Kamailio's auth module (auth_db, flag 1: the
 * authenticated user must be the From user): MD5 and SHA-256 (RFC 8760), over UDP and TCP,
 * the preemptive reuse of a challenge, per-user identities, and a wrong password.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DigestClient } from "../../src/sip/digest-client.js";
import { startKamailio, type Kamailio } from "../servers/kamailio.js";
import { pidf } from "../servers/sip-message.js";
import { SipProbe } from "../servers/sip-probe.js";
import { sipsakPublish } from "../servers/sipsak.js";
import { notified, startUac, until, type LogLine } from "./sip-uac-helpers.js";

const REALM = "example.com";
const GW = { user: "gw", password: "gateway-secret" };
const ALICE = { user: "alice", password: "wonderland" };
const BOB = { user: "bob", password: "builder" };
const PIDF = "application/pidf+xml";

function digestFor(lines: LogLine[], credentials: { user: string; password: string }[]): DigestClient {
  const at = (level: string) => (event: string, fields?: Readonly<Record<string, unknown>>) => void lines.push({ level, event, fields });
  return new DigestClient(credentials.map((c) => ({ realm: REALM, username: c.user, password: c.password })), {
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  });
}

describe.each(["MD5", "SHA-256"] as const)("Kamailio challenging with %s", (algorithm) => {
  let kamailio: Kamailio;
  beforeAll(async () => {
    kamailio = await startKamailio({ auth: { realm: REALM, users: [GW, ALICE, BOB], algorithm } });
  });
  afterAll(async () => {
    await kamailio?.stop();
  });

  it.each(["udp", "tcp"] as const)("subscriber over %s: answers the 407, then sends credentials preemptively", async (transport) => {
    const lines: LogLine[] = [];
    const digest = digestFor(lines, [GW, ALICE]);
    const uac = await startUac(kamailio, { transport, identity: `sip:gw@${REALM}`, authenticator: digest });
    try {
      const first = `sip:1001-${transport}@${REALM}`;
      const second = `sip:1002-${transport}@${REALM}`;
      uac.subscriber.subscribe({ presentity: first, event: "presence", watcher: "juliet@capulet.lit" });
      await until(() => uac.statuses.some((s) => s.presentity === first && s.status.state === "active"), "the first subscription");
      expect(lines.find((l) => l.event === "sip.digest.answered")?.fields).toMatchObject({ realm: REALM, algorithm, status: 407 });
      uac.subscriber.subscribe({ presentity: second, event: "presence", watcher: "juliet@capulet.lit" });
      await until(() => uac.statuses.some((s) => s.presentity === second && s.status.state === "active"), "the second subscription");
      // One challenge in all: the second SUBSCRIBE carried credentials from the first challenge.
      expect(digest.counters).toEqual({ preemptive: 1, challenged: 1, gaveUp: 0 });

      const alice = `sip:alice@${REALM}`;
      const body = pidf(alice, "open", `authenticated ${transport}`);
      if (algorithm === "MD5") {
        // An independent client (sipsak knows MD5 only).
        const published = await sipsakPublish({ host: kamailio.host, port: kamailio.port, transport }, alice, body, { auth: ALICE });
        expect(published.code, published.output).toBe(200);
      } else {
        uac.publisher.publish(alice, { contentType: PIDF, content: body });
        await until(() => uac.publisher.stateOf(alice)?.state === "published", "alice published with SHA-256 credentials");
      }
      uac.subscriber.subscribe({ presentity: `sip:alice@${REALM}`, event: "presence", watcher: "juliet@capulet.lit" });
      await until(() => notified(uac, `sip:alice@${REALM}`, `authenticated ${transport}`), "alice's state through an authenticated subscription");
    } finally {
      await uac.stop();
    }
  });

  it("publisher with one identity per bridged user: alice's PUBLISH is answered with alice's credentials", async () => {
    const lines: LogLine[] = [];
    const uac = await startUac(kamailio, { transport: "tcp", identity: `sip:gw@${REALM}`, authenticator: digestFor(lines, [GW, ALICE]) });
    const alice = `sip:alice@${REALM}`;
    const note = `published by the bridge (${algorithm})`;
    try {
      uac.publisher.publish(alice, { contentType: PIDF, content: pidf(alice, "open", note) });
      await until(() => uac.publisher.stateOf(alice)?.state === "published", "published");
      expect(lines.filter((l) => l.event === "sip.digest.answered").map((l) => l.fields?.from)).toEqual([alice]);
      if (algorithm === "MD5") {
        // An independent watcher (the probe's digest is MD5 only).
        const watcher = await SipProbe.open({ host: kamailio.host, port: kamailio.port, user: "bob", domain: REALM, credentials: BOB });
        try {
          const sub = await watcher.subscribe(alice);
          expect(sub.response.status).toBe(200);
          await watcher.waitForNotify(sub.callId, (b) => b.includes(note));
        } finally {
          await watcher.close();
        }
      } else {
        const bob = await startUac(kamailio, { transport: "udp", identity: `sip:bob@${REALM}`, authenticator: digestFor([], [BOB]) });
        try {
          bob.subscriber.subscribe({ presentity: alice, event: "presence", watcher: "w" });
          await until(() => notified(bob, alice, note), "bob's NOTIFY");
        } finally {
          await bob.stop();
        }
      }
    } finally {
      await uac.stop();
    }
  });

  it("a wrong password: rejected twice, then the subscription ends as unauthorized (no auth loop)", async () => {
    const lines: LogLine[] = [];
    const uac = await startUac(kamailio, { transport: "udp", identity: `sip:gw@${REALM}`, authenticator: digestFor(lines, [{ user: "gw", password: "wrong" }]) });
    try {
      uac.subscriber.subscribe({ presentity: `sip:1003@${REALM}`, event: "presence", watcher: "juliet@capulet.lit" });
      await until(() => uac.statuses.some((s) => s.status.state === "terminated"), "the end");
      expect(uac.statuses.at(-1)?.status).toEqual({ state: "terminated", reason: "unauthorized", statusCode: 407 });
      expect(lines.filter((l) => l.event === "sip.digest.rejected")).toHaveLength(1);
      expect(lines.filter((l) => l.event === "sip.digest.answered")).toHaveLength(1);
    } finally {
      await uac.stop();
    }
  });
});
