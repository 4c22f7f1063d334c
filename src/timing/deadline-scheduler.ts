/**
 * One timer for many deadlines: a binary min-heap of entries ordered by `at`, and a single
 * Clock timer armed for the earliest. At 100,000 subscriptions or linked people a timer each
 * would cost a closure and a libuv handle apiece; this costs one array slot per deadline
 * (LIBRARIES.md §3). The gateway (subscription resends and decisions, person-sync debounce)
 * and the SIP stack (refresh, retry, NOTIFY timeout, linger) all schedule through here.
 *
 * Entries are never removed in place. A superseded entry stays in the heap until it surfaces,
 * and `fire` says whether it was still live; the heap is rebuilt when stale entries outnumber
 * live ones by more than {@link COMPACT_SLACK}. {@link KeyedDeadlineScheduler} keeps one live
 * deadline per key on top of this, for callers that replace and delete by key.
 */
import type { Clock, TimerHandle } from "../gateway/ports.js";

export interface Timed {
  readonly at: number;
}

export interface DeadlineSchedulerOptions<E extends Timed> {
  readonly clock: Clock;
  /**
   * Called for each entry that came due, earliest first, with the clock's time of the turn.
   * Returns false when the entry was stale (superseded): it is dropped without counting
   * towards `batch`. Any other return counts it as fired.
   */
  readonly fire: (entry: E, now: number) => boolean | void;
  /** At most this many entries fire per timer turn; the rest on a 0 ms timer, letting I/O in between. */
  readonly batch: number;
  /**
   * Whether an entry is still live, and how many are. Both or neither: with them the heap
   * is compacted as stale entries pile up; without them every entry counts as live and
   * fires (the caller ignores a superseded one itself).
   */
  readonly liveness?: { readonly isLive: (entry: E) => boolean; readonly count: () => number };
}

// setTimeout takes a signed 32-bit delay (Node fires a longer one after 1 ms); longer waits re-arm on wake-up.
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Stale entries may outnumber live ones by this many before the heap is rebuilt. */
export const COMPACT_SLACK = 1_024;

export class DeadlineScheduler<E extends Timed> {
  private readonly heap: E[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** While due entries fire, arming waits for the end of the turn. */
  private running = false;
  private stopped = false;

  constructor(private readonly options: DeadlineSchedulerOptions<E>) {}

  /** Entries in the heap, stale ones included. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Arms a deadline. A series of adds may pass `updateTimer = false` (a restore of 100,000
   * records) and call {@link rearm} once at the end.
   */
  add(entry: E, updateTimer = true): void {
    this.push(entry);
    const liveness = this.options.liveness;
    if (liveness !== undefined && this.heap.length > 2 * liveness.count() + COMPACT_SLACK) this.compact(liveness.isLive);
    if (updateTimer && entry.at < this.timerAt) this.arm();
  }

  /** Sets the one timer for the earliest entry, unless it is set already. */
  rearm(): void {
    const at = this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
    if (at === this.timerAt && this.timer !== undefined) return;
    this.arm();
  }

  /** Drops every entry and the timer; later adds arm it again. */
  clear(): void {
    this.heap.length = 0;
    this.disarm();
  }

  /** Drops the timer for good (shutdown): entries may still be added, none fires. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private arm(): void {
    if (this.stopped || this.running) return;
    this.disarm();
    // The timer waits for the earliest live entry: stale ones on top are dropped now, not woken for.
    const isLive = this.options.liveness?.isLive;
    if (isLive !== undefined) while (this.heap.length > 0 && !isLive(this.heap[0] as E)) this.pop();
    const first = this.heap[0];
    if (first === undefined) return;
    this.timerAt = first.at;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, first.at - this.options.clock.now()));
    this.timer = this.options.clock.setTimeout(() => this.run(), delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private run(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.options.clock.now();
    let fired = 0;
    this.running = true;
    try {
      while (fired < this.options.batch) {
        const first = this.heap[0];
        if (first === undefined || first.at > now) break;
        this.pop();
        if (this.options.fire(first, now) !== false) fired++;
      }
    } finally {
      this.running = false;
      this.arm();
    }
  }

  private compact(isLive: (entry: E) => boolean): void {
    const live = this.heap.filter(isLive);
    live.sort((a, b) => a.at - b.at);
    this.heap.length = 0;
    // A sorted array is a valid min-heap.
    for (const entry of live) this.heap.push(entry);
  }

  private push(entry: E): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as E;
      if (p.at <= entry.at) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && (heap[r] as E).at < (heap[l] as E).at ? r : l;
      const c = heap[child] as E;
      if (c.at >= last.at) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

interface KeyedEntry<T> {
  readonly key: string;
  readonly at: number;
  readonly value: T;
  /** Set when replaced, deleted or fired; the heap drops it when it surfaces. */
  dead: boolean;
}

export interface KeyedDeadlineSchedulerOptions<T> {
  readonly clock: Clock;
  /** Called for each live deadline reached, in time order, with the time it was set for. */
  readonly onDue: (key: string, value: T, at: number) => void;
  /** At most this many fire per timer turn; 500 unless given. */
  readonly batch?: number;
}

/** One live deadline per key: `set` replaces the key's previous one, `delete` drops it. */
export class KeyedDeadlineScheduler<T> {
  private readonly live = new Map<string, KeyedEntry<T>>();
  private readonly scheduler: DeadlineScheduler<KeyedEntry<T>>;

  constructor(options: KeyedDeadlineSchedulerOptions<T>) {
    this.scheduler = new DeadlineScheduler<KeyedEntry<T>>({
      clock: options.clock,
      batch: options.batch ?? 500,
      liveness: { isLive: (entry) => !entry.dead, count: () => this.live.size },
      fire: (entry) => {
        if (entry.dead) return false;
        entry.dead = true;
        this.live.delete(entry.key);
        options.onDue(entry.key, entry.value, entry.at);
        return true;
      },
    });
  }

  /** Live deadlines (stale heap entries not counted). */
  get size(): number {
    return this.live.size;
  }

  /** Arms (or re-arms) the deadline of `key`; the previous one of that key is dropped. */
  set(key: string, at: number, value: T): void {
    const previous = this.live.get(key);
    if (previous !== undefined) previous.dead = true;
    const entry: KeyedEntry<T> = { key, at, value, dead: false };
    this.live.set(key, entry);
    this.scheduler.add(entry);
  }

  delete(key: string): void {
    const entry = this.live.get(key);
    if (entry === undefined) return;
    entry.dead = true;
    this.live.delete(key);
  }

  get(key: string): { readonly at: number; readonly value: T } | undefined {
    return this.live.get(key);
  }

  clear(): void {
    for (const entry of this.live.values()) entry.dead = true;
    this.live.clear();
    this.scheduler.clear();
  }
}
