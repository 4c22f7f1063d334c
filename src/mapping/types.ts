import type { Availability, PhoneState, Presence, Show } from "../presence/types.js";
import type { Dialog } from "../pidf/types.js";

/** The result of one translation: the canonical presence and the rule that decided it. */
export interface Translation {
  readonly presence: Presence;
  /** Id of the first rule that matched; absent when none did (the composed value passes through). */
  readonly rule?: string;
}

/** One text the rules may match: its language ("" for none), the text, and its folded form. */
export interface NoteFact {
  readonly lang: string;
  readonly text: string;
  /** Trimmed and lower-cased, computed once per translation. */
  readonly folded: string;
}

/** What the rules of a direction see, computed once per translation after composition. */
export interface Facts {
  /** SIP only: open when any tuple or XPIDF address is open or in use, closed when all are closed. */
  readonly basic?: "open" | "closed";
  readonly availability: Availability;
  readonly show?: Show;
  readonly phone?: PhoneState;
  /** RFC 4480 activity names, sorted and unique. */
  readonly activities: readonly string[];
  /** `<rpid:other>` texts, trimmed and lower-cased. */
  readonly other: readonly string[];
  /** Notes (SIP) or status texts (XMPP). */
  readonly notes: readonly NoteFact[];
  /** RPID user-input idle anywhere in the body, or XEP-0319 idle. */
  readonly idle: boolean;
  /** Dialogs of a dialog-info body (other bodies: none). */
  readonly dialogs: readonly Dialog[];
}

/** One compiled condition of a rule's `when`. */
export interface Check {
  /** `activities.any [on-the-phone]`: the condition as the table wrote it. */
  readonly label: string;
  readonly test: (facts: Facts) => boolean;
  /** What the condition saw, for `mapping explain`: `busy`, `"Ringing" (en)`. */
  readonly saw: (facts: Facts) => string;
}

/** A compiled rule: every check must hold; `apply` gives the result. */
export interface Rule {
  readonly id: string;
  readonly description?: string;
  /** Where the rule was written: `file#/sipToXmpp/3`. */
  readonly origin: string;
  readonly checks: readonly Check[];
  readonly apply: (presence: Presence) => Presence;
}

/** The address rules (applied by `compileAddresses`, src/mapping/addresses.ts). */
export interface AddressRules {
  readonly domains?: readonly { readonly xmpp: string; readonly sip: string }[];
  readonly escaping?: "xep-0106" | "none";
  readonly jidToSip?: string;
  readonly sipToJid?: string;
  readonly links?: readonly { readonly jid: string; readonly sip: string; readonly name?: string }[];
}

/** A loaded, validated and compiled conversion table. Immutable; share it freely. */
export interface MappingTable {
  readonly name: string;
  readonly description?: string;
  /** The files the table was read from, the table itself first, then what it extends. */
  readonly files: readonly string[];
  readonly sipToXmpp: readonly Rule[];
  readonly xmppToSip: readonly Rule[];
  readonly addresses?: AddressRules;
}

/** One rule tried by `explainSip` / `explainXmpp`. */
export interface ExplainStep {
  readonly rule: string;
  readonly matched: boolean;
  /** One line per condition: `activities.any [on-the-phone]: no (saw busy)`. */
  readonly reasons: readonly string[];
}

/** Why a body became what it became: what the rules saw, each rule tried, the result. */
export interface Explanation {
  readonly facts: Readonly<Record<string, unknown>>;
  readonly steps: readonly ExplainStep[];
  readonly result: Translation;
}
