/**
 * A scripted chat user for the demo and the end-to-end benchmark: an @xmpp/client 0.14
 * login (a devDependency: the demo runs from a checkout after `npm ci`) that fetches
 * its roster, acknowledges roster pushes, and reports every presence stanza it gets.
 */
import { client, xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";

export interface ChatPresence {
  /** The sender's bare JID. */
  readonly from: string;
  /** RFC 6121 §4.7.1: absent for available, else unavailable, subscribe, subscribed… */
  readonly type: string | undefined;
  readonly show: string | undefined;
  readonly status: string | undefined;
}

export interface ChatUser {
  readonly jid: string;
  readonly xmpp: Client;
  /** Called for every presence stanza, in order of arrival. */
  onPresence(listener: (presence: ChatPresence, stanza: Element) => void): void;
  /** Resolves with the first presence (from now on) that passes `test`; rejects after `timeoutMs`. */
  waitFor(test: (presence: ChatPresence) => boolean, timeoutMs?: number, what?: string): Promise<ChatPresence>;
  /** Broadcast presence (RFC 6121 §4.2): available with show and status. */
  setPresence(show?: string, status?: string): Promise<void>;
  /** Sends `<presence type='…' to='…'/>` (subscribe, subscribed, unsubscribe…). */
  sendPresenceType(type: string, to: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ChatLogin {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly user: string;
  readonly password: string;
  readonly resource?: string;
}

const bare = (jid: string): string => jid.split("/")[0] ?? jid;

export async function loginChatUser(login: ChatLogin): Promise<ChatUser> {
  const xmpp = client({
    service: `xmpp://${login.host}:${login.port}`,
    domain: login.domain,
    username: login.user,
    password: login.password,
    resource: login.resource ?? "lab",
  });
  xmpp.on("error", () => undefined);
  const listeners: ((presence: ChatPresence, stanza: Element) => void)[] = [];
  xmpp.on("stanza", (stanza: Element) => {
    // RFC 6121 §2.1.6: a roster push is acknowledged with an empty result.
    if (stanza.is("iq") && stanza.attrs.type === "set" && stanza.getChild("query", "jabber:iq:roster") !== undefined) {
      void xmpp.send(xml("iq", { type: "result", id: stanza.attrs.id as string })).catch(() => undefined);
      return;
    }
    if (!stanza.is("presence")) return;
    const presence: ChatPresence = {
      from: bare(String(stanza.attrs.from ?? "")),
      type: stanza.attrs.type as string | undefined,
      show: stanza.getChildText("show") ?? undefined,
      status: stanza.getChildText("status") ?? undefined,
    };
    for (const listener of [...listeners]) listener(presence, stanza);
  });
  await xmpp.start();
  // RFC 6121 §2.1.6: only a resource that asked for the roster gets roster pushes and subscription requests.
  await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })), 10_000);
  const send = (element: ReturnType<typeof xml>): Promise<void> => xmpp.send(element);

  return {
    jid: `${login.user}@${login.domain}`,
    xmpp,
    onPresence: (listener) => void listeners.push(listener),
    waitFor(test, timeoutMs = 10_000, what = "a presence") {
      return new Promise((resolve, reject) => {
        const listener = (presence: ChatPresence): void => {
          if (!test(presence)) return;
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(presence);
        };
        const timer = setTimeout(() => {
          listeners.splice(listeners.indexOf(listener), 1);
          reject(new Error(`${login.user}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.push(listener);
      });
    },
    setPresence: (show, status) =>
      send(xml("presence", {}, ...(show === undefined ? [] : [xml("show", {}, show)]), ...(status === undefined ? [] : [xml("status", {}, status)]))),
    sendPresenceType: (type, to) => send(xml("presence", { type, to })),
    stop: () => xmpp.stop().then(() => undefined),
  };
}
