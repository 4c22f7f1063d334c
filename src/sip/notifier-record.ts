/**
 * A notifier dialog as a JSON-safe record (the DialogStore's `state`), and back:
 * RFC 3261 §12 dialog state (Call-ID, tags, CSeqs, URIs, route set) plus the
 * machine's snapshot, so that after a restart NOTIFYs continue in the same dialog
 * with the next CSeq (RFC 3261 §12.2.2 anticipates exactly this recovery).
 */
import { Grammar, type Core } from "sip.js";
import type { NotifierContext } from "../../machines/sip-notifier.machine.js";
import type { ServedPresentity, SipDialogRecord, SipEventPackage } from "../gateway/ports.js";

export interface PersistedDialogState {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localSequenceNumber?: number;
  readonly remoteSequenceNumber?: number;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly secure: boolean;
}

export interface NotifierRecordState {
  readonly v: 1;
  readonly presentity: ServedPresentity;
  readonly watcher: string;
  readonly event: SipEventPackage;
  /** The SUBSCRIBE's Event value (with its `id`), echoed in every NOTIFY (RFC 6665 §8.2.1). */
  readonly eventHeader: string;
  readonly authenticatedUser?: string;
  readonly dialog: PersistedDialogState;
  /** `pending` | `active` (terminated dialogs are deleted). */
  readonly value: string;
  readonly context: NotifierContext;
  /** RFC 4235 §4.1: the dialog-info version, per subscription, never going back. */
  readonly version: number;
}

/** `callId;localTag;remoteTag`: the record id and the gateway's dialogId. */
export const dialogKey = (callId: string, localTag: string, remoteTag: string): string => `${callId};${localTag};${remoteTag}`;

export function persistDialogState(state: Core.DialogState): PersistedDialogState {
  return {
    callId: state.callId,
    localTag: state.localTag,
    remoteTag: state.remoteTag,
    ...(state.localSequenceNumber === undefined ? {} : { localSequenceNumber: state.localSequenceNumber }),
    ...(state.remoteSequenceNumber === undefined ? {} : { remoteSequenceNumber: state.remoteSequenceNumber }),
    localUri: state.localURI.toString(),
    remoteUri: state.remoteURI.toString(),
    remoteTarget: state.remoteTarget.toString(),
    routeSet: [...state.routeSet],
    secure: state.secure,
  };
}

/** sip.js DialogState from a record; undefined when a URI no longer parses (the record is then dropped). */
export function restoreDialogState(p: PersistedDialogState): Core.DialogState | undefined {
  const localURI = Grammar.URIParse(p.localUri);
  const remoteURI = Grammar.URIParse(p.remoteUri);
  const remoteTarget = Grammar.URIParse(p.remoteTarget);
  if (!localURI || !remoteURI || !remoteTarget) return undefined;
  return {
    // sip.js's dialog id: Call-ID + local tag + remote tag, concatenated (user-agent-core.js matches on it).
    id: p.callId + p.localTag + p.remoteTag,
    early: false,
    callId: p.callId,
    localTag: p.localTag,
    remoteTag: p.remoteTag,
    localSequenceNumber: p.localSequenceNumber,
    remoteSequenceNumber: p.remoteSequenceNumber,
    localURI,
    remoteURI,
    remoteTarget,
    routeSet: [...p.routeSet],
    secure: p.secure,
  };
}

/** Reads a record back, checking the shape it must have (the store is outside input too). */
export function readRecord(record: SipDialogRecord): NotifierRecordState | undefined {
  const s = record.state as Partial<NotifierRecordState> | null | undefined;
  if (!s || s.v !== 1 || typeof s.watcher !== "string" || !s.dialog || !s.context || !s.presentity) return undefined;
  if (s.event !== "presence" && s.event !== "dialog") return undefined;
  if (s.value !== "pending" && s.value !== "active") return undefined;
  if (typeof s.dialog.callId !== "string" || typeof s.dialog.localTag !== "string" || typeof s.dialog.remoteTag !== "string") return undefined;
  return s as NotifierRecordState;
}
