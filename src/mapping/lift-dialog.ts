/**
 * dialog-info (RFC 4235) → entries, one per dialog that is not terminated, each
 * carrying the phone state a BLF key shows; and the merge of partial notifications.
 */
import { makeEntry } from "../presence/index.js";
import type { PhoneState, PresenceEntry } from "../presence/types.js";
import type { Dialog, DialogInfo } from "../pidf/types.js";

/**
 * The phone state of one dialog (FIELD.md §2.3 reading of RFC 4235 §3.7.1):
 * early + recipient = ringing (early without a direction too: that is how BLF keys
 * read it); trying/proceeding/early + initiator = dialing; trying/proceeding +
 * recipient = ringing (the INVITE arrived, the phone is about to ring);
 * confirmed = in-call, or on-hold when the local target is held; terminated = idle.
 */
export function phoneStateOf(dialog: Dialog): PhoneState {
  switch (dialog.state) {
    case "confirmed":
      return dialog.held === true ? "on-hold" : "in-call";
    case "early":
      return dialog.direction === "initiator" ? "dialing" : "ringing";
    case "trying":
    case "proceeding":
      return dialog.direction === "recipient" ? "ringing" : "dialing";
    case "terminated":
      return "idle";
  }
}

/** The id of the entry that stands for a phone with no dialog in progress. */
export const IDLE_ENTRY_ID = "idle";

/**
 * One available entry per dialog in progress; when none is, one idle entry. A
 * registered phone with no call is reachable, so every entry is available.
 * A `partial` body is read as it stands: merge it first with {@link mergeDialogInfo}.
 */
export function liftDialogInfo(info: DialogInfo): readonly PresenceEntry[] {
  const entries: PresenceEntry[] = [];
  for (const dialog of info.dialogs) {
    if (dialog.state === "terminated") continue;
    const contact = dialog.local?.identity;
    entries.push(makeEntry({ id: dialog.id, availability: "available", phone: phoneStateOf(dialog), ...(contact === undefined ? {} : { contact }) }));
  }
  if (entries.length === 0) entries.push(makeEntry({ id: IDLE_ENTRY_ID, availability: "available", phone: "idle" }));
  return entries;
}

/** What {@link mergeDialogInfo} did. */
export type MergeStatus =
  /** The notification was applied. */
  | "applied"
  /** Its version is not newer than the state held: RFC 4235 §4.1 says to discard it. */
  | "stale"
  /** Versions were skipped, so a notification was lost: applied, but the caller should re-SUBSCRIBE for full state. */
  | "gap";

/**
 * RFC 4235 §4.1: applies a notification to the state held for a presentity. A
 * `full` body replaces it; a `partial` one replaces the dialogs it names, and a
 * dialog it reports as terminated is dropped. The result is always `full`.
 * Without previous state, a partial body is all that is known and is taken as full.
 */
export function mergeDialogInfo(previous: DialogInfo | undefined, next: DialogInfo): { readonly info: DialogInfo; readonly status: MergeStatus } {
  if (previous !== undefined && next.version <= previous.version) return { info: previous, status: "stale" };
  const status: MergeStatus = previous !== undefined && next.version > previous.version + 1 ? "gap" : "applied";
  if (next.state === "full" || previous === undefined) {
    return { info: { ...next, state: "full", dialogs: next.dialogs.filter((d) => d.state !== "terminated") }, status };
  }
  const changed = new Map(next.dialogs.map((d) => [d.id, d]));
  const dialogs: Dialog[] = [];
  for (const dialog of previous.dialogs) {
    const update = changed.get(dialog.id);
    if (update === undefined) dialogs.push(dialog);
    else if (update.state !== "terminated") dialogs.push(update);
    changed.delete(dialog.id);
  }
  for (const dialog of changed.values()) if (dialog.state !== "terminated") dialogs.push(dialog);
  return { info: { kind: "dialog-info", entity: next.entity, version: next.version, state: "full", dialogs }, status };
}
