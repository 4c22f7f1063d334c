import { describe, expect, it } from "vitest";
import { makeEntry, makePresence, type Presence } from "../../../src/presence/index.js";

const sip = { side: "sip", entity: "sip:alice@example.com" } as const;

function expectDeeplyFrozen(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  expect(Object.isFrozen(value)).toBe(true);
  for (const child of Object.values(value)) expectDeeplyFrozen(child);
}

describe("makePresence", () => {
  it("fills defaults and writes no absent optional field", () => {
    const p = makePresence({ availability: "available", origin: sip });
    expect(p).toEqual({
      availability: "available",
      activities: [],
      otherActivities: [],
      moods: [],
      placeTypes: [],
      notes: {},
      priority: 0,
      entries: [],
      origin: { side: "sip", entity: "sip:alice@example.com" },
    });
    expect(Object.keys(p)).toEqual([
      "availability", "activities", "otherActivities", "moods", "placeTypes", "notes", "priority", "entries", "origin",
    ]);
  });

  it("sorts and dedups activities, moods and place types; keeps other-activity order", () => {
    const p = makePresence({
      availability: "available",
      activities: ["on-the-phone", "busy", "on-the-phone", "away"],
      moods: ["happy", "angry", "happy"],
      placeTypes: ["office", "car"],
      otherActivities: ["gardening", "at the gym", "gardening"],
      origin: sip,
    });
    expect(p.activities).toEqual(["away", "busy", "on-the-phone"]);
    expect(p.moods).toEqual(["angry", "happy"]);
    expect(p.placeTypes).toEqual(["car", "office"]);
    expect(p.otherActivities).toEqual(["gardening", "at the gym"]);
  });

  it("drops show when unavailable but keeps phone, notes, activities and idle", () => {
    const p = makePresence({
      availability: "unavailable",
      show: "dnd",
      phone: "in-call",
      activities: ["on-the-phone"],
      notes: { "": "On the phone" },
      idleSince: "2026-11-25T10:00:00Z",
      origin: sip,
    });
    expect(p.show).toBeUndefined();
    expect("show" in p).toBe(false);
    expect(p.phone).toBe("in-call");
    expect(p.notes).toEqual({ "": "On the phone" });
    expect(p.activities).toEqual(["on-the-phone"]);
    expect(p.idleSince).toBe("2026-11-25T10:00:00Z");
  });

  it("keeps show when available", () => {
    expect(makePresence({ availability: "available", show: "xa", origin: sip }).show).toBe("xa");
  });

  it.each([
    [5, 5], [127, 127], [128, 127], [1000, 127], [-128, -128], [-129, -128], [2.9, 2], [-2.9, -2], [Number.NaN, 0], [-0, 0],
  ])("priority %d becomes %d", (given, expected) => {
    expect(Object.is(makePresence({ availability: "available", priority: given, origin: sip }).priority, expected)).toBe(true);
  });

  it("returns a deeply frozen value, entries included", () => {
    const p = makePresence({
      availability: "available",
      activities: ["busy"],
      notes: { en: "Busy" },
      entries: [{ id: "t1", availability: "available", activities: ["busy"], notes: { en: "x" }, priority: 0 }],
      origin: { side: "xmpp", entity: "juliet@capulet.lit", via: "balcony" },
    });
    expectDeeplyFrozen(p);
  });

  it("copies what it is given: later changes to the input do not show", () => {
    const activities = ["busy"];
    const notes: Record<string, string> = { en: "Busy" };
    const p = makePresence({ availability: "available", activities, notes, origin: sip });
    activities.push("away");
    notes.de = "Beschäftigt";
    expect(p.activities).toEqual(["busy"]);
    expect(p.notes).toEqual({ en: "Busy" });
  });

  it("returns a value it made unchanged", () => {
    const p = makePresence({ availability: "available", activities: ["busy"], origin: sip });
    expect(makePresence(p)).toBe(p);
  });

  it("normalises entries through makeEntry", () => {
    const p = makePresence({
      availability: "available",
      entries: [{ id: "t1", availability: "unavailable", show: "away", activities: ["b", "a", "b"], notes: {}, priority: 300 }],
      origin: sip,
    });
    expect(p.entries).toEqual([{ id: "t1", availability: "unavailable", activities: ["a", "b"], notes: {}, priority: 127 }]);
  });

  it("keeps a __proto__ language as an ordinary note", () => {
    const notes = JSON.parse('{"__proto__": "odd"}') as Record<string, string>;
    const p: Presence = makePresence({ availability: "available", notes, origin: sip });
    expect(Object.keys(p.notes)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(p.notes)).toBe(Object.prototype);
  });
});

describe("makeEntry", () => {
  it("fills defaults", () => {
    expect(makeEntry({ id: "balcony", availability: "available" })).toEqual({
      id: "balcony", availability: "available", activities: [], notes: {}, priority: 0,
    });
  });

  it("keeps every optional field it is given", () => {
    const entry = makeEntry({
      id: "t1",
      availability: "available",
      show: "away",
      phone: "ringing",
      activities: ["on-the-phone"],
      notes: { "": "Ringing" },
      priority: -5,
      idleSince: "2026-11-25T09:00:00Z",
      contact: "sip:1001@pbx.example.com",
      updated: "2026-11-25T09:30:00Z",
    });
    expect(entry).toEqual({
      id: "t1",
      availability: "available",
      show: "away",
      phone: "ringing",
      activities: ["on-the-phone"],
      notes: { "": "Ringing" },
      priority: -5,
      idleSince: "2026-11-25T09:00:00Z",
      contact: "sip:1001@pbx.example.com",
      updated: "2026-11-25T09:30:00Z",
    });
    expectDeeplyFrozen(entry);
  });

  it("drops show on an unavailable entry and returns a made entry unchanged", () => {
    const entry = makeEntry({ id: "t1", availability: "unavailable", show: "chat" });
    expect("show" in entry).toBe(false);
    expect(makeEntry(entry)).toBe(entry);
  });
});
