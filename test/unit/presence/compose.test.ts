import { describe, expect, it } from "vitest";
import {
  compose,
  isEngaged,
  leadOrder,
  makeEntry,
  PHONE_ORDER,
  SHOW_ORDER,
  type EntryFields,
  type PresenceEntry,
  type Show,
} from "../../../src/presence/index.js";

const origin = { side: "sip", entity: "sip:1001@pbx.example.com" } as const;
const entry = (id: string, fields: Partial<EntryFields> = {}): PresenceEntry =>
  makeEntry({ availability: "available", ...fields, id });
const closed = (id: string, fields: Partial<EntryFields> = {}): PresenceEntry => entry(id, { availability: "unavailable", ...fields });

describe("compose: rule 1, engaged", () => {
  it.each(["dialing", "ringing", "in-call", "on-hold"] as const)("phone %s is engaged", (phone) => {
    expect(isEngaged(closed("t", { phone }))).toBe(true);
  });
  it("on-the-phone activity is engaged; idle phone and other activities are not", () => {
    expect(isEngaged(closed("t", { activities: ["on-the-phone"] }))).toBe(true);
    expect(isEngaged(entry("t", { phone: "idle", activities: ["busy"] }))).toBe(false);
  });
});

describe("compose: rule 2, availability", () => {
  it("no entries → unavailable with empty defaults", () => {
    expect(compose([], {}, origin)).toEqual({
      availability: "unavailable", activities: [], otherActivities: [], moods: [], placeTypes: [],
      notes: {}, priority: 0, entries: [], origin,
    });
  });
  it("only closed entries → unavailable", () => {
    expect(compose([closed("a"), closed("b")], {}, origin).availability).toBe("unavailable");
  });
  it("Asterisk in a call: a closed tuple with on-the-phone is busy, not offline", () => {
    const tuple = closed("1001", { activities: ["on-the-phone"], notes: { "": "On the phone" } });
    const view = compose([tuple], {}, origin);
    expect(view).toEqual({
      availability: "available", activities: ["on-the-phone"], otherActivities: [], moods: [], placeTypes: [],
      notes: { "": "On the phone" }, priority: 0, entries: [tuple], origin,
    });
  });
  it("a closed tuple with a ringing phone is available", () => {
    expect(compose([closed("1001", { phone: "ringing" })], {}, origin).availability).toBe("available");
  });
});

describe("compose: rule 3, phone state", () => {
  it("undefined when no entry has one", () => {
    expect("phone" in compose([entry("a"), entry("b")], {}, origin)).toBe(false);
  });
  it.each(PHONE_ORDER.flatMap((busier, i) => PHONE_ORDER.slice(i + 1).map((calmer) => [busier, calmer] as const)))(
    "%s wins over %s in either order",
    (busier, calmer) => {
      expect(compose([entry("a", { phone: busier }), entry("b", { phone: calmer })], {}, origin).phone).toBe(busier);
      expect(compose([entry("a", { phone: calmer }), entry("b", { phone: busier })], {}, origin).phone).toBe(busier);
    },
  );
  it("takes a closed entry's phone state too", () => {
    expect(compose([entry("chat", { show: "chat" }), closed("desk", { phone: "on-hold" })], {}, origin).phone).toBe("on-hold");
  });
});

describe("compose: rules 4, 5, 7, 8, the leading entry", () => {
  const lead = (entries: PresenceEntry[]): { show?: Show; notes: object; priority: number } => {
    const { show, notes, priority } = compose(entries, {}, origin);
    return show === undefined ? { notes, priority } : { show, notes, priority };
  };

  it("an engaged entry leads over a higher-priority available one", () => {
    const chat = entry("laptop", { show: "chat", priority: 10, notes: { en: "Free" } });
    const phone = entry("desk", { show: "dnd", phone: "in-call", notes: { en: "On the phone" } });
    expect(lead([chat, phone])).toEqual({ show: "dnd", notes: { en: "On the phone" }, priority: 0 });
  });
  it("an available entry leads over a higher-priority closed one", () => {
    const gone = closed("old", { priority: 100, notes: { en: "Gone" } });
    const here = entry("new", { show: "away", priority: -5, notes: { en: "Back soon" } });
    expect(lead([gone, here])).toEqual({ show: "away", notes: { en: "Back soon" }, priority: -5 });
  });
  it("the highest priority leads among entries of one class", () => {
    const low = entry("low", { show: "chat", priority: 1 });
    const high = entry("high", { show: "xa", priority: 2 });
    expect(lead([low, high])).toEqual({ show: "xa", notes: {}, priority: 2 });
    expect(lead([high, low])).toEqual({ show: "xa", notes: {}, priority: 2 });
  });
  it.each(SHOW_ORDER.flatMap((more, i) => SHOW_ORDER.slice(i + 1).map((less) => [more, less] as const)))(
    "at equal priority, show %s leads over %s",
    (more, less) => {
      const asShow = (s: Show | "none"): Partial<EntryFields> => (s === "none" ? {} : { show: s });
      const expected = more === "none" ? undefined : more;
      expect(compose([entry("a", asShow(less)), entry("b", asShow(more))], {}, origin).show).toBe(expected);
      expect(compose([entry("a", asShow(more)), entry("b", asShow(less))], {}, origin).show).toBe(expected);
    },
  );
  it("then the most recent update leads, compared as instants", () => {
    const older = entry("a", { notes: { "": "older" }, updated: "2026-11-25T11:00:00+02:00" }); // 09:00Z
    const newer = entry("b", { notes: { "": "newer" }, updated: "2026-11-25T09:30:00Z" });
    const never = entry("c", { notes: { "": "never" } });
    expect(compose([older, newer, never], {}, origin).notes).toEqual({ "": "newer" });
    expect(compose([never, older], {}, origin).notes).toEqual({ "": "older" });
  });
  it("then document order", () => {
    const first = entry("a", { notes: { "": "first" } });
    const second = entry("b", { notes: { "": "second" } });
    expect(compose([first, second], {}, origin).notes).toEqual({ "": "first" });
    expect(compose([second, first], {}, origin).notes).toEqual({ "": "second" });
  });
  it("show only when the view is available; a closed leader still gives notes and priority", () => {
    const view = compose([closed("a", { priority: 3, notes: { en: "Gone home" } }), closed("b")], {}, origin);
    expect(view.availability).toBe("unavailable");
    expect("show" in view).toBe(false);
    expect(view.notes).toEqual({ en: "Gone home" });
    expect(view.priority).toBe(3);
  });
  it("the presentity's notes win over the leader's; empty presentity notes do not", () => {
    const e = entry("a", { notes: { en: "Tuple note" } });
    expect(compose([e], { notes: { en: "Person note" } }, origin).notes).toEqual({ en: "Person note" });
    expect(compose([e], { notes: {} }, origin).notes).toEqual({ en: "Tuple note" });
  });
});

describe("compose: rule 6, unions", () => {
  it("activities of the presentity and every available entry, sorted and unique", () => {
    const view = compose(
      [entry("a", { activities: ["on-the-phone"] }), entry("b", { activities: ["busy", "away"] })],
      { activities: ["busy", "meeting"] },
      origin,
    );
    expect(view.activities).toEqual(["away", "busy", "meeting", "on-the-phone"]);
  });
  it("an offline entry's activities do not colour an online view", () => {
    const view = compose([entry("desk"), closed("mobile", { activities: ["away"] })], {}, origin);
    expect(view.activities).toEqual([]);
  });
  it("an offline view keeps every entry's activities, so it still says why", () => {
    const view = compose([closed("a", { activities: ["vacation"] }), closed("b", { activities: ["away"] })], {}, origin);
    expect(view.activities).toEqual(["away", "vacation"]);
  });
  it("moods, place types and other activities come from the presentity, normalised", () => {
    const view = compose([entry("a")], { moods: ["happy", "angry"], placeTypes: ["office"], otherActivities: ["gym", "cook", "gym"] }, origin);
    expect([view.moods, view.placeTypes, view.otherActivities]).toEqual([["angry", "happy"], ["office"], ["gym", "cook"]]);
  });
});

describe("compose: rule 9, idle", () => {
  const at = (hh: string): string => `2026-11-25T${hh}:00:00Z`;
  it("idle when every available entry is idle: the latest idleSince", () => {
    const view = compose([entry("a", { idleSince: at("09") }), entry("b", { idleSince: at("10") })], {}, origin);
    expect(view.idleSince).toBe(at("10"));
  });
  it("not idle when one available entry is active, whatever the presentity says", () => {
    const view = compose([entry("a", { idleSince: at("09") }), entry("b")], { idleSince: at("08") }, origin);
    expect("idleSince" in view).toBe(false);
  });
  it("closed entries do not count; an engaged closed entry does", () => {
    expect(compose([entry("a", { idleSince: at("09") }), closed("b")], {}, origin).idleSince).toBe(at("09"));
    expect("idleSince" in compose([entry("a", { idleSince: at("09") }), closed("b", { phone: "in-call" })], {}, origin)).toBe(false);
  });
  it("the presentity's idle counts when no entry is available, and in the latest time", () => {
    expect(compose([closed("a")], { idleSince: at("07") }, origin).idleSince).toBe(at("07"));
    expect(compose([], { idleSince: at("07") }, origin).idleSince).toBe(at("07"));
    expect(compose([entry("a", { idleSince: at("09") })], { idleSince: at("11") }, origin).idleSince).toBe(at("11"));
    expect(compose([entry("a", { idleSince: at("09") })], { idleSince: at("08") }, origin).idleSince).toBe(at("09"));
  });
  it("no entries and no presentity idle → not idle", () => {
    expect("idleSince" in compose([], {}, origin)).toBe(false);
  });
});

describe("compose: the value", () => {
  it("keeps made entries by reference, normalises plain ones, and freezes the result", () => {
    const made = entry("a", { show: "away" });
    const plain: PresenceEntry = { id: "b", availability: "unavailable", show: "chat", activities: ["z", "y"], notes: {}, priority: 0 };
    const view = compose([made, plain], {}, origin);
    expect(view.entries[0]).toBe(made);
    expect(view.entries[1]).toEqual({ id: "b", availability: "unavailable", activities: ["y", "z"], notes: {}, priority: 0 });
    expect(view.show).toBe("away");
    expect(Object.isFrozen(view) && Object.isFrozen(view.entries) && Object.isFrozen(view.entries[1])).toBe(true);
    expect(view.origin).toEqual(origin);
  });
});

describe("leadOrder: rule 4 as a sort order", () => {
  it("sorting puts the entry compose leads with first; ties keep document order", () => {
    const list = [
      entry("low", { priority: -1, show: "chat" }),
      closed("gone", { priority: 100 }),
      entry("dnd", { priority: 5, show: "dnd" }),
      entry("none", { priority: 5 }),
      entry("none-too", { priority: 5 }),
      closed("call", { phone: "in-call" }),
    ];
    const sorted = [...list].sort(leadOrder);
    expect(sorted.map((e) => e.id)).toEqual(["call", "none", "none-too", "dnd", "low", "gone"]);
    expect(compose(list, {}, origin).show).toBe(compose(sorted, {}, origin).show);
    expect(compose(list, {}, origin).priority).toBe(sorted[0]?.priority);
  });
});
