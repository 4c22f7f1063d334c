/**
 * The SIP half of the live demo: a scripted phone (1001) PUBLISHes to Kamailio the PIDF
 * bodies Asterisk 20 sends (on the phone, ringing, idle) and a scripted SIP watcher
 * (romeo) SUBSCRIBEs to juliet through Kamailio, which relays it to the bridge.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePidf } from "../src/pidf/index.js";
import type { ChatUser } from "./chat-user.js";
import { CHAT_SIP_DOMAIN, COMPONENT, PHONE_DOMAIN, ROOT, type DemoStack } from "./demo-stack.js";
import { startBaresip } from "./servers/baresip.js";
import { LOOPBACK } from "./servers/free-port.js";
import { header } from "./servers/sip-message.js";
import { SipProbe, sipPing } from "./servers/sip-probe.js";

/** The bridge's SIP side answers OPTIONS once `start` runs it. */
export async function sipSideRuns(stack: DemoStack): Promise<boolean> {
  return (await sipPing(LOOPBACK, stack.sipPort, "udp", 1000)) !== undefined;
}

/** A sample body of Asterisk 20 with the demo phone as its entity. */
export function asteriskBody(sample: "on-the-phone" | "ringing" | "idle", entity: string): string {
  const text = readFileSync(join(ROOT, `samples/sip/asterisk-20-pidf-${sample}.xml`), "utf8");
  return text.replace(/entity="[^"]*"/, `entity="${entity}"`);
}

/** What a SIP watcher sees in a PIDF body, in one line: basic, activities — note. */
export function describePidf(body: string): string {
  const doc = parsePidf(body);
  if (!doc.ok) return `unreadable PIDF (${doc.error.code})`;
  const { tuples, persons, notes } = doc.value;
  const basic = tuples.some((t) => t.basic === "open") ? "open" : tuples.length > 0 ? "closed" : "no tuple";
  const activities = [...new Set([...persons, ...tuples].flatMap((e) => e.activities))];
  const note = [...persons.flatMap((p) => p.notes), ...notes, ...tuples.flatMap((t) => t.notes)][0]?.text;
  return `${[basic, ...activities].join(", ")}${note === undefined ? "" : ` — ${note}`}`;
}

/** Publishes as one device: the first PUBLISH creates the publication, the next ones modify it (RFC 3903 §4.4). */
export class ScriptedPhone {
  private etag: string | undefined;
  constructor(
    readonly probe: SipProbe,
    readonly aor: string,
  ) {}

  async publish(body: string): Promise<number> {
    const headers: [string, string][] = [["Event", "presence"], ["Content-Type", "application/pidf+xml"], ["Expires", "600"]];
    if (this.etag !== undefined) headers.push(["SIP-If-Match", this.etag]);
    const { response } = await this.probe.request("PUBLISH", this.aor, { headers, body });
    this.etag = header(response, "sip-etag") ?? this.etag;
    return response.status ?? 0;
  }
}

/** A real SIP phone: baresip 1.0 PUBLISHes to Kamailio, and knows only online and offline. */
async function baresipScenario(stack: DemoStack, juliet: ChatUser, say: (line: string) => void): Promise<void> {
  const jid = `1002@${COMPONENT.domain}`;
  say(`\n2b. A real SIP phone, baresip (it knows only online and offline), as sip:1002@${PHONE_DOMAIN}`);
  const phone = await startBaresip({ server: { host: LOOPBACK, port: stack.kamailio.port }, account: { user: "1002", domain: PHONE_DOMAIN }, presence: "online" });
  try {
    say(`   baresip ${phone.pid} started, publishing "online"; juliet subscribes to ${jid}`);
    const online = juliet.waitFor((p) => p.from === jid && p.type === undefined, 15_000, `available from ${jid}`);
    await juliet.sendPresenceType("subscribe", jid);
    await online;
    const offline = juliet.waitFor((p) => p.from === jid && p.type === "unavailable", 15_000, `unavailable from ${jid}`);
    await phone.setPresence("offline");
    say("   baresip: presence_offline");
    await offline;
  } finally {
    await phone.stop();
  }
}

export async function sipScenario(stack: DemoStack, juliet: ChatUser, say: (line: string) => void): Promise<void> {
  const target = { host: LOOPBACK, port: stack.kamailio.port };
  const phoneAor = `sip:1001@${PHONE_DOMAIN}`;
  const phoneJid = `1001@${COMPONENT.domain}`;
  const phone = new ScriptedPhone(await SipProbe.open({ ...target, user: "1001", domain: PHONE_DOMAIN }), phoneAor);
  const watcher = await SipProbe.open({ ...target, user: "romeo", domain: PHONE_DOMAIN });
  try {
    say(`\n2. The phone ${phoneAor} PUBLISHes to Kamailio what Asterisk 20 sends; the bridge, subscribed to it, tells juliet`);
    const steps = [
      { sample: "on-the-phone", expect: (s?: string) => s === "On the phone", what: "On the phone" },
      { sample: "ringing", expect: (s?: string) => s === "Ringing", what: "Ringing" },
      { sample: "idle", expect: (s?: string) => s === undefined, what: "idle" },
    ] as const;
    for (const step of steps) {
      const seen = juliet.waitFor((p) => p.from === phoneJid && p.type === undefined && step.expect(p.status), 10_000, `${step.what} from ${phoneJid}`);
      const status = await phone.publish(asteriskBody(step.sample, phoneAor));
      say(`   SIP phone 1001 publishes "${step.what}" (Asterisk 20 PIDF): ${status}`);
      await seen;
    }
    await baresipScenario(stack, juliet, say);

    const julietAor = `sip:juliet@${CHAT_SIP_DOMAIN}`;
    say(`\n3. The SIP watcher sip:romeo@${PHONE_DOMAIN} SUBSCRIBEs to ${julietAor} (Kamailio relays it to the bridge)`);
    const asked = juliet.waitFor((p) => p.type === "subscribe", 10_000, "a subscription request from the bridge");
    const { response, callId } = await watcher.subscribe(julietAor);
    say(`   SIP watcher: ${response.status ?? "?"} ${response.reason ?? ""}`.trimEnd());
    const request = await asked;
    say(`   chat user juliet is asked by ${request.from}; she approves`);
    await juliet.sendPresenceType("subscribed", request.from);
    const first = await watcher.waitForNotify(callId, (body) => body.includes("<basic>open</basic>"), 10_000);
    say(`   SIP watcher sees juliet: ${describePidf(first.body)}`);

    say("\n4. juliet changes her presence in her chat client");
    await juliet.setPresence("away", "Back in ten minutes");
    const away = await watcher.waitForNotify(callId, (body) => body.includes("Back in ten minutes"), 10_000);
    say(`   SIP watcher sees juliet: ${describePidf(away.body)}`);
    await juliet.setPresence("dnd", "In a meeting");
    const dnd = await watcher.waitForNotify(callId, (body) => body.includes("In a meeting"), 10_000);
    say(`   SIP watcher sees juliet: ${describePidf(dnd.body)}`);
  } finally {
    await phone.probe.close();
    await watcher.close();
  }
}
