/**
 * Test doubles for the registry: a simulated clock (timers run when the test
 * advances time), recording effects and a recording logger.
 */
import { SimulatedClock } from "xstate";
import type { Clock, LogFields, Logger, TimerHandle } from "../../../src/gateway/ports.js";
import type { SubscriptionEffects } from "../../../src/gateway/subscriptions-types.js";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class SimClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;
  constructor(public time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + ms, fn };
    this.timers.push(timer);
    return { id: timer.id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward, running every timer that comes due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
  }
}

export class RecordingEffects implements SubscriptionEffects {
  readonly log: string[] = [];
  sendToWatcher(contact: string, watcher: string, kind: string): void {
    this.log.push(`${kind} ${contact} → ${watcher}`);
  }
  sendPresence(contact: string, watcher: string): void {
    this.log.push(`presence ${contact} → ${watcher}`);
  }
  sendUnavailable(contact: string, watcher: string): void {
    this.log.push(`unavailable ${contact} → ${watcher}`);
  }
  askDecision(contact: string, watcher: string, nick: string | undefined): void {
    this.log.push(`ask ${contact} about ${watcher}${nick === undefined ? "" : ` (${nick})`}`);
  }
  deliverToContact(contact: string, watcher: string, kind: string): void {
    this.log.push(`deliver ${kind} ${watcher} → ${contact}`);
  }
  take(): string[] {
    return this.log.splice(0);
  }
}

export class RecordingLogger implements Logger {
  readonly events: { level: string; event: string; fields: LogFields }[] = [];
  debug(event: string, fields: LogFields = {}): void {
    this.events.push({ level: "debug", event, fields });
  }
  info(event: string, fields: LogFields = {}): void {
    this.events.push({ level: "info", event, fields });
  }
  warn(event: string, fields: LogFields = {}): void {
    this.events.push({ level: "warn", event, fields });
  }
  error(event: string, fields: LogFields = {}): void {
    this.events.push({ level: "error", event, fields });
  }
  named(event: string): LogFields[] {
    return this.events.filter((e) => e.event === event).map((e) => e.fields);
  }
}

/** XState's SimulatedClock behind the Clock port, counting the timers armed and not yet fired or cleared. */
export function simulated(): { sim: SimulatedClock; clock: Clock; armed: () => number } {
  const sim = new SimulatedClock();
  const live = new Set<number>();
  const clock: Clock = {
    now: () => sim.now(),
    setTimeout: (fn, ms) => {
      const id: number = sim.setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      live.add(id);
      return { id };
    },
    clearTimeout: (handle) => {
      live.delete(handle.id as number);
      sim.clearTimeout(handle.id as number);
    },
  };
  return { sim, clock, armed: () => live.size };
}
