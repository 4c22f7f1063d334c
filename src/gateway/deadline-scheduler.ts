/**
 * One scheduler for every subscription deadline: a binary min-heap of
 * (dueAt, contact, watcher, kind) and a single Clock timer for the earliest.
 * Entries are never removed in place: when a deadline changes, a new entry is
 * pushed and the old one is found stale when it pops (the caller checks the
 * record). The heap is rebuilt when stale entries outnumber live ones.
 */
import type { Clock, TimerHandle } from "./ports.js";

export type DeadlineKind = "resend" | "decision";

export interface Deadline {
  readonly at: number;
  readonly contact: string;
  readonly watcher: string;
  readonly kind: DeadlineKind;
}

export interface DeadlineSchedulerOptions {
  readonly clock: Clock;
  /** Called for each entry that came due; returns whether it was still live. */
  readonly fire: (deadline: Deadline) => boolean;
  /** Whether an entry still matches its record (for compaction). */
  readonly isLive: (deadline: Deadline) => boolean;
  /** How many deadlines are live; the heap is compacted when it holds 4× as many entries. */
  readonly liveCount: () => number;
  /** At most this many entries fire per timer callback; the rest on the next tick. */
  readonly batch?: number;
}

// setTimeout takes a signed 32-bit delay; longer waits re-arm on wake-up.
const MAX_DELAY_MS = 2 ** 31 - 1;

export class DeadlineScheduler {
  private readonly heap: Deadline[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private running = false;
  private readonly batch: number;

  constructor(private readonly options: DeadlineSchedulerOptions) {
    this.batch = options.batch ?? 1_000;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Arms a deadline; `rearm()` must follow a series of `add()` without timer updates. */
  add(deadline: Deadline, updateTimer = true): void {
    const heap = this.heap;
    heap.push(deadline);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Deadline;
      if (p.at <= deadline.at) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = deadline;
    if (heap.length > 1_024 && heap.length > 4 * this.options.liveCount()) this.compact();
    if (updateTimer) this.rearm();
  }

  /** Sets the one timer for the earliest deadline. */
  rearm(): void {
    if (this.stopped || this.running) return;
    const first = this.heap[0];
    const at = first?.at ?? Infinity;
    if (at === this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (first === undefined) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.options.clock.now()));
    this.timer = this.options.clock.setTimeout(() => this.run(), delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.options.clock.now();
    let fired = 0;
    this.running = true;
    try {
      while (fired < this.batch) {
        const first = this.heap[0];
        if (first === undefined || first.at > now) break;
        this.pop();
        if (this.options.fire(first)) fired++;
      }
    } finally {
      this.running = false;
    }
    this.rearm();
  }

  private pop(): Deadline | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && (heap[r] as Deadline).at < (heap[l] as Deadline).at ? r : l;
      const c = heap[child] as Deadline;
      if (c.at >= last.at) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  private compact(): void {
    const live = this.heap.filter((d) => this.options.isLive(d));
    this.heap.length = 0;
    live.sort((a, b) => a.at - b.at);
    // A sorted array is a valid min-heap.
    for (const d of live) this.heap.push(d);
  }
}
