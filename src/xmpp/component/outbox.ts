/**
 * The stanzas waiting while the component link is down. Bounded: a newer presence
 * for the same (from, to) pair replaces the older one (only the latest state
 * matters, RFC 6121 §4.4), and when the queue is full the oldest stanza goes.
 * Both are counted. Subscription stanzas and iq are never coalesced: each one is
 * a request or an answer of its own.
 */
import type { Element } from "ltx";

export interface OutboxCounts {
  readonly queued: number;
  /** Presence replaced by a newer one for the same pair, or dropped when the queue was full. */
  readonly droppedPresence: number;
  /** Other stanzas dropped when the queue was full. */
  readonly droppedOther: number;
}

interface Item {
  readonly element: Element;
  /** `from\0to` for a broadcast presence (available/unavailable); undefined for everything else. */
  readonly pair: string | undefined;
}

/** Available and unavailable presence are state broadcasts; a later one supersedes an earlier one. */
function pairOf(element: Element): string | undefined {
  if (element.name !== "presence") return undefined;
  const type = element.attrs.type as string | undefined;
  if (type !== undefined && type !== "unavailable") return undefined;
  return `${String(element.attrs.from ?? "")}\u0000${String(element.attrs.to ?? "")}`;
}

export class Outbox {
  // A Map keeps insertion order: iteration is FIFO, and deleting a superseded
  // presence is O(1). Keys are sequence numbers.
  private readonly items = new Map<number, Item>();
  private readonly byPair = new Map<string, number>();
  private next = 0;
  private droppedPresence = 0;
  private droppedOther = 0;

  constructor(private readonly limit: number) {}

  push(element: Element): void {
    const pair = pairOf(element);
    if (pair !== undefined) {
      const older = this.byPair.get(pair);
      if (older !== undefined) {
        this.items.delete(older);
        this.droppedPresence++;
      }
      this.byPair.set(pair, this.next);
    }
    this.items.set(this.next++, { element, pair });
    if (this.items.size > this.limit) this.dropOldest();
  }

  private dropOldest(): void {
    const [key, item] = this.items.entries().next().value as [number, Item];
    this.items.delete(key);
    if (item.pair !== undefined) {
      this.byPair.delete(item.pair);
      this.droppedPresence++;
    } else {
      this.droppedOther++;
    }
  }

  /** Everything queued, oldest first; the queue is empty afterwards. */
  drain(): Element[] {
    const out = [...this.items.values()].map((item) => item.element);
    this.items.clear();
    this.byPair.clear();
    return out;
  }

  get size(): number {
    return this.items.size;
  }

  counts(): OutboxCounts {
    return { queued: this.items.size, droppedPresence: this.droppedPresence, droppedOther: this.droppedOther };
  }
}
