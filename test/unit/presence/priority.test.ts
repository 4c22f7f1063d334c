import { describe, expect, it } from "vitest";
import { pidfToXmppPriority, xmppToPidfPriority } from "../../../src/presence/index.js";

describe("priority rescaling", () => {
  it("round-trips every XMPP priority -128..127", () => {
    const failures: number[] = [];
    for (let p = -128; p <= 127; p++) if (pidfToXmppPriority(xmppToPidfPriority(p)) !== p) failures.push(p);
    expect(failures).toEqual([]);
  });

  it("gives PIDF qvalues with at most three decimals, -128 → 0 and 127 → 1", () => {
    expect(xmppToPidfPriority(-128)).toBe(0);
    expect(xmppToPidfPriority(127)).toBe(1);
    expect(xmppToPidfPriority(0)).toBe(0.502);
    expect(xmppToPidfPriority(1)).toBe(0.506);
    for (let p = -128; p <= 127; p++) {
      const q = xmppToPidfPriority(p);
      expect(Number(q.toFixed(3))).toBe(q);
    }
  });

  it("clamps out-of-range input on both sides", () => {
    expect(xmppToPidfPriority(500)).toBe(1);
    expect(xmppToPidfPriority(-500)).toBe(0);
    expect(pidfToXmppPriority(2)).toBe(127);
    expect(pidfToXmppPriority(-1)).toBe(-128);
  });

  it("maps PIDF values between the steps to the nearest XMPP priority", () => {
    expect(pidfToXmppPriority(0.5)).toBe(0);
    expect(pidfToXmppPriority(0.8)).toBe(76);
    expect(Object.is(pidfToXmppPriority(0.5), 0)).toBe(true);
  });

  it("gives 0 for a value that is not a number", () => {
    expect(pidfToXmppPriority(Number.NaN)).toBe(0);
    expect(xmppToPidfPriority(Number.NaN)).toBe(0.502);
  });
});
