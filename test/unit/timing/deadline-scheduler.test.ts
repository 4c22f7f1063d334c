/**
 * The one deadline scheduler: a min-heap and one Clock timer, as the subscription registry
 * (liveness from the record, batches of 1,000), person-sync (every entry fires, no batch limit)
 * and the SIP stack (KeyedDeadlineScheduler: one deadline per key, batches of 500) use it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/gateway/ports.js";
import { COMPACT_SLACK, DeadlineScheduler, KeyedDeadlineScheduler } from "../../../src/timing/deadline-scheduler.js";
import { SimClock, simulated } from "../gateway/helpers.js";

interface Entry {
  readonly at: number;
  readonly name: string;
}

const T0 = 1_700_000_000_000;
const at = (ms: number, name = "w"): Entry => ({ at: T0 + ms, name });

/** A scheduler whose entries are live while in `live` (every one when it is undefined), as the registry's. */
function make(clock: Clock, live: Set<Entry> | undefined = undefined, batch = 1_000) {
  const fired: string[] = [];
  const scheduler = new DeadlineScheduler<Entry>({
    clock,
    batch,
    fire: (e) => {
      if (live !== undefined && !live.has(e)) return false;
      fired.push(`${e.name}@${e.at - T0}`);
      return true;
    },
    ...(live === undefined ? {} : { liveness: { isLive: (e: Entry) => live.has(e), count: () => live.size } }),
  });
  return { scheduler, fired };
}

/** A SimClock that records the delay of every timer armed: one per turn of the scheduler. */
function delaysOf(clock: SimClock): number[] {
  const delays: number[] = [];
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => {
    delays.push(ms);
    return setTimeout(fn, ms);
  };
  return delays;
}

describe("DeadlineScheduler", () => {
  it("fires in deadline order with one timer armed at a time", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    for (const ms of [500, 100, 300, 200, 400]) scheduler.add(at(ms, `w${ms}`));
    expect(clock.pending).toBe(1);
    clock.advance(250);
    expect(fired).toEqual(["w100@100", "w200@200"]);
    expect(clock.pending).toBe(1);
    clock.advance(1_000);
    expect(fired).toEqual(["w100@100", "w200@200", "w300@300", "w400@400", "w500@500"]);
    expect(clock.pending).toBe(0);
  });

  it("fires every deadline once, earliest first, whatever the order they were scheduled in (late wake-ups included)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 700 }), (deadlines, step) => {
        const { sim, clock, armed } = simulated();
        const fired: [string, number, number][] = [];
        const scheduler = new DeadlineScheduler<{ at: number; key: string }>({
          clock,
          batch: Number.POSITIVE_INFINITY,
          fire: ({ key, at: due }, now) => {
            fired.push([key, due, now]);
          },
        });
        deadlines.forEach((due, i) => scheduler.add({ at: due, key: `k${i}` }));
        while (sim.now() <= 5_000) sim.increment(step);
        expect(fired).toHaveLength(deadlines.length);
        expect(new Set(fired.map(([key]) => key)).size).toBe(deadlines.length);
        for (const [, due, now] of fired) expect(now).toBeGreaterThanOrEqual(due);
        const order = fired.map(([, due]) => due);
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect([scheduler.size, armed()]).toEqual([0, 0]);
      }),
      { numRuns: 200 },
    );
  });

  it("a full batch leaves the rest to a 0 ms timer; stale entries do not count towards a batch", () => {
    const clock = new SimClock();
    const delays = delaysOf(clock);
    const live = new Set<Entry>();
    const { scheduler, fired } = make(clock, live, 2);
    const last = at(10, "z");
    const entries = ["a", "b", "c", "d", "e", "f", "g"].map((name, i) => at(i + 1, name));
    for (const e of [last, ...entries]) if (e.name !== "b" && e.name !== "d") live.add(e);
    scheduler.add(last);
    // Added without moving the timer: all seven are overdue when it wakes at 10.
    for (const e of entries) scheduler.add(e, false);
    clock.advance(10);
    // Turn 1: a, (b stale), c; turn 2: (d stale), e, f; turn 3: g, z.
    expect(fired).toEqual(["a@1", "c@3", "e@5", "f@6", "g@7", "z@10"]);
    expect(delays).toEqual([10, 0, 0]);
    expect(clock.pending).toBe(0);
  });

  it("with no batch limit everything due fires in one turn, and an entry added while firing waits for the end of it", () => {
    const clock = new SimClock();
    const delays = delaysOf(clock);
    const fired: string[] = [];
    const scheduler: DeadlineScheduler<Entry> = new DeadlineScheduler<Entry>({
      clock,
      batch: Number.POSITIVE_INFINITY,
      fire: (e, now) => {
        fired.push(`${e.name}@${now - T0}`);
        if (e.name === "a") scheduler.add(at(50, "later"));
      },
    });
    for (let i = 0; i < 3_000; i++) scheduler.add(at(10, i === 0 ? "a" : "x"));
    clock.advance(20);
    expect(fired).toHaveLength(3_000);
    expect(fired[0]).toBe("a@10");
    expect(delays).toEqual([10, 40]);
    clock.advance(100);
    expect(fired.at(-1)).toBe("later@50");
  });

  it("a far deadline is clamped to setTimeout's 32-bit limit and re-armed on wake-up", () => {
    const clock = new SimClock();
    const delays = delaysOf(clock);
    const { scheduler, fired } = make(clock);
    const far = 40 * 24 * 3_600_000;
    scheduler.add(at(far));
    clock.advance(2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(delays).toEqual([2 ** 31 - 1, far - (2 ** 31 - 1)]);
    clock.advance(far);
    expect(fired).toEqual([`w@${far}`]);
  });

  it("compacts when stale entries outnumber live ones by more than COMPACT_SLACK, keeping the live ones in order", () => {
    const clock = new SimClock();
    const live = new Set<Entry>();
    const { scheduler, fired } = make(clock, live);
    for (const ms of [5_000, 1_000, 4_000, 2_000, 3_000]) {
      const e = at(ms, `live${ms}`);
      live.add(e);
      scheduler.add(e, false);
    }
    // Stale entries, earlier than every live one: 2 × 5 + COMPACT_SLACK entries are kept, one more rebuilds.
    for (let i = 0; i < 5 + COMPACT_SLACK; i++) scheduler.add(at(i % 900, "stale"), false);
    expect(scheduler.size).toBe(2 * live.size + COMPACT_SLACK);
    scheduler.add(at(1, "stale"), false);
    expect(scheduler.size).toBe(live.size);
    scheduler.rearm();
    clock.advance(10_000);
    expect(fired).toEqual(["live1000@1000", "live2000@2000", "live3000@3000", "live4000@4000", "live5000@5000"]);
  });

  it("without liveness nothing is stale: no compaction, every entry fires", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    for (let i = 0; i < 3 * COMPACT_SLACK; i++) scheduler.add(at(1 + (i % 3), `e${i % 3}`), false);
    expect(scheduler.size).toBe(3 * COMPACT_SLACK);
    scheduler.rearm();
    clock.advance(10);
    expect(fired).toHaveLength(3 * COMPACT_SLACK);
    expect(fired.slice(0, COMPACT_SLACK).every((f) => f === "e0@1")).toBe(true);
    expect(fired.at(-1)).toBe("e2@3");
  });

  it("the timer waits for the earliest live entry, not for a stale one on top", () => {
    const clock = new SimClock();
    const delays = delaysOf(clock);
    const live = new Set<Entry>();
    const { scheduler, fired } = make(clock, live);
    const kept = at(30, "kept");
    live.add(kept);
    scheduler.add(at(10, "stale"), false);
    scheduler.add(at(20, "stale"), false);
    scheduler.add(kept, false);
    scheduler.rearm();
    expect(delays).toEqual([30]);
    expect(scheduler.size).toBe(1);
    clock.advance(100);
    expect(fired).toEqual(["kept@30"]);
  });

  it("clear() drops every entry and the timer; a later add arms again", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    scheduler.add(at(10, "a"));
    scheduler.add(at(20, "b"));
    scheduler.clear();
    expect([scheduler.size, clock.pending]).toEqual([0, 0]);
    scheduler.add(at(30, "c"));
    clock.advance(100);
    expect(fired).toEqual(["c@30"]);
  });

  it("stop() clears the timer for good; nothing fires afterwards, even what is added later", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    scheduler.add(at(10));
    scheduler.stop();
    scheduler.add(at(5));
    scheduler.rearm();
    clock.advance(100);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});

describe("KeyedDeadlineScheduler", () => {
  it("fires in time order, once per key; set() replaces a key's deadline, delete() drops it, get() reads it", () => {
    const clock = new SimClock(0);
    const fired: string[] = [];
    const s = new KeyedDeadlineScheduler<string>({ clock, onDue: (key, value, due) => fired.push(`${key}:${value}@${due}`) });
    s.set("a", 300, "refresh");
    s.set("b", 100, "retry");
    s.set("c", 200, "refresh");
    s.set("a", 150, "retry"); // replaces a@300
    s.delete("c");
    s.delete("nobody");
    expect(s.size).toBe(2);
    expect(s.get("a")).toMatchObject({ at: 150, value: "retry" });
    expect(s.get("c")).toBeUndefined();
    clock.advance(1_000);
    expect(fired).toEqual(["b:retry@100", "a:retry@150"]);
    expect([s.size, s.get("a"), clock.pending]).toEqual([0, undefined, 0]);
  });

  it("a key set again from its own callback fires again", () => {
    const clock = new SimClock(0);
    const fired: number[] = [];
    const s: KeyedDeadlineScheduler<null> = new KeyedDeadlineScheduler<null>({
      clock,
      onDue: (key, _value, due) => {
        fired.push(due);
        if (fired.length < 3) s.set(key, due + 100, null);
      },
    });
    s.set("k", 100, null);
    clock.advance(1_000);
    expect(fired).toEqual([100, 200, 300]);
  });

  it("clear() drops every key and the timer", () => {
    const clock = new SimClock(0);
    const fired: string[] = [];
    const s = new KeyedDeadlineScheduler<number>({ clock, onDue: (key) => fired.push(key) });
    s.set("a", 10, 1);
    s.set("b", 20, 2);
    s.clear();
    expect([s.size, s.get("a"), clock.pending]).toEqual([0, undefined, 0]);
    s.set("c", 30, 3);
    clock.advance(100);
    expect(fired).toEqual(["c"]);
  });

  it("serves 100,000 deadlines with one timer armed, in order, in bounded batches", () => {
    const clock = new SimClock(0);
    const fired: number[] = [];
    const s = new KeyedDeadlineScheduler<number>({ clock, onDue: (_key, value) => fired.push(value) });
    for (let i = 0; i < 100_000; i++) s.set(`k${i}`, ((i * 7919) % 100_000) + 1, ((i * 7919) % 100_000) + 1);
    for (let i = 0; i < 50_000; i++) s.set(`k${i}`, 200_000 + i, 200_000 + i); // re-armed: leaves dead entries
    expect([s.size, clock.pending]).toEqual([100_000, 1]);
    clock.advance(200_000 + 1_000);
    // 50,000 of the first deadlines, then the first 1,001 of the re-armed ones.
    expect(fired).toHaveLength(51_001);
    clock.advance(100_000);
    expect(fired).toHaveLength(100_000);
    expect(fired.every((v, i) => i === 0 || (fired[i - 1] ?? 0) <= v)).toBe(true);
    expect([s.size, clock.pending]).toEqual([0, 0]);
  });

  it("a batch option bounds the turn", () => {
    const clock = new SimClock(0);
    const delays = delaysOf(clock);
    const fired: string[] = [];
    const s = new KeyedDeadlineScheduler<number>({ clock, onDue: (key) => fired.push(key), batch: 2 });
    for (const key of ["a", "b", "c", "d", "e"]) s.set(key, 10, 0);
    clock.advance(10);
    // Equal deadlines fire in no promised order.
    expect([...fired].sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(delays).toEqual([10, 0, 0]);
  });
});
