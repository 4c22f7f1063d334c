/** Pacer: at most N SIP transactions in flight. */
import { describe, expect, it } from "vitest";
import { Pacer } from "../../../src/sip/stack-pacer.js";

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
