/**
 * The PUBLISH echo, recognised by its marker before it becomes a value. When the bridge
 * PUBLISHes a person's chat state to the PBX, the PBX's compositor puts the bridge's tuple
 * (and person element) into every NOTIFY for that extension, beside the phone's own. The
 * adapter strips what the bridge wrote, by the ids it wrote it with, and hands the rest to
 * the mapping: the phone's state alone is the phone side's value. A NOTIFY that held only
 * the bridge's elements is an echo (`PersonSyncFleet.echoReceived`).
 *
 * Ids are RFC 3863 §4.1.4 tuple ids (xs:ID): stable per person so that a restarted bridge
 * still recognises what it published before the restart.
 */
import type { PidfDocument } from "../pidf/types.js";
import type { LinkedPerson } from "../../machines/person-sync.machine.js";

/** The `<tuple id>` the bridge publishes a person's chat state under. */
export function bridgeTupleId(person: Pick<LinkedPerson, "jid">): string {
  return `pb-${person.jid.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

/** The `<dm:person id>` that goes with it (the id `presenceToPidf` derives from the tuple id). */
export const bridgePersonId = (tupleId: string): string => `p-${tupleId}`;

export interface StrippedDocument {
  /** The document without the bridge's tuple and person (the same object when it had none). */
  readonly doc: PidfDocument;
  /** It held elements the bridge published. */
  readonly hadOwn: boolean;
  /** It held nothing else: the whole NOTIFY is the echo of the bridge's PUBLISH. */
  readonly onlyOwn: boolean;
}

/** The bridge's tuple: its id, or for a user on several resources `<id>-<resource>` (presenceToPidf). */
const isOwnTuple = (id: string, tupleId: string): boolean => id === tupleId || (id.startsWith(tupleId) && id[tupleId.length] === "-");

export function withoutOwnElements(doc: PidfDocument, tupleId: string): StrippedDocument {
  const personId = bridgePersonId(tupleId);
  const tuples = doc.tuples.filter((t) => !isOwnTuple(t.id, tupleId));
  const persons = doc.persons.filter((p) => p.id !== personId);
  const hadOwn = tuples.length !== doc.tuples.length || persons.length !== doc.persons.length;
  if (!hadOwn) return { doc, hadOwn, onlyOwn: false };
  const onlyOwn = tuples.length === 0 && persons.length === 0 && doc.devices.length === 0;
  return { doc: { ...doc, tuples, persons }, hadOwn, onlyOwn };
}
