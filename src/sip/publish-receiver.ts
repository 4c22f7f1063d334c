/**
 * The PUBLISH receiver: the bridge as an RFC 3903 event state compositor for the
 * presentities it serves (Asterisk's outbound publish, desk phones). sip.js's core
 * answers PUBLISH with 405, so the stack's incoming-request hook takes it first.
 *
 * Composition is the gateway's, not ours: each publication is one source, and the
 * gateway gets every current one, parsed, per presentity (`published`). It maps each
 * with src/mapping and composes them with src/presence — the one place that decides
 * what a body means (STYLE.md §1). Publications live in memory: after a restart a
 * publisher's refresh gets 412 and it publishes afresh (RFC 3903 §5).
 */
import { randomBytes } from "node:crypto";
import type { Core } from "sip.js";
import type { Clock, Logger, PresentityResolver, SipPublication, SipPublicationEvents, TimerHandle } from "../gateway/ports.js";
import type { SipAccess } from "./access.js";
import { ALLOW_EVENTS, isEventPackage, parseEvent, parseExpires } from "./notifier-wire.js";
import { DEFAULT_PUBLISH_LIMITS, PublicationTable, type PublishLimits, type PublishOutcome } from "./publish-receiver-state.js";
import type { SipStack } from "./stack.js";

export { ACCEPTED_TYPES, DEFAULT_PUBLISH_LIMITS, type PublishLimits } from "./publish-receiver-state.js";

export interface PublishReceiverOptions {
  readonly stack: SipStack;
  readonly resolve: PresentityResolver;
  readonly events: SipPublicationEvents;
  readonly access: SipAccess;
  readonly limits?: Partial<PublishLimits>;
  /** Entity-tags; default 128 random bits, base64url (RFC 3903 §6: unique, and here unguessable). */
  readonly newEtag?: () => string;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const randomEtag = (): string => randomBytes(16).toString("base64url");

export class PublishReceiver {
  private readonly table: PublicationTable;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly unhook: () => void;

  constructor(private readonly options: PublishReceiverOptions) {
    this.table = new PublicationTable({ ...DEFAULT_PUBLISH_LIMITS, ...options.limits }, options.newEtag ?? randomEtag);
    this.clock = options.clock ?? options.stack.clock;
    this.logger = options.logger ?? options.stack.logger;
    if (options.access.closed) this.logger.warn("sip.access.closed", { reason: "no trusted networks and no digest users: every PUBLISH gets 403" });
    this.unhook = options.stack.onIncomingRequest((message) => (message.method === "PUBLISH" ? this.receive(message) : "pass"));
  }

  /** The current publications of a served presentity (by its id), oldest update first. */
  publications(presentity: string): readonly SipPublication[] {
    return this.table.list(presentity);
  }

  /** Forgets a presentity the bridge stops serving (no callback). */
  forget(presentity: string): void {
    for (const etag of this.table.clear(presentity)) this.dropTimer(presentity, etag);
  }

  stop(): void {
    this.unhook();
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private receive(message: Core.IncomingRequestMessage): "handled" {
    const uas = this.options.stack.serverTransaction(message);
    const fields = { callId: message.callId, publisher: message.from?.uri.toString(), ruri: message.ruri?.toString() };
    const refuse = (statusCode: number, reasonPhrase: string, problem: string, extraHeaders: readonly string[] = []): "handled" => {
      this.logger.info("sip.publish.rejected", { ...fields, status: statusCode, reason: problem });
      uas.reject({ statusCode, reasonPhrase, extraHeaders: [...extraHeaders] });
      return "handled";
    };
    // RFC 3903 §6 step 1: RFC 3261 §8.2 processing, authentication first.
    const verdict = this.options.access.check(message);
    if (!verdict.allowed) return refuse(verdict.status, verdict.reason, verdict.problem, verdict.extraHeaders);
    // Step 2: the Request-URI names the resource.
    const presentity = this.options.resolve(message.ruri?.toString() ?? "");
    if (presentity === undefined) return refuse(404, "Not Found", "unknown-presentity");
    // Step 3: the event package (RFC 6665 §8.2.1 answers 489 with Allow-Events).
    const event = parseEvent(message.getHeader("event"));
    if (event === undefined || !isEventPackage(event.name)) return refuse(489, "Bad Event", `bad-event:${event?.name ?? "none"}`, [ALLOW_EVENTS]);
    const expires = parseExpires(message.getHeader("expires"));
    if (expires !== undefined && Number.isNaN(expires)) return refuse(400, "Bad Expires", "bad-expires");
    const ifMatch = message.getHeader("sip-if-match")?.trim();
    const hasBody = message.body !== undefined && message.body !== "";
    const now = this.clock.now();
    const outcome = this.table.apply({
      presentity: presentity.id,
      event: event.name,
      ...(ifMatch === undefined || ifMatch === "" ? {} : { ifMatch }),
      ...(expires === undefined ? {} : { expires }),
      ...(hasBody ? { body: { contentType: message.getHeader("content-type") ?? "", content: message.body } } : {}),
      publisher: message.from?.uri.toString() ?? "",
      now,
    });
    if (outcome.status !== 200) return refuse(outcome.status, outcome.reason, outcome.problem, outcome.extraHeaders);
    uas.accept({
      statusCode: 200,
      extraHeaders: [...(outcome.etag === undefined ? [] : [`SIP-ETag: ${outcome.etag}`]), `Expires: ${outcome.expires}`],
    });
    this.logger.info("sip.publish.accepted", {
      ...fields, presentity: presentity.id, event: event.name, operation: outcome.operation, etag: outcome.etag, expires: outcome.expires,
    });
    this.rearm(presentity.id, outcome);
    if (outcome.stateChanged) this.report(presentity.id);
    return "handled";
  }

  private rearm(presentity: string, outcome: Extract<PublishOutcome, { status: 200 }>): void {
    if (outcome.previousEtag !== undefined) this.dropTimer(presentity, outcome.previousEtag);
    for (const etag of outcome.evicted) {
      this.dropTimer(presentity, etag);
      this.logger.warn("sip.publish.evicted", { presentity, etag, reason: "too-many-publications" });
    }
    const etag = outcome.etag;
    if (etag === undefined) return;
    const publication = this.table.get(presentity, etag);
    if (publication === undefined) return;
    const timer = this.clock.setTimeout(() => this.expire(presentity, etag), Math.max(0, publication.expiresAt - this.clock.now()));
    this.timers.set(`${presentity}\n${etag}`, timer);
  }

  /** RFC 3903 §6: event state not refreshed in time is removed, as if by a remove. */
  private expire(presentity: string, etag: string): void {
    this.timers.delete(`${presentity}\n${etag}`);
    if (!this.table.expire(presentity, etag, this.clock.now())) return;
    this.logger.info("sip.publish.expired", { presentity, etag });
    this.report(presentity);
  }

  private dropTimer(presentity: string, etag: string): void {
    const key = `${presentity}\n${etag}`;
    const timer = this.timers.get(key);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(key);
  }

  private report(presentity: string): void {
    try {
      this.options.events.published(presentity, this.table.list(presentity));
    } catch (error) {
      // The gateway's trouble must not undo an answered PUBLISH or stop the receiver.
      this.logger.error("sip.publish.callback-failed", { presentity, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
