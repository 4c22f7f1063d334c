/**
 * One timer for every deadline of a fleet: a binary min-heap of (when, key) and a single
 * clock timer armed for the earliest. At 100,000 linked people a timer each would cost a
 * closure and a libuv handle per person; this costs one array slot per pending deadline.
 * Deadlines are not cancelled: the machine ignores a stale `debounce.elapsed`, so a
 * superseded entry is simply dropped when it comes due.
 */
import type { Clock, TimerHandle } from "./ports.js";

interface Entry {
  readonly at: number;
  readonly key: string;
}

export class DeadlineScheduler {
  private readonly heap: Entry[] = [];
  private timer: TimerHandle | undefined;
  private armedAt = Infinity;

  /** `due(key, now)` is called once per entry whose time has come, earliest first. */
  constructor(
    private readonly clock: Clock,
    private readonly due: (key: string, now: number) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(key: string, at: number): void {
    this.push({ at, key });
    if (at < this.armedAt) this.arm();
  }

  /** Drops every entry and the timer. */
  clear(): void {
    this.heap.length = 0;
    this.disarm();
  }

  private arm(): void {
    this.disarm();
    const first = this.heap[0];
    if (first === undefined) return;
    this.armedAt = first.at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, first.at - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    let first = this.heap[0];
    while (first !== undefined && first.at <= now) {
      this.pop();
      this.due(first.key, now);
      first = this.heap[0];
    }
    if (this.timer === undefined) this.arm();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Entry).at <= entry.at) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Entry).at < (heap[left] as Entry).at ? right : left;
      if ((heap[child] as Entry).at >= last.at) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}
