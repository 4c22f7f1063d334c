/** DeadlineScheduler: one timer for many deadlines, replaced and deleted by key, fired in time order. */
import { describe, expect, it } from "vitest";
import { DeadlineScheduler } from "../../../src/sip/stack-scheduler.js";
import { Pacer } from "../../../src/sip/stack-pacer.js";
import { ManualClock } from "./helpers.js";

describe("DeadlineScheduler", () => {
  it("fires in time order, once per key; set() replaces a key's deadline, delete() drops it", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const s = new DeadlineScheduler<string>(clock, (key, value, at) => fired.push(`${key}:${value}@${at}`));
    s.set("a", 300, "refresh");
    s.set("b", 100, "retry");
    s.set("c", 200, "refresh");
    s.set("a", 150, "retry"); // replaces a@300
    s.delete("c");
    clock.advance(1_000);
    expect(fired).toEqual(["b:retry@100", "a:retry@150"]);
    expect(s.size).toBe(0);
  });

  it("serves 100,000 deadlines with one timer armed, in order, in bounded batches", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const s = new DeadlineScheduler<number>(clock, (_key, value) => fired.push(value), 1_000);
    for (let i = 0; i < 100_000; i++) s.set(`k${i}`, ((i * 7919) % 100_000) + 1, ((i * 7919) % 100_000) + 1);
    for (let i = 0; i < 50_000; i++) s.set(`k${i}`, 200_000 + i, 200_000 + i); // re-armed: leaves dead entries
    clock.advance(300_000);
    expect(fired).toHaveLength(100_000);
    expect(fired.every((v, i) => i === 0 || (fired[i - 1] ?? 0) <= v)).toBe(true);
  });
});

describe("Pacer", () => {
  it("keeps at most N jobs running and starts the next when one is done", () => {
    const pacer = new Pacer(2);
    const done: (() => void)[] = [];
    const started: number[] = [];
    for (let i = 0; i < 5; i++) pacer.run((d) => { started.push(i); done.push(d); });
    expect(started).toEqual([0, 1]);
    done[0]?.();
    done[0]?.(); // twice counts once
    expect(started).toEqual([0, 1, 2]);
    done[1]?.();
    done[2]?.();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(pacer.pending).toBe(2);
  });
});
