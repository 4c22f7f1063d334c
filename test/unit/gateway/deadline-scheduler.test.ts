import { describe, expect, it } from "vitest";
import { DeadlineScheduler, type Deadline } from "../../../src/gateway/deadline-scheduler.js";
import { SimClock } from "./helpers.js";

function make(clock: SimClock, live: Set<Deadline> | undefined = undefined, batch?: number) {
  const fired: string[] = [];
  const scheduler = new DeadlineScheduler({
    clock,
    fire: (d) => {
      if (live !== undefined && !live.has(d)) return false;
      fired.push(`${d.watcher}@${d.at - 1_700_000_000_000}`);
      return true;
    },
    isLive: (d) => live === undefined || live.has(d),
    liveCount: () => live?.size ?? 0,
    ...(batch === undefined ? {} : { batch }),
  });
  return { scheduler, fired };
}
const at = (ms: number, watcher = "w"): Deadline => ({ at: 1_700_000_000_000 + ms, contact: "c", watcher, kind: "resend" });

describe("DeadlineScheduler", () => {
  it("fires in deadline order with one timer armed at a time", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    for (const ms of [500, 100, 300, 200, 400]) scheduler.add(at(ms, `w${ms}`));
    expect(clock.pending).toBe(1);
    clock.advance(250);
    expect(fired).toEqual(["w100@100", "w200@200"]);
    clock.advance(1_000);
    expect(fired).toEqual(["w100@100", "w200@200", "w300@300", "w400@400", "w500@500"]);
    expect(clock.pending).toBe(0);
  });

  it("stale entries are skipped and do not count towards a batch", () => {
    const clock = new SimClock();
    const live = new Set<Deadline>();
    const { scheduler, fired } = make(clock, live, 2);
    const entries = [at(10, "a"), at(20, "b"), at(30, "c"), at(40, "d")];
    for (const e of entries) scheduler.add(e);
    live.add(entries[1] as Deadline).add(entries[3] as Deadline);
    clock.advance(100);
    expect(fired).toEqual(["b@20", "d@40"]);
  });

  it("a far deadline is clamped to setTimeout's 32-bit limit and re-armed on wake-up", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    scheduler.add(at(40 * 24 * 3_600_000));
    clock.advance(2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(1);
    clock.advance(40 * 24 * 3_600_000);
    expect(fired).toHaveLength(1);
  });

  it("compacts when stale entries outnumber live ones four to one", () => {
    const clock = new SimClock();
    const live = new Set<Deadline>();
    const { scheduler } = make(clock, live);
    for (let i = 0; i < 5_000; i++) scheduler.add(at(1_000 + i), false);
    expect(scheduler.size).toBeLessThanOrEqual(1_025);
  });

  it("stop() clears the timer; nothing fires afterwards", () => {
    const clock = new SimClock();
    const { scheduler, fired } = make(clock);
    scheduler.add(at(10));
    scheduler.stop();
    clock.advance(100);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
