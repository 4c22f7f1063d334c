/** The merge precedence and the routes of person-sync, as tables of real values. */
import { describe, expect, it } from "vitest";
import { personSyncOps as ops } from "../../../src/gateway/person-sync.js";
import type { Presence } from "../../../src/presence/types.js";
import {
  changedViews,
  expectEchoes,
  expectedEcho,
  isOwnByOrigin,
  personView,
  viewsOf,
} from "../../../machines/person-sync.machine.js";
import { chat, juliet, phone, policy } from "./person-sync-fixtures.js";

const P = {
  idle: phone("idle"),
  inCall: phone("in-call"),
  ringing: phone("ringing"),
  onHold: phone("on-hold"),
  offline: phone("offline"),
};
const C = {
  available: chat("available"),
  dnd: chat("dnd", "In a meeting"),
  away: chat("away", "Lunch"),
  offline: chat("unavailable", "Gone home"),
};

describe("person view: merge precedence (first row that applies)", () => {
  const rows: [string, Presence | undefined, Presence | undefined, "phone" | "chat" | "none"][] = [
    ["in a call beats chat available", P.inCall, C.available, "phone"],
    ["in a call beats chat dnd", P.inCall, C.dnd, "phone"],
    ["ringing beats chat away", P.ringing, C.away, "phone"],
    ["on hold beats chat offline", P.onHold, C.offline, "phone"],
    ["in a call, chat unknown", P.inCall, undefined, "phone"],
    ["chat dnd while the phone is idle stays dnd", P.idle, C.dnd, "chat"],
    ["chat away while the phone is idle", P.idle, C.away, "chat"],
    ["phone offline + chat online → chat", P.offline, C.available, "chat"],
    ["phone unknown + chat online → chat", undefined, C.dnd, "chat"],
    ["phone idle + chat offline → phone", P.idle, C.offline, "phone"],
    ["phone idle + chat unknown → phone", P.idle, undefined, "phone"],
    ["both offline → chat (it says why)", P.offline, C.offline, "chat"],
    ["phone unknown + chat offline → chat", undefined, C.offline, "chat"],
    ["phone offline + chat unknown → phone", P.offline, undefined, "phone"],
    ["nothing known → none", undefined, undefined, "none"],
  ];
  it.each(rows)("%s", (_, p, c, winner) => {
    const view = personView(ops, p, c);
    expect(view).toBe(winner === "phone" ? p : winner === "chat" ? c : undefined);
  });

  it("what the views say: 'On the phone' in a call, the chat status otherwise", () => {
    expect(personView(ops, P.inCall, C.available)).toMatchObject({ show: "dnd", notes: { "": "On the phone" }, phone: "in-call" });
    expect(personView(ops, P.idle, C.dnd)).toMatchObject({ show: "dnd", activities: ["busy"], notes: { "": "In a meeting" } });
  });
});

describe("routes", () => {
  it("notify carries the person view; publish only the chat side; chat the person view", () => {
    const views = viewsOf(ops, P.inCall, C.available, policy({ notify: true, publish: true }));
    expect(views.chat).toBe(P.inCall);
    expect(views.notify).toBe(P.inCall);
    expect(views.publish).toBe(C.available);
  });

  it("a value that came from SIP is never published back to SIP", () => {
    for (const p of Object.values(P)) {
      for (const c of [...Object.values(C), undefined]) {
        const { publish } = viewsOf(ops, p, c, policy({ notify: true, publish: true }));
        expect(publish === undefined || publish.origin.side === "xmpp").toBe(true);
      }
    }
    // Even a chat value that carries a SIP origin (only the bridge could have made it).
    expect(viewsOf(ops, P.idle, P.inCall, policy({ publish: true })).publish).toBeUndefined();
  });

  it("follows the publish mode: notify-only, publish-only, both", () => {
    expect(Object.keys(viewsOf(ops, P.idle, C.dnd, policy({ notify: true, publish: false })))).toEqual(["chat", "notify"]);
    expect(Object.keys(viewsOf(ops, P.idle, C.dnd, policy({ notify: false, publish: true })))).toEqual(["chat", "publish"]);
    expect(Object.keys(viewsOf(ops, P.idle, C.dnd, policy({ notify: true, publish: true })))).toEqual(["chat", "notify", "publish"]);
  });

  it("chatView 'phone' shows the phone alone on the contact", () => {
    expect(viewsOf(ops, P.idle, C.dnd, policy({ chatView: "phone" })).chat).toBe(P.idle);
    expect(viewsOf(ops, undefined, C.dnd, policy({ chatView: "phone" })).chat).toBeUndefined();
  });

  it("changedViews keeps only the routes whose content differs from what was told", () => {
    const views = viewsOf(ops, P.idle, C.dnd, policy({ notify: true, publish: true }));
    expect(changedViews(ops, views, {})).toEqual(views);
    expect(changedViews(ops, views, views)).toEqual({});
    // Same content from another resource or tuple is no change.
    const again = chat("dnd", "In a meeting");
    expect(changedViews(ops, views, { chat: again, notify: again, publish: again })).toEqual({});
    expect(changedViews(ops, views, { chat: C.away, notify: C.dnd, publish: C.dnd })).toEqual({ chat: C.dnd });
  });
});

describe("echo expectations", () => {
  it("expects back only what was told to the other side, for the window", () => {
    const told = { chat: P.inCall, notify: P.inCall, publish: C.dnd };
    const open = expectEchoes(ops, [], told, 1_000, 2_000);
    expect(open.map((e) => [e.side, e.presence, e.until])).toEqual([
      ["xmpp", P.inCall, 3_000],
      ["sip", C.dnd, 3_000],
    ]);
    expect(expectedEcho(ops, open, "sip", C.dnd, 3_000)).toBe(1);
    expect(expectedEcho(ops, open, "sip", C.dnd, 3_001)).toBe(-1);
    expect(expectedEcho(ops, open, "xmpp", C.dnd, 2_000)).toBe(-1);
    // The phone's own state told back to SIP is not expected: a real flap must pass.
    expect(expectedEcho(ops, open, "sip", P.inCall, 2_000)).toBe(-1);
    // Expired ones are dropped; a repeated value replaces its older expectation.
    expect(expectEchoes(ops, open, {}, 3_001, 2_000)).toEqual([]);
    expect(expectEchoes(ops, open, { publish: C.dnd }, 2_000, 2_000).map((e) => e.until)).toEqual([3_000, 4_000]);
  });

  it("recognises the bridge's own values by origin", () => {
    expect(isOwnByOrigin(C.dnd, "sip", juliet.contact)).toBe(true);
    expect(isOwnByOrigin(P.inCall, "xmpp", juliet.contact)).toBe(true);
    expect(isOwnByOrigin({ ...C.dnd, origin: { side: "xmpp", entity: juliet.contact } }, "xmpp", juliet.contact)).toBe(true);
    expect(isOwnByOrigin(C.dnd, "xmpp", juliet.contact)).toBe(false);
    expect(isOwnByOrigin(P.inCall, "sip", juliet.contact)).toBe(false);
  });
});
