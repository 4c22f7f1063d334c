import { describe, expect, it } from "vitest";
import { notifyAccount } from "../../../bench/e2e-paths.js";

describe("the e2e bench's account of an XMPP → SIP run", () => {
  it("calls changes without a NOTIFY coalesced when every NOTIFY sent arrived (no CSeq hole)", () => {
    expect(notifyAccount([6, 7, 8, 9], 5, 13, 10999, 10999)).toEqual({ notifies: 4, lost: 0, coalesced: 13, finalRight: true });
  });

  it("counts a hole in the CSeq numbers as a lost NOTIFY, and a retransmission once", () => {
    expect(notifyAccount([6, 7, 7, 9, 10], 5, 3, 10999, 10999)).toEqual({ notifies: 4, lost: 1, coalesced: 2, finalRight: true });
    // A lost NOTIFY carried one change at most: never more lost than undelivered.
    expect(notifyAccount([6, 9], 5, 1, 10999, 10999)).toEqual({ notifies: 2, lost: 1, coalesced: 0, finalRight: true });
  });

  it("says the final state is wrong when the last NOTIFY is not the last change, and all lost when none came", () => {
    expect(notifyAccount([6, 7], 5, 1, 10998, 10999).finalRight).toBe(false);
    expect(notifyAccount([], 5, 1000, undefined, 10999)).toEqual({ notifies: 0, lost: 1000, coalesced: 0, finalRight: false });
  });
});
