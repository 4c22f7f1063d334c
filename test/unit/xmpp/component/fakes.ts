import { EventEmitter } from "node:events";
import type { Component, ComponentOptions, ConnectionStatus } from "@xmpp/component";
import { Element, parse } from "ltx";
import type { Clock, Logger, TimerHandle } from "../../../../src/gateway/ports.js";

/** A clock whose time moves only when a test says so. */
export class ManualClock implements Clock {
  private time = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + ms, fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
  }
  /** Delays of the armed timers, from now, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

export interface LogLine {
  level: string;
  event: string;
  fields: Record<string, unknown>;
}

export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (event: string, fields: Record<string, unknown> = {}) => void lines.push({ level, event, fields });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** The slice of @xmpp/component the link drives, scripted by the test. */
export class FakeComponent extends EventEmitter {
  status: ConnectionStatus = "offline";
  socket: { destroy(): void; end(): void; setEncoding(encoding: "utf8"): void; cork(): void; uncork(): void } | null = null;
  readonly reconnect = { stopped: false, delay: 1000, stop: () => void (this.reconnect.stopped = true), start: () => undefined };
  readonly sent: Element[] = [];
  connects = 0;
  /** What the next connect() does: "ok" (socket up, then the test calls goOnline), "refused". */
  nextConnect: "ok" | "refused" = "ok";
  options: ComponentOptions;

  constructor(options: ComponentOptions) {
    super();
    this.options = options;
    // What component() attaches: the middleware's "element" listener (the link removes it).
    this.on("element", () => this.emit("middleware-saw"));
  }

  async connect(): Promise<void> {
    this.connects++;
    this.status = "connecting";
    if (this.nextConnect === "refused") {
      this.emit("error", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }));
      this.drop();
      throw new Error("connect ECONNREFUSED");
    }
    this.socket = { destroy: () => this.drop(), end: () => this.drop(), setEncoding: () => undefined, cork: () => undefined, uncork: () => undefined };
    this.status = "connect";
  }

  async open(): Promise<unknown> {
    this.status = "opening";
    return undefined;
  }

  goOnline(): void {
    this.status = "online";
    this.emit("online");
  }

  streamError(condition: string): void {
    this.emit("error", Object.assign(new Error(condition), { condition }));
    this.drop();
  }

  drop(): void {
    if (this.status === "disconnect" || this.status === "offline") return;
    this.socket = null;
    this.status = "disconnect";
    this.emit("disconnect");
  }

  async stop(): Promise<unknown> {
    this.drop();
    this.status = "offline";
    return undefined;
  }

  async send(element: Element): Promise<void> {
    if (this.status !== "online") throw new TypeError("Cannot read properties of null (reading 'toString')");
    this.sent.push(element);
  }

  /** A stanza from the server, as text. */
  receive(xml: string): void {
    const element = parse(xml);
    this.emit("input", xml);
    this.emit("element", element);
    this.emit("stanza", element);
  }

  sentText(): string[] {
    return this.sent.map((e) => e.toString());
  }
}

export const asComponent = (fake: FakeComponent): Component => fake as unknown as Component;
export { Element };
