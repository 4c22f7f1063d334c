import { describe, expect, it } from "vitest";
import { sipBodiesToPresence, sipToPresence } from "../../../src/mapping/index.js";
import { asteriskPidf, dialog, dialogInfo, person, pidf, profile, text, tuple } from "./builders.js";

const table = profile("default");

describe("sipBodiesToPresence: several publications of one presentity composed (RFC 3903 ESC)", () => {
  it("one body gives what sipToPresence gives", () => {
    const body = asteriskPidf("closed", "On the phone", "on-the-phone");
    expect(sipBodiesToPresence([body], table)).toEqual(sipToPresence(body, table));
  });

  it("a desk phone in a call and a softphone idle: the call wins", () => {
    const desk = asteriskPidf("closed", "On the phone", "on-the-phone");
    const soft = pidf({ tuples: [tuple({ id: "soft", basic: "open" })] });
    const { presence, rule } = sipBodiesToPresence([soft, desk], table);
    expect([presence.availability, presence.show, presence.phone, rule]).toEqual(["available", "dnd", "in-call", "on-the-phone"]);
    expect(presence.entries.map((e) => e.id)).toEqual(["0:soft", "1:1001"]);
  });

  it("a PIDF publication and a dialog-info publication: the ringing dialog shows", () => {
    const presenceBody = pidf({ tuples: [tuple({ basic: "open" })] });
    const blf = dialogInfo([dialog({ id: "d1", state: "early", direction: "recipient" })]);
    const { presence, rule } = sipBodiesToPresence([presenceBody, blf], table);
    expect([presence.show, presence.phone, rule, presence.notes]).toEqual(["dnd", "ringing", "ringing", { "": "Ringing" }]);
  });

  it("person notes come from the first (newest) body that has any", () => {
    const newer = pidf({ tuples: [tuple({ basic: "open" })], persons: [person({ activities: ["away"], notes: [text("Back at 3")] })] });
    const older = pidf({ tuples: [tuple({ basic: "open" })], persons: [person({ notes: [text("Old note")] })] });
    const { presence } = sipBodiesToPresence([newer, older], table);
    expect([presence.show, presence.notes]).toEqual(["away", { "": "Back at 3" }]);
  });

  it("every publication closed: unavailable; none at all: unavailable", () => {
    const closed = pidf({ tuples: [tuple({ basic: "closed" })] });
    expect(sipBodiesToPresence([closed, closed], table).presence.availability).toBe("unavailable");
    expect(sipBodiesToPresence([], table).presence.availability).toBe("unavailable");
  });
});
