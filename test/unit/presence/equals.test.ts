import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  makePresence,
  presenceEquals,
  presenceKey,
  type PresenceEntry,
  type PresenceFields,
} from "../../../src/presence/index.js";

const origin = { side: "sip", entity: "sip:alice@example.com", via: "t1" } as const;
const entry: PresenceEntry = { id: "t1", availability: "available", activities: ["busy"], notes: { en: "x" }, priority: 1 };

const base: PresenceFields = {
  availability: "available",
  show: "away",
  activities: ["busy", "meeting"],
  otherActivities: ["gardening"],
  moods: ["happy"],
  placeTypes: ["office"],
  phone: "idle",
  notes: { en: "In a meeting", de: "In einer Besprechung" },
  priority: 5,
  idleSince: "2026-11-25T10:00:00Z",
  entries: [entry],
  origin,
};

const a = makePresence(base);

describe("presenceEquals and presenceKey", () => {
  it("equal for separately built equal values, whatever the notes' key order", () => {
    const b = makePresence({ ...base, notes: { de: "In einer Besprechung", en: "In a meeting" }, activities: ["meeting", "busy"] });
    expect(b).not.toBe(a);
    expect(presenceEquals(a, b)).toBe(true);
    expect(presenceKey(a)).toBe(presenceKey(b));
  });

  it.each<[string, Partial<PresenceFields>]>([
    ["availability", { availability: "unavailable" }],
    ["show", { show: "dnd" }],
    ["show absent", { show: undefined }],
    ["activities", { activities: ["busy"] }],
    ["other activities order", { otherActivities: ["gardening", "cooking"] }],
    ["moods", { moods: [] }],
    ["place types", { placeTypes: ["car"] }],
    ["phone", { phone: "ringing" }],
    ["a note's text", { notes: { en: "In a meeting", de: "Besprechung" } }],
    ["a note less", { notes: { en: "In a meeting" } }],
    ["a note more", { notes: { en: "In a meeting", de: "In einer Besprechung", fr: "En réunion" } }],
    ["priority", { priority: 6 }],
    ["idle", { idleSince: "2026-11-25T10:00:01Z" }],
  ])("differs in %s", (_what, change) => {
    const b = makePresence({ ...base, ...change });
    expect(presenceEquals(a, b)).toBe(false);
    expect(presenceEquals(a, b, { ignoreOrigin: true, ignoreEntries: true })).toBe(false);
    expect(presenceKey(a)).not.toBe(presenceKey(b));
  });

  it("origin counts unless ignored", () => {
    const b = makePresence({ ...base, origin: { side: "xmpp", entity: "juliet@capulet.lit" } });
    expect(presenceEquals(a, b)).toBe(false);
    expect(presenceEquals(a, b, { ignoreOrigin: true })).toBe(true);
    expect(presenceKey(a, { ignoreOrigin: true })).toBe(presenceKey(b, { ignoreOrigin: true }));
    expect(presenceKey(a)).not.toBe(presenceKey(b));
  });

  it("entries count unless ignored", () => {
    const b = makePresence({ ...base, entries: [{ ...entry, updated: "2026-11-25T10:00:00Z" }] });
    expect(presenceEquals(a, b)).toBe(false);
    expect(presenceEquals(a, b, { ignoreEntries: true })).toBe(true);
    expect(presenceKey(a, { ignoreEntries: true })).toBe(presenceKey(b, { ignoreEntries: true }));
    expect(presenceKey(a)).not.toBe(presenceKey(b));
  });

  it.each<[string, Partial<PresenceEntry>]>([
    ["id", { id: "t2" }],
    ["availability", { availability: "unavailable" }],
    ["show", { show: "chat" }],
    ["phone", { phone: "in-call" }],
    ["activities", { activities: [] }],
    ["notes", { notes: { en: "y" } }],
    ["priority", { priority: 2 }],
    ["idle", { idleSince: "2026-11-25T10:00:00Z" }],
    ["contact", { contact: "sip:1001@pbx.example.com" }],
  ])("an entry differing in %s makes the values differ", (_what, change) => {
    const b = makePresence({ ...base, entries: [{ ...entry, ...change }] });
    expect(presenceEquals(a, b)).toBe(false);
    expect(presenceKey(a)).not.toBe(presenceKey(b));
  });

  it("the key agrees with equality on random values", () => {
    const fields = fc.record({
      availability: fc.constantFrom("available" as const, "unavailable" as const),
      show: fc.option(fc.constantFrom("chat" as const, "away" as const), { nil: undefined }),
      activities: fc.subarray(["away", "busy", "on-the-phone"]),
      notes: fc.dictionary(fc.constantFrom("", "en", "de"), fc.constantFrom("a", "b")),
      priority: fc.integer({ min: 0, max: 1 }),
      origin: fc.record({ side: fc.constantFrom("sip" as const, "xmpp" as const) }),
    });
    fc.assert(
      fc.property(fields, fields, fc.boolean(), (x, y, ignoreOrigin) => {
        const p = makePresence(x);
        const q = makePresence(y);
        expect(presenceEquals(p, q, { ignoreOrigin })).toBe(presenceKey(p, { ignoreOrigin }) === presenceKey(q, { ignoreOrigin }));
      }),
      { numRuns: 2000 },
    );
  });
});
