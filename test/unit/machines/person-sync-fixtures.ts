/**
 * Values as the bridge really holds them: the phone side from Asterisk 20's PIDF samples
 * through the asterisk profile, the chat side from stanzas through the default table.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { transition } from "xstate";
import { loadTable, presenceToPidf, presenceToXmpp, sipToPresence, xmppToPresence, type MappingTable } from "../../../src/mapping/index.js";
import { parsePidf, parseSipBody, serializePidf } from "../../../src/pidf/index.js";
import type { Presence, Show } from "../../../src/presence/types.js";
import { personSyncMachine, type PersistedPersonSync } from "../../../src/gateway/person-sync.js";
import type { LinkedPerson, PersonSyncEvent, SyncPolicy } from "../../../machines/person-sync.machine.js";
import { DEFAULT_SYNC_POLICY } from "../../../machines/person-sync.machine.js";

const root = resolve(import.meta.dirname, "../../..");

function table(profile: string): MappingTable {
  const loaded = loadTable({ profile });
  if (!loaded.ok) throw new Error(loaded.error.map((e) => e.message).join("; "));
  return loaded.value;
}
export const asterisk = table("asterisk");
export const defaults = table("default");

export const juliet: LinkedPerson = {
  jid: "juliet@capulet.lit",
  sipUri: "sip:1001@pbx.example.com",
  contact: "1001@sip.example.com",
};

const PHONE_SAMPLES = { idle: "idle", "in-call": "on-the-phone", ringing: "ringing", "on-hold": "on-hold" } as const;

/** The extension's presence as the SIP side reports it (Asterisk 20 samples, asterisk profile). */
export function phone(state: keyof typeof PHONE_SAMPLES | "offline"): Presence {
  const text =
    state === "offline"
      ? `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:1001@pbx.example.com"><note>Unavailable</note>` +
        `<tuple id="1001"><status><basic>closed</basic></status></tuple></presence>`
      : readFileSync(resolve(root, `samples/sip/asterisk-20-pidf-${PHONE_SAMPLES[state]}.xml`), "utf8");
  const body = parseSipBody(text, "application/pidf+xml");
  if (!body.ok) throw new Error(body.error.message);
  return sipToPresence(body.value, asterisk).presence;
}

/** The chat user's presence as the XMPP side reports it (default table). */
export function chat(show: Show | "available" | "unavailable", status = ""): Presence {
  return xmppToPresence(
    {
      type: show === "unavailable" ? "unavailable" : "available",
      ...(show === "available" || show === "unavailable" ? {} : { show }),
      status: status === "" ? {} : { "": status },
      priority: 0,
      from: "juliet@capulet.lit/balcony",
    },
    defaults,
  ).presence;
}

/** What the PBX NOTIFYs back after the bridge PUBLISHed `published` (only the bridge's tuple in it). */
export function throughPbx(published: Presence): Presence {
  const wire = serializePidf(presenceToPidf(published, juliet.sipUri, { tupleId: "pb-juliet" }));
  const parsed = parsePidf(wire);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return sipToPresence(parsed.value, defaults, { entity: juliet.sipUri }).presence;
}

/** A stanza the bridge sent for `sent`, coming back as the user's own presence (e.g. through an override on the user's server). */
export function reflected(sent: Presence): Presence {
  return xmppToPresence({ ...presenceToXmpp(sent), from: "juliet@capulet.lit/phone" }, defaults).presence;
}

export const policy = (fields: Partial<SyncPolicy> = {}): SyncPolicy => ({ ...DEFAULT_SYNC_POLICY, ...fields });

type Snapshot = ReturnType<typeof personSyncMachine.resolveState>;

export interface Step {
  readonly snapshot: Snapshot;
  readonly actions: readonly { readonly type: string; readonly params: unknown }[];
}

/** A person-sync driven by pure transitions: `send` returns the named actions of each step. */
export function driver(fields: Partial<SyncPolicy> = {}, from?: PersistedPersonSync) {
  let snapshot: Snapshot = personSyncMachine.resolveState(
    from === undefined
      ? { value: "steady", context: { person: juliet, policy: policy(fields), told: {}, expected: [] } }
      : { value: from.state, context: from.context },
  );
  const NAMED = new Set(["tellChat", "tellSip", "scheduleDebounce", "noteEcho", "persist"]);
  return {
    get snapshot() {
      return snapshot;
    },
    send(event: PersonSyncEvent): Step {
      const [next, actions] = transition(personSyncMachine, snapshot, event);
      snapshot = next;
      return { snapshot, actions: actions.filter((a) => NAMED.has(a.type)).map((a) => ({ type: a.type, params: a.params })) };
    },
  };
}

export const types = (step: Step): string[] => step.actions.map((a) => a.type);
export const paramsOf = <T>(step: Step, type: string): T | undefined =>
  step.actions.find((a) => a.type === type)?.params as T | undefined;
