/**
 * Wire-faithful views of SIP presence bodies. Codecs fill these and decide
 * nothing: what a body *means* is decided by `src/mapping`.
 */
import type { XmlElement } from "../xml/types.js";

export const PIDF_NS = "urn:ietf:params:xml:ns:pidf";
export const DM_NS = "urn:ietf:params:xml:ns:pidf:data-model";
export const RPID_NS = "urn:ietf:params:xml:ns:pidf:rpid";
export const CIPID_NS = "urn:ietf:params:xml:ns:pidf:cipid";
export const DIALOG_INFO_NS = "urn:ietf:params:xml:ns:dialog-info";

export const CONTENT_TYPES = {
  pidf: "application/pidf+xml",
  dialogInfo: "application/dialog-info+xml",
  xpidf: "application/xpidf+xml",
} as const;
export type SipContentType = (typeof CONTENT_TYPES)[keyof typeof CONTENT_TYPES];

/** Text with its `xml:lang` (absent when the element had none). */
export interface LangText {
  readonly text: string;
  readonly lang?: string;
}

/** RFC 4480 §3.8 `<user-input>`. */
export interface UserInput {
  readonly value: "active" | "idle";
  readonly lastInput?: string;
  readonly idleThreshold?: number;
}

/** RFC 4480 activities, mood and place-type as they appear on a person, tuple or device. */
export interface RpidFields {
  /** RFC 4480 names of the child elements of `<activities>`, in document order (not `other`). */
  readonly activities: readonly string[];
  /** Texts of `<other>` children of `<activities>`. */
  readonly otherActivities: readonly LangText[];
  readonly moods: readonly string[];
  readonly placeTypes: readonly string[];
  readonly userInput?: UserInput;
  /** `<sphere>` value when it is a token (work, home) or its text. */
  readonly sphere?: string;
  /** `from` / `until` attributes of `<activities>`. */
  readonly activitiesFrom?: string;
  readonly activitiesUntil?: string;
}

export interface PidfContact {
  readonly uri: string;
  /** 0..1 as in RFC 3863 §4.1.5. */
  readonly priority?: number;
}

/** RFC 3863 `<tuple>` (a service in RFC 4479). */
export interface PidfTuple extends RpidFields {
  readonly id: string;
  readonly basic?: "open" | "closed";
  readonly contact?: PidfContact;
  readonly notes: readonly LangText[];
  readonly timestamp?: string;
  /** RFC 4479 `<dm:deviceID>` references. */
  readonly deviceIds: readonly string[];
  /** Unknown children, kept so that nothing breaks and nothing is lost. */
  readonly extensions: readonly XmlElement[];
}

/** RFC 4479 `<dm:person>`. */
export interface PidfPerson extends RpidFields {
  readonly id: string;
  readonly notes: readonly LangText[];
  readonly timestamp?: string;
  readonly extensions: readonly XmlElement[];
}

/** RFC 4479 `<dm:device>`. */
export interface PidfDevice extends RpidFields {
  readonly id: string;
  readonly deviceId?: string;
  readonly notes: readonly LangText[];
  readonly timestamp?: string;
  readonly extensions: readonly XmlElement[];
}

export interface PidfDocument {
  readonly kind: "pidf";
  readonly entity: string;
  readonly tuples: readonly PidfTuple[];
  readonly persons: readonly PidfPerson[];
  readonly devices: readonly PidfDevice[];
  /** Presence-level `<note>`s. */
  readonly notes: readonly LangText[];
  readonly extensions: readonly XmlElement[];
}

export const DIALOG_STATES = ["trying", "proceeding", "early", "confirmed", "terminated"] as const;
export type DialogState = (typeof DIALOG_STATES)[number];

export interface DialogParticipant {
  readonly identity?: string;
  readonly displayName?: string;
  readonly target?: string;
}

/** RFC 4235 §4.1 `<dialog>`. */
export interface Dialog {
  readonly id: string;
  readonly callId?: string;
  readonly localTag?: string;
  readonly remoteTag?: string;
  readonly direction?: "initiator" | "recipient";
  readonly state: DialogState;
  /** `event` attribute of `<state>` (cancelled, rejected, replaced, local-bye, remote-bye, error, timeout). */
  readonly stateEvent?: string;
  /** `code` attribute of `<state>`. */
  readonly stateCode?: number;
  readonly duration?: number;
  readonly local?: DialogParticipant;
  readonly remote?: DialogParticipant;
  /** True when the local target carries a held media line (`+sip.rendering="no"`), as some PBXs mark hold. */
  readonly held?: boolean;
}

/** RFC 4235 §4.1 `<dialog-info>`. */
export interface DialogInfo {
  readonly kind: "dialog-info";
  readonly entity: string;
  readonly version: number;
  readonly state: "full" | "partial";
  readonly dialogs: readonly Dialog[];
}

/** One `<address>` of an XPIDF `<atom>`. */
export interface XpidfAddress {
  readonly uri: string;
  /** `<status status=…>`: open, closed or inuse. */
  readonly status: "open" | "closed" | "inuse";
  /** `<msnsubstatus substatus=…>` when present (online, busy, away, berightback, onthephone, outtolunch). */
  readonly substatus?: string;
  readonly priority?: number;
}

/** The old Cisco/Polycom/Asterisk `application/xpidf+xml`. */
export interface XpidfDocument {
  readonly kind: "xpidf";
  readonly entity: string;
  readonly addresses: readonly XpidfAddress[];
}

export type SipBody = PidfDocument | DialogInfo | XpidfDocument;
