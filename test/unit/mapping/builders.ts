/** PIDF, dialog-info and XPIDF values as the PBXs produce them, built directly (no codec). */
import type {
  Dialog, DialogInfo, LangText, PidfDevice, PidfDocument, PidfPerson, PidfTuple, XpidfAddress, XpidfDocument,
} from "../../../src/pidf/types.js";
import type { XmppPresence } from "../../../src/xmpp/types.js";
import { loadTable, type MappingTable } from "../../../src/mapping/index.js";

const RPID_EMPTY = { activities: [], otherActivities: [], moods: [], placeTypes: [] } as const;

export const text = (t: string, lang?: string): LangText => (lang === undefined ? { text: t } : { text: t, lang });

export function tuple(fields: Partial<PidfTuple> = {}): PidfTuple {
  return { id: "t1", basic: "open", notes: [], deviceIds: [], extensions: [], ...RPID_EMPTY, ...fields };
}

export function person(fields: Partial<PidfPerson> = {}): PidfPerson {
  return { id: "p1", notes: [], extensions: [], ...RPID_EMPTY, ...fields };
}

export function device(fields: Partial<PidfDevice> = {}): PidfDevice {
  return { id: "d1", notes: [], extensions: [], ...RPID_EMPTY, ...fields };
}

export function pidf(fields: Partial<PidfDocument> = {}): PidfDocument {
  return { kind: "pidf", entity: "sip:1001@pbx.example.com", tuples: [], persons: [], devices: [], notes: [], extensions: [], ...fields };
}

/**
 * Asterisk PJSIP (res_pjsip_pidf_body_generator.c + Eyebeam supplement): a presence-level
 * note, one tuple named after the extension, contact priority 1, open only when idle,
 * and `<dm:person>` with the activity when there is one.
 */
export function asteriskPidf(basic: "open" | "closed", note: string, activity?: string): PidfDocument {
  return pidf({
    notes: [text(note)],
    tuples: [tuple({ id: "1001", basic, contact: { uri: "sip:1002@pbx.example.com", priority: 1 } })],
    persons: activity === undefined ? [person({ id: "1001" })] : [person({ id: "1001", activities: [activity] })],
  });
}

/** FreeSWITCH mod_sofia: an open tuple, a person with on-the-phone and a `<dm:note>`. */
export function freeswitchPidf(note: string, onThePhone: boolean, basic: "open" | "closed" = "open"): PidfDocument {
  return pidf({
    entity: "sip:1000@192.0.2.24",
    tuples: [tuple({ id: "t6a5ed77e", basic })],
    persons: [person({ id: "p06360c4a", notes: [text(note)], activities: onThePhone ? ["on-the-phone"] : [] })],
  });
}

export function dialog(fields: Partial<Dialog> & Pick<Dialog, "state">): Dialog {
  return { id: "d1", ...fields };
}

export function dialogInfo(dialogs: readonly Dialog[], fields: Partial<DialogInfo> = {}): DialogInfo {
  return { kind: "dialog-info", entity: "sip:1001@pbx.example.com", version: 1, state: "full", dialogs, ...fields };
}

export function xpidf(addresses: readonly XpidfAddress[]): XpidfDocument {
  return { kind: "xpidf", entity: "sip:1001@pbx.example.com", addresses };
}

export function stanza(fields: Partial<XmppPresence> = {}): XmppPresence {
  return { type: "available", from: "juliet@capulet.lit/balcony", status: {}, priority: 0, ...fields };
}

/** A shipped profile, or the test fails right here. */
export function profile(name: string): MappingTable {
  const loaded = loadTable({ profile: name });
  if (!loaded.ok) throw new Error(`profile ${name}: ${JSON.stringify(loaded.error)}`);
  return loaded.value;
}
