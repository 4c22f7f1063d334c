/**
 * XMPP → SIP on the peer's own path (PEERS.md): the chat user's presence reaches the
 * component, which PUBLISHes it to Kamailio's presence server (RFC 3903), and Kamailio
 * NOTIFYs the SIP watcher. For presence-bridge that is `sip.mode: publish` with the user
 * linked to an extension (`people.links`; debounce 0, as the peer has none): mercutio ↔ 1500,
 * a SIP watcher of sip:1500@localhost at Kamailio. Baseline: romeo, subscribed to mercutio
 * in Prosody. A stack of its own, so the notify-mode figures are not disturbed.
 */
import { loginChatUser } from "../lab/chat-user.js";
import { COMPONENT, PHONE_DOMAIN, startStack } from "../lab/demo-stack.js";
import { LOOPBACK } from "../lab/servers/free-port.js";
import { header } from "../lab/servers/sip-message.js";
import { SipProbe } from "../lab/servers/sip-probe.js";
import { Arrivals, chatPaced, until, type PathResult, type XmppToSip } from "./e2e-paths.js";

const MERCUTIO = { user: "mercutio", password: "queen-mab" };
const ROMEO = { user: "romeo", password: "montague" };
const EXTENSION = "1500";

export type PublishPathResult = PathResult & { readonly account: Awaited<ReturnType<typeof chatPaced>>["account"] };

/** Runs `count` changes at `perSecond` after `warmup`; a string says why the path could not be measured. */
export async function publishModePath(count: number, perSecond: number, warmup: number): Promise<PublishPathResult | string> {
  const stack = await startStack(() => undefined, {
    users: [MERCUTIO, ROMEO],
    logLevel: "error",
    prosodyLog: "info",
    sip: { mode: "publish", minNotifyIntervalMs: 0 },
    people: { links: [{ jid: `${MERCUTIO.user}@localhost`, extension: EXTENSION }], debounceMs: 0 },
  });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const login = { host: LOOPBACK, port: stack.prosody.c2sPort, domain: stack.prosody.domain, resource: "bench" };
    const mercutio = await loginChatUser({ ...login, ...MERCUTIO });
    closers.push(() => mercutio.stop());
    // mercutio approves every request: romeo's and the linked phone contact's (the bridge's).
    mercutio.onPresence((p) => {
      if (p.type === "subscribe") void mercutio.sendPresenceType("subscribed", p.from);
    });
    const contactAsked = mercutio.waitFor((p) => p.type === "subscribe" && p.from === `${EXTENSION}@${COMPONENT.domain}`, 15_000, "the linked contact's request");
    await mercutio.setPresence(undefined, "start");
    await contactAsked;
    const romeo = await loginChatUser({ ...login, ...ROMEO });
    closers.push(() => romeo.stop());
    await romeo.setPresence();
    const ctx: XmppToSip = { juliet: mercutio, sipWatcher: new Arrivals(), notifyCseqs: [], romeo: new Arrivals() };
    romeo.onPresence((p) => {
      if (p.type === undefined && p.from === mercutio.jid) ctx.romeo.note(p.status, p.from);
    });
    await romeo.sendPresenceType("subscribe", mercutio.jid);
    const watcher = await SipProbe.open({ host: LOOPBACK, port: stack.kamailio.port, user: "1998", domain: PHONE_DOMAIN });
    closers.push(() => watcher.close());
    watcher.onRequest((m) => {
      if (m.method !== "NOTIFY") return;
      ctx.notifyCseqs.push(Number.parseInt(header(m, "cseq") ?? "", 10));
      ctx.sipWatcher.note(m.body, "sip");
    });
    await watcher.subscribe(`sip:${EXTENSION}@${PHONE_DOMAIN}`, "presence", 3600);
    await mercutio.setPresence("away", "seq 0");
    const carried = await until("the first NOTIFY", () => ctx.sipWatcher.at.has(0) && ctx.romeo.at.has(0), 10_000).then(() => true, () => false);
    if (!carried) return "the linked user's presence did not reach a Kamailio watcher of the extension within 10 s (PUBLISH mode)";
    await chatPaced(ctx, 1, warmup, perSecond);
    return await chatPaced(ctx, 10_000, count, perSecond);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stack.stop();
  }
}
