/**
 * What the link does with each stanza the server routes to the component: size
 * cap, addressing, presence parsed for the presence server, iq to the services,
 * messages refused. A bad stanza is answered (RFC 6120 §8.3) and logged with its
 * sender; it never reaches a handler and never affects another stanza.
 */
import type { Element } from "ltx";
import { formatError } from "../../errors.js";
import type { AddressedPresence, Logger, StanzaErrorCondition } from "../../gateway/ports.js";
import type { IqRequests } from "./iq-requests.js";
import { parseXmppPresence } from "../stanza-parse.js";
import { errorReply } from "./stanza-error.js";

/** Answers an inbound iq get/set with a whole reply stanza (result or error). */
export type IqHandler = (iq: Element) => Element | Promise<Element>;

export interface InboundContext {
  readonly domain: string;
  readonly maxStanzaBytes: number;
  readonly logger: Logger;
  send(element: Element): void;
  presence(presence: AddressedPresence): void;
  iq(iq: Element): void;
}

/**
 * Approximate serialized size of an element (names, attributes, text, markup),
 * stopping as soon as it passes `limit`: a cheap walk, no string is built.
 */
export function stanzaSize(element: Element, limit: number): number {
  let size = 0;
  const stack: (Element | string)[] = [element];
  while (stack.length > 0 && size <= limit) {
    const node = stack.pop() as Element | string;
    if (typeof node === "string") {
      size += node.length;
      continue;
    }
    size += 2 * node.name.length + 5;
    for (const key in node.attrs) size += key.length + String(node.attrs[key]).length + 4;
    for (const child of node.children) stack.push(child as Element | string);
  }
  return size;
}

const attr = (element: Element, name: string): string | undefined => {
  const value: unknown = element.attrs[name];
  return value === undefined || value === null ? undefined : String(value);
};

/** The domain part of a JID, lower-cased. */
export function domainOf(jid: string): string {
  const slash = jid.indexOf("/");
  const bare = slash < 0 ? jid : jid.slice(0, slash);
  return bare.slice(bare.indexOf("@") + 1).toLowerCase();
}

function refuse(ctx: InboundContext, stanza: Element, condition: StanzaErrorCondition, explanation: string): void {
  const reply = errorReply(stanza, condition, explanation);
  if (reply !== undefined) ctx.send(reply);
}

/** Routes one inbound stanza. Never throws. */
export function dispatchInbound(ctx: InboundContext, stanza: Element): void {
  const from = attr(stanza, "from");
  const to = attr(stanza, "to");
  const kind = stanza.name;
  const size = stanzaSize(stanza, ctx.maxStanzaBytes);
  if (size > ctx.maxStanzaBytes) {
    ctx.logger.warn("stanza.too-large", { from, to, stanza: kind, bytes: size, limit: ctx.maxStanzaBytes });
    refuse(ctx, stanza, "policy-violation", `stanza larger than ${ctx.maxStanzaBytes} bytes`);
    return;
  }
  // XEP-0114 §3: the server stamps both addresses; without them there is no one to answer.
  if (from === undefined || to === undefined) {
    ctx.logger.warn("stanza.unaddressed", { from, to, stanza: kind });
    return;
  }
  if (domainOf(to) !== ctx.domain) {
    ctx.logger.warn("stanza.misrouted", { from, to, stanza: kind });
    refuse(ctx, stanza, "item-not-found", `${ctx.domain} does not serve ${to}`);
    return;
  }
  switch (kind) {
    case "presence":
      return receivePresence(ctx, stanza, from, to);
    case "iq":
      return ctx.iq(stanza);
    case "message": {
      // The bridge carries presence only; RFC 6120 §8.3.1: never answer an error, and
      // RFC 6121 §5.2.2: headlines are never answered.
      const type = attr(stanza, "type");
      if (type === "error" || type === "headline") return;
      ctx.logger.debug("message.refused", { from, to });
      return refuse(ctx, stanza, "service-unavailable", "this gateway carries presence, not messages");
    }
    default:
      ctx.logger.warn("stanza.unknown", { from, to, stanza: kind });
  }
}

function receivePresence(ctx: InboundContext, stanza: Element, from: string, to: string): void {
  const parsed = parseXmppPresence(stanza);
  if (!parsed.ok) {
    ctx.logger.warn("presence.malformed", { from, to, reason: formatError(parsed.error), code: parsed.error.code });
    return refuse(ctx, stanza, "bad-request", parsed.error.message);
  }
  for (const warning of parsed.value.warnings) ctx.logger.debug("presence.corrected", { from, to, code: warning.code, reason: warning.message });
  ctx.presence({ ...parsed.value.presence, from, to });
}

export interface RouterOptions {
  readonly domain: string;
  readonly maxStanzaBytes: number;
  readonly logger: Logger;
  /** Our own outgoing requests, which inbound results and errors answer. */
  readonly requests: IqRequests;
  send(element: Element): void;
}

/** Inbound stanzas to their handlers: presence to the presence server, iq to the services or our requests. */
export class InboundRouter {
  iqHandler: IqHandler | undefined;
  private readonly presenceHandlers = new Set<(presence: AddressedPresence) => void>();
  private readonly context: InboundContext;

  constructor(private readonly options: RouterOptions) {
    this.context = {
      domain: options.domain,
      maxStanzaBytes: options.maxStanzaBytes,
      logger: options.logger,
      send: options.send,
      presence: (presence) => this.deliverPresence(presence),
      iq: (iq) => this.onIq(iq),
    };
  }

  onPresence(handler: (presence: AddressedPresence) => void): () => void {
    this.presenceHandlers.add(handler);
    return () => this.presenceHandlers.delete(handler);
  }

  receive(stanza: Element): void {
    dispatchInbound(this.context, stanza);
  }

  private deliverPresence(presence: AddressedPresence): void {
    for (const handler of this.presenceHandlers) {
      try {
        handler(presence);
      } catch (error) {
        this.options.logger.error("presence.handler-failed", { from: presence.from, to: presence.to, reason: (error as Error).message });
      }
    }
  }

  private onIq(iq: Element): void {
    const type = String(iq.attrs.type ?? "");
    if (type === "result" || type === "error") {
      if (!this.options.requests.settle(iq)) this.options.logger.debug("iq.unexpected-answer", { from: iq.attrs.from, id: iq.attrs.id });
      return;
    }
    const handler = this.iqHandler;
    if (handler === undefined || (type !== "get" && type !== "set")) {
      return refuse(this.context, iq, type === "get" || type === "set" ? "service-unavailable" : "bad-request", "no service answers this request");
    }
    Promise.resolve()
      .then(() => handler(iq))
      .then(
        (reply) => this.options.send(reply),
        (error: unknown) => {
          this.options.logger.error("iq.handler-failed", { from: iq.attrs.from, to: iq.attrs.to, reason: (error as Error).message });
          const reply = errorReply(iq, "internal-server-error");
          if (reply !== undefined) this.options.send(reply);
        },
      );
  }
}
