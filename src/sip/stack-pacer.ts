/**
 * At most N requests in flight; the rest wait in order. A restart that resubscribes 10,000
 * presentities (or a PBX that comes back) must not send them in one burst: the peer's parser
 * and ours both pay per message (LIBRARIES.md §1 "Performance").
 */
export class Pacer {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  get pending(): number {
    return this.waiting.length - this.head + this.inFlight;
  }

  /** Runs `job` when a slot is free; `job` calls the `done` it is given exactly once. */
  run(job: (done: () => void) => void): void {
    const start = (): void => {
      this.inFlight++;
      let finished = false;
      job(() => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        this.next();
      });
    };
    if (this.inFlight < this.limit) start();
    else this.waiting.push(start);
  }

  private next(): void {
    while (this.inFlight < this.limit && this.head < this.waiting.length) {
      const job = this.waiting[this.head];
      this.waiting[this.head++] = noop;
      job?.();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}

const noop = (): void => {};
