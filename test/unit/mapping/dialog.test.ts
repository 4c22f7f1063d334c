/** RFC 4235: phone states of dialogs, merging partial notifications, dialog-info for BLF watchers. */
import { describe, expect, it } from "vitest";
import { mergeDialogInfo, phoneStateOf, presenceToDialogInfo, sipToPresence, xmppToPresence } from "../../../src/mapping/index.js";
import { makePresence } from "../../../src/presence/index.js";
import { dialog, dialogInfo, profile, stanza } from "./builders.js";

describe("phoneStateOf", () => {
  it.each([
    ["trying", undefined, undefined, "dialing"],
    ["trying", "recipient", undefined, "ringing"],
    ["proceeding", "initiator", undefined, "dialing"],
    ["proceeding", "recipient", undefined, "ringing"],
    ["early", "recipient", undefined, "ringing"],
    ["early", undefined, undefined, "ringing"],
    ["early", "initiator", undefined, "dialing"],
    ["confirmed", "initiator", undefined, "in-call"],
    ["confirmed", "recipient", true, "on-hold"],
    ["terminated", "recipient", undefined, "idle"],
  ] as const)("%s / %s / held %s → %s", (state, direction, held, expected) => {
    expect(phoneStateOf(dialog({ state, ...(direction === undefined ? {} : { direction }), ...(held === undefined ? {} : { held }) }))).toBe(expected);
  });
});

describe("mergeDialogInfo", () => {
  const ringing = dialog({ id: "a", state: "early", direction: "recipient" });
  const full = dialogInfo([ringing, dialog({ id: "b", state: "confirmed" })], { version: 4 });

  it("a partial body replaces the dialogs it names and drops terminated ones", () => {
    const partial = dialogInfo([dialog({ id: "a", state: "confirmed" }), dialog({ id: "b", state: "terminated" }), dialog({ id: "c", state: "trying" })], { version: 5, state: "partial" });
    expect(mergeDialogInfo(full, partial)).toEqual({
      status: "applied",
      info: dialogInfo([dialog({ id: "a", state: "confirmed" }), dialog({ id: "c", state: "trying" })], { version: 5 }),
    });
  });

  it("a version not newer than the state held is stale and changes nothing", () => {
    const old = dialogInfo([], { version: 4, state: "partial" });
    expect(mergeDialogInfo(full, old)).toEqual({ status: "stale", info: full });
  });

  it("skipped versions are applied and flagged, so the caller re-subscribes", () => {
    const later = dialogInfo([], { version: 7, state: "partial" });
    expect(mergeDialogInfo(full, later)).toEqual({ status: "gap", info: { ...full, version: 7 } });
  });

  it("a full body replaces everything; without previous state a partial body is taken as full", () => {
    const next = dialogInfo([dialog({ id: "z", state: "terminated" }), ringing], { version: 5 });
    expect(mergeDialogInfo(full, next)).toEqual({ status: "applied", info: dialogInfo([ringing], { version: 5 }) });
    const first = dialogInfo([ringing], { version: 0, state: "partial" });
    expect(mergeDialogInfo(undefined, first)).toEqual({ status: "applied", info: dialogInfo([ringing], { version: 0 }) });
  });

  it("the merged state translates like any full body", () => {
    const partial = dialogInfo([dialog({ id: "a", state: "terminated" }), dialog({ id: "b", state: "terminated" })], { version: 5, state: "partial" });
    const { info } = mergeDialogInfo(full, partial);
    expect(sipToPresence(info, profile("default")).presence).toMatchObject({ availability: "available", phone: "idle" });
  });
});

describe("presenceToDialogInfo (BLF watchers)", () => {
  const table = profile("default");
  const entity = "sip:1001@pbx.example.com";

  it.each([
    [dialog({ id: "call-7", state: "early", direction: "recipient" }), [{ id: "call-7", state: "early", direction: "recipient" }]],
    [dialog({ id: "call-7", state: "proceeding", direction: "initiator" }), [{ id: "call-7", state: "early", direction: "initiator" }]],
    [dialog({ id: "call-7", state: "confirmed" }), [{ id: "call-7", state: "confirmed" }]],
    [dialog({ id: "call-7", state: "confirmed", held: true }), [{ id: "call-7", state: "confirmed", held: true }]],
    [dialog({ id: "call-7", state: "terminated" }), []],
  ])("%o → %o", (input, expected) => {
    const { presence } = sipToPresence(dialogInfo([input]), table);
    expect(presenceToDialogInfo(presence, entity, 12)).toEqual({ kind: "dialog-info", entity, version: 12, state: "full", dialogs: expected });
  });

  it("a phone state set by a rule (Asterisk PIDF) gives a dialog too", () => {
    const p = makePresence({ availability: "available", show: "dnd", phone: "ringing", origin: { side: "sip" } });
    expect(presenceToDialogInfo(p, entity, 0).dialogs).toEqual([{ id: "call", state: "early", direction: "recipient" }]);
  });

  it("a chat user or an unavailable presentity has no dialog", () => {
    expect(presenceToDialogInfo(xmppToPresence(stanza({ show: "dnd" }), table).presence, entity, 1).dialogs).toEqual([]);
    const gone = makePresence({ availability: "unavailable", phone: "in-call", origin: { side: "sip" } });
    expect(presenceToDialogInfo(gone, entity, 2).dialogs).toEqual([]);
  });
});
