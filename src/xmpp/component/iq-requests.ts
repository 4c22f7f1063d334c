/**
 * Outgoing iq requests (the keepalive ping, XEP-0199 §4.2) and their answers:
 * RFC 6120 §8.2.3 — every get/set gets exactly one result or error with its id.
 * Ours instead of @xmpp/iq's caller, whose middleware also answers inbound iq.
 */
import type { Element } from "ltx";
import { fail, ok, type Result } from "../../errors.js";
import type { Clock, TimerHandle } from "../../gateway/ports.js";

interface Pending {
  readonly to: string | undefined;
  readonly resolve: (result: Result<Element>) => void;
  readonly timer: TimerHandle;
}

export class IqRequests {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly clock: Clock) {}

  /** A fresh id for a request of ours. */
  nextId(): string {
    return `pb-${this.prefix}-${++this.sequence}`;
  }

  /** Waits for the answer to `iq` (whose id must be set), at most `timeoutMs`. */
  wait(iq: Element, timeoutMs: number): Promise<Result<Element>> {
    const id = String(iq.attrs.id);
    const to = iq.attrs.to === undefined ? undefined : String(iq.attrs.to);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        resolve(fail("remote-server-timeout", `no answer to iq ${id}${to === undefined ? "" : ` to ${to}`} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { to, resolve, timer });
    });
  }

  /**
   * An inbound iq result or error: settles the request it answers and returns true,
   * or returns false when it answers nothing of ours (late, or forged: the sender
   * must be the entity we asked, RFC 6120 §8.2.3).
   */
  settle(answer: Element): boolean {
    const id = String(answer.attrs.id ?? "");
    const request = this.pending.get(id);
    if (request === undefined) return false;
    const from = answer.attrs.from === undefined ? undefined : String(answer.attrs.from);
    if (request.to !== undefined && from !== request.to) return false;
    this.pending.delete(id);
    this.clock.clearTimeout(request.timer);
    request.resolve(ok(answer));
    return true;
  }

  /** The link went down: nothing will answer what is pending. */
  failAll(reason: string): void {
    for (const [id, request] of this.pending) {
      this.clock.clearTimeout(request.timer);
      request.resolve(fail("connection-failed", `iq ${id} lost: ${reason}`));
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
