/**
 * One timer for many deadlines: a min-heap of (at, key) with lazy deletion, and a single
 * clock timer for the earliest. 10,000 subscriptions refresh through this, not through
 * 10,000 `setTimeout`s or live actors (LIBRARIES.md §3).
 */
import type { Clock, TimerHandle } from "../gateway/ports.js";

interface Entry<T> {
  readonly key: string;
  readonly at: number;
  readonly value: T;
  /** Set when replaced or deleted; the heap drops it when it surfaces. */
  dead: boolean;
}

export class DeadlineScheduler<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly live = new Map<string, Entry<T>>();
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private firing = false;

  /** `onDue` is called for each deadline reached, in time order, at most `batch` per timer turn. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (key: string, value: T, at: number) => void,
    private readonly batch = 500,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** Arms (or re-arms) the deadline of `key`; the previous one of that key is dropped. */
  set(key: string, at: number, value: T): void {
    const previous = this.live.get(key);
    if (previous) previous.dead = true;
    const entry: Entry<T> = { key, at, value, dead: false };
    this.live.set(key, entry);
    this.push(entry);
    // Re-armed keys leave dead entries behind until they surface: rebuild when they dominate.
    if (this.heap.length > 2 * this.live.size + 1024) this.compact();
    if (!this.firing && at < this.timerAt) this.arm();
  }

  delete(key: string): void {
    const entry = this.live.get(key);
    if (!entry) return;
    entry.dead = true;
    this.live.delete(key);
  }

  get(key: string): { readonly at: number; readonly value: T } | undefined {
    return this.live.get(key);
  }

  clear(): void {
    for (const entry of this.live.values()) entry.dead = true;
    this.live.clear();
    this.heap.length = 0;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.firing = true;
    try {
      const now = this.clock.now();
      for (let n = 0; n < this.batch; n++) {
        const top = this.peek();
        if (!top || top.at > now) break;
        this.pop();
        this.live.delete(top.key);
        top.dead = true;
        this.onDue(top.key, top.value, top.at);
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  }

  private arm(): void {
    const top = this.peek();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (!top) return;
    this.timerAt = top.at;
    // A full batch leaves due work behind: come back at once (0 ms), letting I/O in between.
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, top.at - this.clock.now()));
  }

  private compact(): void {
    const alive = this.heap.filter((e) => !e.dead);
    this.heap.length = 0;
    for (const entry of alive) this.push(entry);
  }

  /** The earliest live entry (dead ones are popped on the way). */
  private peek(): Entry<T> | undefined {
    while (this.heap.length > 0 && this.heap[0]?.dead === true) this.pop();
    return this.heap[0];
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry<T>;
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
      const child = r < n && (heap[r] as Entry<T>).at < (heap[l] as Entry<T>).at ? r : l;
      if ((heap[child] as Entry<T>).at >= last.at) break;
      heap[i] = heap[child] as Entry<T>;
      i = child;
    }
    heap[i] = last;
  }
}
