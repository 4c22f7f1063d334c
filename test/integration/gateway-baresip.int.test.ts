/**
 * The gateway end to end with a real SIP phone: real Prosody, real Kamailio (presence server;
 * relays sip:*@chat.localhost to the bridge, record-routed), `presence-bridge start` in its
 * own process with the live demo's config (lab/demo-stack.ts: the asterisk table, notify
 * mode), chat users on @xmpp/client, and baresip 1.0 (Debian baresip-core) as the phone.
 *
 * What baresip 1.0 can say and read (modules/presence): it PUBLISHes only `<basic>open</basic>`
 * (presence_online) or `<basic>closed</basic>` (presence_offline), with an empty
 * `<rpid:activities/>`; from a NOTIFY it reads four states: Online (basic open), Offline (basic
 * closed, or `<rpid:away/>`), Busy (`<rpid:busy/>` or `<rpid:on-the-phone/>`), Unknown (no
 * body). It has no dialog event package (no BLF), so there is no call state to test here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginChatUser, type ChatPresence, type ChatUser } from "../../lab/chat-user.js";
import { CHAT_SIP_DOMAIN, COMPONENT, JULIET, PHONE_DOMAIN, startStack, type DemoStack } from "../../lab/demo-stack.js";
import type { TracedSip } from "../../lab/servers/baresip-trace.js";
import { startBaresip, type Baresip, type BaresipOptions } from "../servers/baresip.js";
import { LOOPBACK } from "../servers/free-port.js";
import { header } from "../servers/sip-message.js";

/** One line per presence stanza: its type, or "available" with its show and status. */
const line = (p: ChatPresence): string => p.type ?? ["available", p.show, p.status].filter((x) => x !== undefined).join(" ");
/** Consecutive repeats dropped: RFC 6121 §4.4.2 lets a server send the same presence again. */
const collapse = (lines: readonly string[]): string[] => lines.filter((l, i) => l !== lines[i - 1]);

/** The presence stanzas `user` gets from `from`, as lines, in order of arrival. */
function record(user: ChatUser, from: string): string[] {
  const lines: string[] = [];
  user.onPresence((p) => {
    if (p.from === from) lines.push(line(p));
  });
  return lines;
}

/** Waits (with a deadline) for as many distinct steps as `expected` has, then they must be exactly these. */
async function reach(lines: string[], expected: readonly string[]): Promise<void> {
  await expect.poll(() => collapse(lines).length, { timeout: 15_000, interval: 20 }).toBeGreaterThanOrEqual(expected.length);
  expect(collapse(lines).slice(0, expected.length)).toEqual(expected);
}

const sent = (trace: readonly TracedSip[], method: string) => trace.filter((t) => t.direction === "out" && t.message.method === method).map((t) => t.message);
const received = (trace: readonly TracedSip[], method: string) => trace.filter((t) => t.direction === "in" && t.message.method === method).map((t) => t.message);
const basic = (body: string): string | undefined => /<basic>(\w+)<\/basic>/.exec(body)?.[1];
/** baresip's own log line for each change of a contact's presence (modules/contact: "<uri> changed status from A to B"). */
const changes = (log: string, uri: string): string[] => [...log.matchAll(/^<([^>]+)> changed status from (\w+) to (\w+)$/gm)].filter((m) => m[1] === uri).map((m) => `${m[2]} → ${m[3]}`);

describe("gateway with baresip as the phone (Prosody, Kamailio, presence-bridge start)", () => {
  let stack: DemoStack;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    stack = await startStack(() => undefined);
  });
  afterAll(async () => {
    for (const r of running.splice(0).reverse()) await r.stop().catch(() => undefined);
    await stack?.stop();
  });

  const chatUser = async (resource: string): Promise<ChatUser> => {
    const user = await loginChatUser({ host: LOOPBACK, port: stack.prosody.c2sPort, domain: stack.prosody.domain, ...JULIET, resource });
    running.push(user);
    return user;
  };
  const phone = async (options: Omit<BaresipOptions, "server" | "trace">): Promise<Baresip> => {
    const b = await startBaresip({ server: { host: LOOPBACK, port: stack.kamailio.port }, trace: true, ...options });
    running.push(b);
    return b;
  };

  it("SIP → XMPP: juliet sees baresip registered and online, then offline, online again, and gone when it quits", async () => {
    const extension = `1002@${COMPONENT.domain}`;
    const aor = `sip:1002@${PHONE_DOMAIN}`;
    // baresip registers, and on REGISTER_OK its publisher PUBLISHes basic open. The phone is
    // up before juliet subscribes: start() repairs a start race of baresip 1.0's publisher
    // (lab/servers/baresip-trace.ts), and that repair would show to a watcher already there.
    const bob = await phone({ account: { user: "1002", domain: PHONE_DOMAIN }, register: true });
    const juliet = await chatUser("phone-watch");
    try {
      const seen = record(juliet, extension);
      await juliet.setPresence();
      await juliet.sendPresenceType("subscribe", extension);
      await expect.poll(() => collapse(seen).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      // Approved at once by the policy (the demo's: juliet's domain); the bridge then sends what
      // it knows. Before the first NOTIFY from Kamailio is in, that is unavailable (RFC 6121
      // §4.3.2: an absent contact), and whether it goes out first is a race of two loopback
      // round trips (juliet's server probing the contact, the bridge SUBSCRIBing to Kamailio).
      const start = collapse(seen)[1] === "unavailable" ? ["subscribed", "unavailable"] : ["subscribed"];
      // Kamailio's first NOTIFY: basic open and no note, the table's `available` rule (no <show/>, no <status/>).
      await reach(seen, [...start, "available"]);
      await bob.setPresence("offline");
      // basic closed, no note: the `unavailable` rule.
      await reach(seen, [...start, "available", "unavailable"]);
      await bob.setPresence("online");
      await reach(seen, [...start, "available", "unavailable", "available"]);
      await bob.quit();
      // On SIGTERM baresip removes its publication (PUBLISH Expires: 0); Kamailio at once NOTIFYs
      // the removed document with its tuple closed (presence_xml's offline body): unavailable.
      // Nothing waits for an expiry.
      const expected = [...start, "available", "unavailable", "available", "unavailable"];
      await reach(seen, expected);
      expect(collapse(seen)).toEqual(expected);
    } finally {
      // Off before the next test: a resource still online would count in juliet's presence there.
      await juliet.stop();
    }

    const trace = bob.traced();
    // Registered for regint (600 s) at start, unregistered (expires=0) on quit.
    const registers = sent(trace, "REGISTER");
    expect(registers.map((r) => /expires=(\d+)/.exec(header(r, "contact") ?? "")?.[1])).toEqual(["600", "0"]);
    // The last modifications of its publication (RFC 3903 §4.4, SIP-If-Match): closed, open, then the removal.
    const modified = sent(trace, "PUBLISH").filter((p) => header(p, "sip-if-match") !== undefined);
    expect(modified.slice(-3).map((p) => [p.uri, header(p, "expires"), basic(p.body) ?? "no body"])).toEqual([
      [aor, "60", "closed"],
      [aor, "60", "open"],
      [aor, "0", "no body"],
    ]);
  }, 90_000);

  it("XMPP → SIP: baresip watches juliet through Kamailio; she approves, and it shows her away, busy, back and gone", async () => {
    const julietSip = `sip:${JULIET.user}@${CHAT_SIP_DOMAIN}`;
    const watcher = `1003@${COMPONENT.domain}`;
    const juliet = await chatUser("phone-contact");
    await juliet.setPresence(undefined, "Reading");
    const asked = juliet.waitFor((p) => p.type === "subscribe" && p.from === watcher, 20_000, `a subscription request from ${watcher}`);
    const carol = await phone({ account: { user: "1003", domain: PHONE_DOMAIN }, pubint: 0, watch: [julietSip] });
    // RFC 8048 §5.3: the SUBSCRIBE relayed by Kamailio became a subscription request from the phone's contact JID.
    await asked;
    // RFC 6665 §4.1.3 / RFC 3857: pending until juliet decides, and no state in the meantime.
    await expect.poll(() => received(carol.traced(), "NOTIFY").map((n) => header(n, "subscription-state")?.split(";")[0]), { timeout: 10_000 }).toContain("pending");
    expect((await carol.watched()).get(julietSip)).toBe("Unknown");

    await juliet.sendPresenceType("subscribed", watcher);
    await carol.waitForWatched(julietSip, "Online", 15_000);
    // The table's xmpp-away writes <rpid:away/>, which baresip 1.0 shows as Offline (it has no Away).
    await juliet.setPresence("away", "Back in ten minutes");
    await carol.waitForWatched(julietSip, "Offline", 15_000);
    // xmpp-dnd writes <rpid:busy/>: Busy.
    await juliet.setPresence("dnd", "In a meeting");
    await carol.waitForWatched(julietSip, "Busy", 15_000);
    await juliet.setPresence(undefined, "Back at my desk");
    await carol.waitForWatched(julietSip, "Online", 15_000);
    // juliet's client goes offline: unavailable is basic closed (xmpp-unavailable).
    await juliet.stop();
    await carol.waitForWatched(julietSip, "Offline", 15_000);

    // baresip logs a change only from a known state (contact_set_presence), so not Unknown → Online.
    expect(changes(carol.log(), julietSip)).toEqual(["Online → Offline", "Offline → Busy", "Busy → Online", "Online → Offline"]);
    // What carried them: every NOTIFY baresip took after approval, as basic and RPID activity.
    const states = received(carol.traced(), "NOTIFY")
      .filter((n) => header(n, "subscription-state")?.startsWith("active"))
      .map((n) => `${basic(n.body) ?? "no body"}${/<rpid:(away|busy)\/>/.exec(n.body)?.[0] ?? ""}`);
    expect(collapse(states)).toEqual(["open", "open<rpid:away/>", "open<rpid:busy/>", "open", "closed"]);
  }, 90_000);
});
