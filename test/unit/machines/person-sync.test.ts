/**
 * person-sync driven by events with explicit times (pure `transition()`, no clock):
 * merge precedence end to end, debounce and flapping, echo suppression both ways,
 * and deadlines as data.
 */
import { describe, expect, it } from "vitest";
import { presenceToPidf, xmppResourcesToPresence } from "../../../src/mapping/index.js";
import type { Presence } from "../../../src/presence/types.js";
import type { NoteEchoParams, ScheduleDebounceParams, TellChatParams, TellSipParams } from "../../../machines/person-sync.machine.js";
import type { PersistedPersonSync } from "../../../src/gateway/person-sync.js";
import { chat, defaults, driver, juliet, paramsOf, phone, reflected, throughPbx, types } from "./person-sync-fixtures.js";

const phoneAt = (presence: Presence, at: number) => ({ type: "phone.changed" as const, presence, at });
const chatAt = (presence: Presence, at: number) => ({ type: "chat.changed" as const, presence, at });
const elapsed = (at: number) => ({ type: "debounce.elapsed" as const, at });

/** A person whose phone (idle) and chat (available) were already told at t=0..250. */
function settled(fields: Parameters<typeof driver>[0] = {}) {
  const d = driver(fields);
  d.send(phoneAt(phone("idle"), 0));
  d.send(chatAt(chat("available"), 10));
  d.send(elapsed(250));
  expect(d.snapshot.value).toBe("steady");
  return d;
}

describe("merge precedence, end to end", () => {
  it("in a call beats chat available: the contact says 'On the phone'; PUBLISH still carries the chat side", () => {
    const d = driver({ notify: true, publish: true });
    d.send(chatAt(chat("available"), 0));
    d.send(phoneAt(phone("in-call"), 10));
    const step = d.send(elapsed(250));
    expect(types(step)).toEqual(["tellChat", "tellSip", "persist"]);
    expect(paramsOf<TellChatParams>(step, "tellChat")).toEqual({ person: juliet, presence: phone("in-call") });
    expect(paramsOf<TellChatParams>(step, "tellChat")?.presence).toMatchObject({ show: "dnd", notes: { "": "On the phone" } });
    expect(paramsOf<TellSipParams>(step, "tellSip")).toEqual({ person: juliet, notify: phone("in-call"), publish: chat("available") });
  });

  it("chat dnd while the phone is idle stays dnd on SIP", () => {
    const d = settled({ notify: true, publish: true });
    d.send(chatAt(chat("dnd", "In a meeting"), 1_000));
    const step = d.send(elapsed(1_250));
    const sip = paramsOf<TellSipParams>(step, "tellSip");
    expect(sip?.notify).toMatchObject({ availability: "available", show: "dnd", activities: ["busy"], notes: { "": "In a meeting" } });
    expect(sip?.publish).toBe(sip?.notify);
    expect(paramsOf<TellChatParams>(step, "tellChat")?.presence).toMatchObject({ show: "dnd" });
    // On the wire: PIDF open with <rpid:busy/> and the status as the note, as sip:1001.
    const pidf = presenceToPidf(sip?.publish as Presence, juliet.sipUri);
    expect(pidf.tuples[0]).toMatchObject({ basic: "open", notes: [{ text: "In a meeting" }] });
    expect(pidf.persons[0]?.activities).toEqual(["busy"]);
  });

  it("a second resource under the same leading state: news for SIP (one tuple each), not for the contact's XMPP watchers", () => {
    const d = settled({ notify: true, publish: true });
    const desk = chat("available").entries[0]!;
    const both = xmppResourcesToPresence([desk, { ...chat("away", "On the bus").entries[0]!, id: "phone" }], defaults, juliet.jid).presence;
    expect([both.show, both.entries.map((e) => e.id)]).toEqual([undefined, ["balcony", "phone"]]);
    d.send(chatAt(both, 1_000));
    const step = d.send(elapsed(1_250));
    expect(types(step)).toEqual(["tellSip", "persist"]);
    expect(paramsOf<TellSipParams>(step, "tellSip")).toEqual({ person: juliet, notify: both, publish: both });
    // The same two resources again: nothing.
    d.send(chatAt(xmppResourcesToPresence(both.entries, defaults, juliet.jid).presence, 2_000));
    expect(types(d.send(elapsed(2_250)))).not.toContain("tellSip");
  });

  it("phone offline + chat online: SIP sees the chat state", () => {
    const d = driver({ notify: true, publish: false });
    d.send(phoneAt(phone("offline"), 0));
    d.send(chatAt(chat("away", "Lunch"), 5));
    const step = d.send(elapsed(250));
    expect(paramsOf<TellSipParams>(step, "tellSip")).toEqual({ person: juliet, notify: chat("away", "Lunch") });
  });

  it("the call ends: the chat state comes back on the contact; PUBLISH is not repeated", () => {
    const d = driver({ notify: false, publish: true });
    d.send(chatAt(chat("away", "Lunch"), 0));
    d.send(phoneAt(phone("in-call"), 0));
    d.send(elapsed(250));
    d.send(phoneAt(phone("idle"), 5_000));
    const step = d.send(elapsed(5_250));
    expect(types(step)).toEqual(["tellChat", "persist"]);
    expect(paramsOf<TellChatParams>(step, "tellChat")?.presence).toEqual(chat("away", "Lunch"));
  });
});

describe("debounce", () => {
  it("the first change opens the window; nothing is told before it closes", () => {
    const d = settled();
    const first = d.send(phoneAt(phone("ringing"), 1_000));
    expect(first.snapshot.value).toBe("settling");
    expect(first.snapshot.context.debounceUntil).toBe(1_250);
    expect(paramsOf<ScheduleDebounceParams>(first, "scheduleDebounce")).toEqual({ person: juliet, until: 1_250 });
    expect(types(first)).toEqual(["scheduleDebounce", "persist"]);
  });

  it("the latest state wins after the window, and the window is not extended", () => {
    const d = settled();
    d.send(phoneAt(phone("ringing"), 1_000));
    const second = d.send(phoneAt(phone("in-call"), 1_200));
    expect(types(second)).toEqual(["persist"]);
    expect(second.snapshot.context.debounceUntil).toBe(1_250);
    const step = d.send(elapsed(1_250));
    expect(types(step)).toEqual(["tellChat", "tellSip", "persist"]);
    expect(paramsOf<TellChatParams>(step, "tellChat")?.presence.phone).toBe("in-call");
  });

  it("a change back to the previous state inside the window sends nothing", () => {
    const d = settled({ notify: true, publish: true });
    d.send(phoneAt(phone("ringing"), 1_000));
    d.send(phoneAt(phone("idle"), 1_100));
    d.send(chatAt(chat("dnd"), 1_150));
    d.send(chatAt(chat("available"), 1_200));
    const step = d.send(elapsed(1_250));
    expect(types(step)).toEqual(["persist"]);
    expect(step.snapshot.value).toBe("steady");
    expect(step.snapshot.context.debounceUntil).toBeUndefined();
  });

  it("an early timer re-arms; a stale one in steady does nothing", () => {
    const d = settled();
    d.send(phoneAt(phone("in-call"), 1_000));
    const early = d.send(elapsed(1_100));
    expect(early.snapshot.value).toBe("settling");
    expect(early.actions).toEqual([{ type: "scheduleDebounce", params: { person: juliet, until: 1_250 } }]);
    d.send(elapsed(1_250));
    expect(d.send(elapsed(1_300)).actions).toEqual([]);
  });

  it("a repeated equal value is no change (no window, no persist)", () => {
    const d = settled();
    const step = d.send(phoneAt(phone("idle"), 1_000));
    expect(step.actions).toEqual([]);
    expect(step.snapshot.value).toBe("steady");
  });

  it("debounceMs 0 tells at once", () => {
    const d = driver({ debounceMs: 0 });
    const step = d.send(phoneAt(phone("in-call"), 0));
    expect(step.snapshot.value).toBe("steady");
    expect(types(step)).toEqual(["tellChat", "tellSip", "persist"]);
  });

  it("the deadline is data: a snapshot restored from JSON resumes the same window", () => {
    const d = settled();
    d.send(phoneAt(phone("in-call"), 1_000));
    const saved = JSON.parse(JSON.stringify({ state: d.snapshot.value, context: d.snapshot.context })) as PersistedPersonSync;
    expect(saved.state).toBe("settling");
    expect(saved.context.debounceUntil).toBe(1_250);
    const resumed = driver({}, saved);
    expect(types(resumed.send(elapsed(1_200)))).toEqual(["scheduleDebounce"]);
    const step = resumed.send(elapsed(1_250));
    expect(types(step)).toEqual(["tellChat", "tellSip", "persist"]);
    expect(paramsOf<TellChatParams>(step, "tellChat")?.presence).toEqual(phone("in-call"));
  });
});

describe("echo suppression", () => {
  it("SIP: the PBX's NOTIFY of the bridge's own PUBLISH is dropped, the phone value stays", () => {
    const d = settled({ notify: false, publish: true });
    d.send(chatAt(chat("dnd", "In a meeting"), 1_000));
    const told = d.send(elapsed(1_250));
    const published = paramsOf<TellSipParams>(told, "tellSip")?.publish as Presence;
    const echo = d.send(phoneAt(throughPbx(published), 1_300));
    expect(echo.actions).toEqual([{ type: "noteEcho", params: { person: juliet, side: "sip", by: "expected" } }]);
    expect(echo.snapshot.context.phone).toEqual(phone("idle"));
    expect(echo.snapshot.value).toBe("steady");
    // A second NOTIFY of it within the window is dropped too.
    expect(types(d.send(phoneAt(throughPbx(published), 2_000)))).toEqual(["noteEcho"]);
  });

  it("SIP: after the echo window an equal value is the phone's own news again", () => {
    const d = settled({ notify: false, publish: true, echoWindowMs: 2_000 });
    d.send(chatAt(chat("dnd", "In a meeting"), 1_000));
    const published = paramsOf<TellSipParams>(d.send(elapsed(1_250)), "tellSip")?.publish as Presence;
    const later = d.send(phoneAt(throughPbx(published), 3_251));
    expect(types(later)).toEqual(["scheduleDebounce", "persist"]);
  });

  it("SIP: a value that came from SIP is never published back to SIP", () => {
    const d = settled({ notify: false, publish: true });
    for (const [i, state] of (["ringing", "in-call", "on-hold", "offline", "idle"] as const).entries()) {
      d.send(phoneAt(phone(state), 1_000 * (i + 1)));
      const step = d.send(elapsed(1_000 * (i + 1) + 250));
      expect(types(step)).not.toContain("tellSip");
    }
  });

  it("SIP: a real phone flap (in a call → on hold → in a call) is not taken for an echo", () => {
    const d = settled({ notify: true });
    d.send(phoneAt(phone("in-call"), 1_000));
    d.send(elapsed(1_250));
    d.send(phoneAt(phone("on-hold"), 1_500));
    d.send(elapsed(1_750));
    const back = d.send(phoneAt(phone("in-call"), 2_000));
    expect(types(back)).toEqual(["scheduleDebounce", "persist"]);
    expect(paramsOf<TellChatParams>(d.send(elapsed(2_250)), "tellChat")?.presence.phone).toBe("in-call");
  });

  it("XMPP: the bridge's stanza coming back as the user's presence is dropped", () => {
    const d = settled();
    d.send(phoneAt(phone("in-call"), 1_000));
    const toldChat = paramsOf<TellChatParams>(d.send(elapsed(1_250)), "tellChat")?.presence as Presence;
    const echo = d.send(chatAt(reflected(toldChat), 1_300));
    expect(echo.actions).toEqual([{ type: "noteEcho", params: { person: juliet, side: "xmpp", by: "expected" } }]);
    expect(echo.snapshot.context.chat).toEqual(chat("available"));
  });

  it("XMPP: a value from the contact JID or with a SIP origin is the bridge's own, at any time", () => {
    const d = settled();
    const fromContact = { ...chat("dnd"), origin: { side: "xmpp" as const, entity: juliet.contact } };
    expect(paramsOf<NoteEchoParams>(d.send(chatAt(fromContact, 60_000)), "noteEcho")?.by).toBe("origin");
    expect(paramsOf<NoteEchoParams>(d.send(chatAt(phone("in-call"), 60_000)), "noteEcho")?.by).toBe("origin");
    expect(d.snapshot.context.chat).toEqual(chat("available"));
  });

  it("echo.received: an adapter's recognition closes the matching expectation", () => {
    const d = settled({ notify: false, publish: true });
    d.send(chatAt(chat("dnd"), 1_000));
    const published = paramsOf<TellSipParams>(d.send(elapsed(1_250)), "tellSip")?.publish as Presence;
    // Open: the PUBLISH of 'available' at 250 and of 'dnd' at 1 250, both on the SIP side.
    expect(d.snapshot.context.expected.map((e) => [e.side, e.presence.show ?? "none", e.until])).toEqual([
      ["sip", "none", 2_250],
      ["sip", "dnd", 3_250],
    ]);
    const step = d.send({ type: "echo.received", side: "sip", presence: throughPbx(published), at: 1_260 });
    expect(types(step)).toEqual(["noteEcho", "persist"]);
    expect(step.snapshot.context.expected.map((e) => e.presence.show ?? "none")).toEqual(["none"]);
    // Without a value it closes the oldest open one on that side; with none open it only notes.
    expect(types(d.send({ type: "echo.received", side: "sip", at: 1_270 }))).toEqual(["noteEcho", "persist"]);
    expect(types(d.send({ type: "echo.received", side: "sip", at: 1_280 }))).toEqual(["noteEcho"]);
  });
});
