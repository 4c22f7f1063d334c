/**
 * XEP-0199 §4.2 client-to-server pings over the component stream. Any answer (a
 * pong, or an error such as service-unavailable) proves the stream is alive;
 * silence past the timeout means it is dead, and the link drops and reconnects it.
 */
import { Element } from "ltx";
import type { Result } from "../../errors.js";
import type { Clock, Logger, TimerHandle } from "../../gateway/ports.js";

export interface KeepaliveOptions {
  /** Time between pings while online. */
  readonly intervalMs: number;
  /** A ping unanswered this long means the link is dead. */
  readonly timeoutMs: number;
  /** Whom to ping; any answer (even an error) proves the link. Default: the parent domain. */
  readonly target?: string;
}

export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 60_000, timeoutMs: 20_000 };

const parentDomain = (domain: string): string => (domain.includes(".") ? domain.slice(domain.indexOf(".") + 1) : domain);

export interface KeepaliveHost {
  readonly domain: string;
  readonly clock: Clock;
  readonly logger: Logger;
  isOnline(): boolean;
  request(iq: Element, timeoutMs: number): Promise<Result<Element>>;
  /** The stream did not answer: drop it (the link reconnects). */
  dead(reason: Result<Element> & { ok: false }): void;
}

export class Keepalive {
  private timer: TimerHandle | undefined;

  constructor(private readonly host: KeepaliveHost, private readonly options: KeepaliveOptions | false) {}

  /** Arms the next ping (after each answer, and when the link comes online). */
  arm(): void {
    const options = this.options;
    if (options === false) return;
    this.stop();
    this.timer = this.host.clock.setTimeout(() => void this.ping(options), options.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async ping(options: KeepaliveOptions): Promise<void> {
    this.timer = undefined;
    if (!this.host.isOnline()) return;
    const to = options.target ?? parentDomain(this.host.domain);
    const iq = new Element("iq", { type: "get", to, from: this.host.domain });
    iq.c("ping", { xmlns: "urn:xmpp:ping" });
    const answer = await this.host.request(iq, options.timeoutMs);
    if (!this.host.isOnline()) return;
    if (!answer.ok && answer.error.code === "remote-server-timeout") {
      this.host.logger.warn("link.ping-timeout", { domain: this.host.domain, target: to, timeoutMs: options.timeoutMs });
      this.host.dead(answer);
      return;
    }
    this.arm();
  }
}
