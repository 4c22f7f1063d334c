/**
 * The XEP-0114 component link over @xmpp/component 0.13.1, as the presence server
 * needs it (LIBRARIES.md §2 lists the traps this file works around):
 *
 * - reconnects with exponential back-off and jitter instead of the library's fixed
 *   1 s `reconnect`, which is stopped;
 * - a wrong secret (`not-authorized`), a domain already taken (`conflict`) or not
 *   configured (`host-unknown`) is fatal: the link fails once, naming the cause;
 * - sending never throws: while down, stanzas wait in a bounded {@link Outbox};
 * - pings the server (XEP-0199) as a keepalive; no answer means a dead link;
 * - answers iq itself (the library's iq callee would answer every request with
 *   service-unavailable, so its middleware is detached).
 */
import { component as createComponent, type Component, type ComponentOptions, type XmppError } from "@xmpp/component";
import type { Element } from "ltx";
import { fail, ok, type BridgeError, type Result } from "../../errors.js";
import type {
  AddressedPresence, Clock, Logger, StanzaErrorCondition, StanzaErrorType, TimerHandle, XmppLink, XmppLinkCounters, XmppLinkState, XmppLinkStatus,
} from "../../gateway/ports.js";
import { xmppPresenceToElement } from "../stanza-serialize.js";
import { DEFAULT_BACKOFF, reconnectDelay, type ReconnectBackoff } from "./backoff.js";
import { InboundRouter, type IqHandler } from "./inbound.js";
import { IqRequests } from "./iq-requests.js";
import { DEFAULT_KEEPALIVE, Keepalive, type KeepaliveOptions } from "./keepalive.js";
import { Outbox } from "./outbox.js";
import { errorReply } from "./stanza-error.js";
import { classifyStreamError } from "./stream-errors.js";

export interface ComponentLinkOptions {
  /** `xmpp://host:port` of the server's component listener. */
  readonly service: string;
  readonly domain: string;
  readonly secret: string;
  readonly backoff?: ReconnectBackoff;
  /** `false` turns the keepalive off. Default: every 60 s, 20 s timeout. */
  readonly keepalive?: KeepaliveOptions | false;
  /** Stanzas kept while down. Default 10,000. */
  readonly queueLimit?: number;
  /** Inbound stanzas larger than this are refused. Default 64 KiB. */
  readonly maxStanzaBytes?: number;
  /** A (re)connection that is not online within this is abandoned and retried. Default 15 s. */
  readonly connectTimeoutMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
  /** Builds the library's component; tests pass a fake. */
  readonly factory?: (options: ComponentOptions) => Component;
}

export class ComponentLink implements XmppLink {
  readonly domain: string;
  private readonly entity: Component;
  private readonly outbox: Outbox;
  private readonly requests: IqRequests;
  private readonly keepalive: Keepalive;
  /** Whether the socket is corked until the end of this event-loop turn (write()). */
  private corked = false;
  private readonly statusHandlers = new Set<(status: XmppLinkStatus) => void>();
  private readonly writes = new Set<Promise<void>>();
  private readonly inbound: InboundRouter;
  private state: XmppLinkState = "stopped";
  private attempt = 0;
  private failures = 0;
  private retryInMs: number | undefined;
  private lastError: BridgeError | undefined;
  private retryTimer: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private inputSinceStanza = 0;
  private counts = { sent: 0, received: 0, reconnects: 0 };
  private started: ((result: Result<void>) => void) | undefined;

  constructor(private readonly options: ComponentLinkOptions) {
    this.domain = options.domain.toLowerCase();
    this.outbox = new Outbox(options.queueLimit ?? 10_000);
    this.requests = new IqRequests(options.clock);
    this.inbound = new InboundRouter({
      domain: this.domain,
      maxStanzaBytes: options.maxStanzaBytes ?? 65_536,
      logger: options.logger,
      requests: this.requests,
      send: (element) => this.send(element),
    });
    this.keepalive = new Keepalive(
      {
        domain: this.domain,
        clock: options.clock,
        logger: options.logger,
        isOnline: () => this.state === "online",
        request: (iq, timeoutMs) => this.request(iq, timeoutMs),
        dead: (answer) => {
          this.lastError = answer.error;
          this.dropSocket();
        },
      },
      options.keepalive ?? DEFAULT_KEEPALIVE,
    );
    this.entity = (options.factory ?? createComponent)({ service: options.service, domain: this.domain, password: options.secret });
    // Our back-off replaces the library's fixed 1 s reconnect; our iq routing replaces its
    // middleware (attached to "element" by component(); nothing else listens there yet).
    this.entity.reconnect.stop();
    for (const listener of this.entity.listeners("element")) this.entity.removeListener("element", listener as (...args: unknown[]) => void);
    this.entity.on("error", (error) => this.onError(error));
    this.entity.on("online", () => this.onOnline());
    this.entity.on("disconnect", () => this.onDisconnect());
    this.entity.on("stanza", (stanza) => this.onStanza(stanza));
    this.entity.on("input", (text) => this.onInput(text));
    // @xmpp/connection decodes each chunk on its own (`data.toString("utf8")`), which
    // corrupts a UTF-8 character split across two TCP segments; a socket that decodes
    // (a StringDecoder keeps the partial bytes) hands it whole strings.
    this.entity.on("connect", () => this.entity.socket?.setEncoding("utf8"));
  }

  /** Answers inbound iq get/set (src/xmpp/services). Without one, every request gets service-unavailable. */
  setIqHandler(handler: IqHandler): void {
    this.inbound.iqHandler = handler;
  }

  /**
   * Connects, retrying with back-off while the server cannot be reached. Resolves
   * once online, or with the fatal error (not-authorized, conflict, host-unknown).
   */
  start(): Promise<Result<void>> {
    if (this.state !== "stopped") return Promise.resolve(fail("connection-failed", `the link is already ${this.state}`));
    return new Promise((resolve) => {
      this.started = resolve;
      this.setState("connecting");
      this.connect();
    });
  }

  /** Closes the stream after the stanzas already handed to the socket are written. Queued ones are dropped. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    const wasOnline = this.entity.status === "online";
    this.clearTimers();
    this.setState("stopped");
    this.requests.failAll("the link was stopped");
    if (this.outbox.size > 0) this.options.logger.warn("link.queue-dropped", { domain: this.domain, stanzas: this.outbox.size });
    this.outbox.drain();
    if (wasOnline) {
      await settledWithin(this.options.clock, [...this.writes], 2000);
      await this.entity.stop().catch(() => undefined);
    } else {
      this.entity.socket?.destroy();
    }
    this.settleStart(fail("connection-failed", "the link was stopped before it came online"));
  }

  status(): XmppLinkStatus {
    return {
      state: this.state,
      attempt: this.attempt,
      ...(this.retryInMs === undefined ? {} : { retryInMs: this.retryInMs }),
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
    };
  }

  counters(): XmppLinkCounters {
    const { queued, droppedPresence, droppedOther } = this.outbox.counts();
    return { ...this.counts, queued, droppedPresence, droppedOther };
  }

  sendPresence(presence: AddressedPresence): void {
    this.send(xmppPresenceToElement(presence));
  }

  sendPresenceError(original: AddressedPresence, condition: StanzaErrorCondition, text?: string, type?: StanzaErrorType): void {
    const attrs = { from: original.from, to: original.to, id: original.id, type: original.type === "available" ? undefined : original.type };
    const reply = errorReply({ name: "presence", attrs }, condition, text, type);
    if (reply !== undefined) this.send(reply);
  }

  onPresence(handler: (presence: AddressedPresence) => void): () => void {
    return this.inbound.onPresence(handler);
  }

  onStatus(handler: (status: XmppLinkStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  /** Any stanza; never throws. `from` defaults to the component's domain. */
  send(element: Element): void {
    if (element.attrs.from === undefined) element.attrs.from = this.domain;
    if (this.state === "online" && this.entity.status === "online") this.write(element);
    else this.outbox.push(element);
  }

  /** Sends an iq get/set and waits for its answer; fails at once while the link is down. */
  request(iq: Element, timeoutMs: number): Promise<Result<Element>> {
    if (this.state !== "online") return Promise.resolve(fail("connection-failed", "the link is down"));
    if (iq.attrs.id === undefined) iq.attrs.id = this.requests.nextId();
    const answer = this.requests.wait(iq, timeoutMs);
    this.send(iq);
    return answer;
  }

  // --- connection life cycle ------------------------------------------------

  private connect(): void {
    this.retryTimer = undefined;
    this.attempt++;
    const { clock, logger, service } = this.options;
    logger.info("link.connecting", { service, domain: this.domain, attempt: this.attempt });
    this.connectTimer = clock.setTimeout(() => {
      this.connectTimer = undefined;
      this.lastError = { code: "remote-server-timeout", message: `not online within ${this.options.connectTimeoutMs ?? 15_000} ms` };
      logger.warn("link.connect-timeout", { service, domain: this.domain, attempt: this.attempt });
      this.dropSocket();
    }, this.options.connectTimeoutMs ?? 15_000);
    this.entity
      .connect(service)
      .then(() => this.entity.open({ domain: this.domain }))
      .catch(() => {
        // The cause arrives as an "error" event; a socket still open (a stream that timed
        // out) is closed so that "disconnect" schedules the next attempt.
        if (this.entity.status !== "disconnect" && this.entity.status !== "offline" && this.entity.status !== "online") this.dropSocket();
      });
  }

  private onOnline(): void {
    if (this.state === "stopped" || this.state === "failed") return;
    this.clearTimer("connectTimer");
    if (this.attempt > 1) this.counts.reconnects++;
    this.failures = 0;
    this.retryInMs = undefined;
    this.lastError = undefined;
    this.inputSinceStanza = 0;
    this.options.logger.info("link.online", { service: this.options.service, domain: this.domain, attempt: this.attempt });
    // What waited goes first; the status listeners' resync (current presence of every
    // contact) then follows it, so the last word on the wire is the current state.
    this.state = "online";
    const queued = this.outbox.drain();
    for (const element of queued) this.write(element);
    if (queued.length > 0) this.options.logger.info("link.queue-flushed", { domain: this.domain, stanzas: queued.length });
    this.keepalive.arm();
    this.emitStatus();
    this.settleStart(ok(undefined));
  }

  private onDisconnect(): void {
    this.clearTimer("connectTimer");
    this.keepalive.stop();
    this.requests.failAll("the link went down");
    if (this.state === "stopped" || this.state === "failed") return;
    this.lastError ??= { code: "connection-failed", message: "the XMPP server closed the connection", source: this.options.service };
    this.failures++;
    this.retryInMs = reconnectDelay(this.failures, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random ?? Math.random);
    this.options.logger.warn("link.down", {
      service: this.options.service, domain: this.domain, attempt: this.attempt, retryInMs: this.retryInMs,
      reason: this.lastError?.message,
    });
    this.clearTimer("retryTimer");
    this.retryTimer = this.options.clock.setTimeout(() => this.connect(), this.retryInMs);
    this.setState("reconnecting");
  }

  private onError(error: XmppError | Error): void {
    if (this.state === "failed" || this.state === "stopped") return;
    const verdict = classifyStreamError(error, this.options.service);
    this.lastError = verdict.error;
    if (!verdict.fatal) {
      this.options.logger.debug("link.error", { service: this.options.service, domain: this.domain, reason: verdict.error.message });
      return;
    }
    this.options.logger.error("link.failed", { service: this.options.service, domain: this.domain, reason: verdict.condition });
    this.clearTimers();
    this.setState("failed");
    this.settleStart({ ok: false, error: verdict.error });
  }

  private dropSocket(): void {
    const socket = this.entity.socket;
    if (socket !== null) socket.destroy();
  }

  // --- traffic --------------------------------------------------------------

  private write(element: Element): void {
    this.counts.sent++;
    // The stanzas of one event-loop turn leave in one write: fewer syscalls here, and fewer
    // reads for Prosody and for the clients it relays to (the closed-loop bench: Prosody's
    // CPU per change 240 -> 145 µs). Uncorked right after the turn's I/O (setImmediate).
    const socket = this.entity.socket;
    if (!this.corked && socket !== null) {
      this.corked = true;
      socket.cork();
      setImmediate(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    let written: Promise<void>;
    try {
      written = this.entity.send(element);
    } catch (error) {
      written = Promise.reject(error as Error);
    }
    const tracked = written.then(
      () => undefined,
      (error: unknown) => {
        // The socket died under the write; the stanza waits for the next connection.
        this.counts.sent--;
        this.options.logger.debug("link.write-failed", { domain: this.domain, reason: (error as Error).message, stanza: element.name });
        if (this.state !== "stopped") this.outbox.push(element);
      },
    );
    this.writes.add(tracked);
    void tracked.finally(() => this.writes.delete(tracked));
  }

  private onInput(text: string): void {
    // A stanza that never ends would grow the parser's buffer without bound: past
    // 4 × the cap (plus slack) the stream is dropped and reconnected.
    this.inputSinceStanza += text.length;
    const limit = 4 * (this.options.maxStanzaBytes ?? 65_536) + 65_536;
    if (this.inputSinceStanza > limit) {
      this.options.logger.error("stream.stanza-too-large", { domain: this.domain, bytes: this.inputSinceStanza, limit });
      this.inputSinceStanza = 0;
      this.lastError = { code: "too-large", message: `an inbound stanza passed ${limit} bytes; stream dropped` };
      this.dropSocket();
    }
  }

  private onStanza(stanza: Element): void {
    this.inputSinceStanza = 0;
    this.counts.received++;
    this.inbound.receive(stanza);
  }

  // --- helpers --------------------------------------------------------------

  private setState(state: XmppLinkState): void {
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    const status = this.status();
    for (const handler of this.statusHandlers) {
      try {
        handler(status);
      } catch (error) {
        this.options.logger.error("link.status-handler-failed", { domain: this.domain, reason: (error as Error).message });
      }
    }
  }

  private settleStart(result: Result<void>): void {
    const started = this.started;
    this.started = undefined;
    started?.(result);
  }

  private clearTimer(name: "retryTimer" | "connectTimer"): void {
    const timer = this[name];
    if (timer !== undefined) this.options.clock.clearTimeout(timer);
    this[name] = undefined;
  }

  private clearTimers(): void {
    this.clearTimer("retryTimer");
    this.clearTimer("connectTimer");
    this.keepalive.stop();
  }
}

/** Waits for the promises to settle, at most `ms`; leaves no timer behind. */
function settledWithin(clock: Clock, promises: readonly Promise<void>[], ms: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    void Promise.allSettled(promises).then(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
