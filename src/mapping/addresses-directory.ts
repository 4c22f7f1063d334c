/**
 * The bridged contacts as the address rules see them, in the shape of the
 * gateway's ContactDirectory port: every JID of the component domain that maps
 * to a SIP URI is a contact, unless a pattern narrows them (a PBX's extensions).
 * A SIP-side directory may replace this later.
 */
import { fail, ok, type Result } from "../errors.js";
import type { AddressBook } from "./addresses.js";
import { bareJid, parseJid } from "./addresses-parse.js";

export interface DirectoryContact {
  readonly jid: string;
  readonly sip: string;
  readonly name: string;
}

export interface AddressDirectory {
  lookup(jid: string): Result<DirectoryContact>;
  resolvePrompt(input: string): Result<string>;
}

/** `pattern`: when given, only SIP URIs it matches (`^sip:[0-9]{3,5}@pbx\.example\.com$`) are contacts. */
export function addressDirectory(book: AddressBook, pattern?: RegExp): AddressDirectory {
  const lookup = (text: string): Result<DirectoryContact> => {
    const jid = parseJid(text);
    if (!jid.ok) return jid;
    const bare = bareJid(jid.value);
    const sip = book.contactToSip(bare);
    if (!sip.ok) return sip;
    if (pattern !== undefined && !pattern.test(sip.value)) return fail("item-not-found", `${bare} (${sip.value}) is not a bridged contact`);
    const name = book.contactName(bare);
    return ok({ jid: bare, sip: sip.value, name: name.ok ? name.value : jid.value.local });
  };
  return {
    lookup,
    resolvePrompt(input) {
      const jid = book.sipToContact(input);
      if (!jid.ok) return jid;
      const known = lookup(jid.value);
      return known.ok ? ok(known.value.jid) : known;
    },
  };
}
