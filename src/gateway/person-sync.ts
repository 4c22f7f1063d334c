/**
 * The person-sync fleet: every linked person's machine as a snapshot in a Map, driven
 * with the pure `transition()` (LIBRARIES.md §3: no live actor per person at 100,000),
 * one scheduler for every debounce deadline, and the machine's named actions carried
 * out here. The gateway joins it to the adapters through {@link PersonSyncEffects}.
 */
import {
  createPersonSyncMachine,
  DEFAULT_SYNC_POLICY,
  type LinkedPerson,
  type NoteEchoParams,
  type PersonSyncContext,
  type PersonSyncEvent,
  type PresenceOps,
  type SyncPolicy,
  type TellChatParams,
  type TellSipParams,
} from "../../machines/person-sync.machine.js";
import { pureTransition } from "../../machines/pure-transition.js";
import { presenceToXmpp } from "../mapping/index.js";
import { isEngaged, presenceEquals } from "../presence/index.js";
import type { Presence, Side } from "../presence/types.js";
import { DeadlineScheduler } from "../timing/deadline-scheduler.js";
import type { Clock, Logger } from "./ports.js";

const CONTENT = { ignoreOrigin: true, ignoreEntries: true } as const;

function notesAlike(a: Presence["notes"], b: Presence["notes"]): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((lang) => a[lang] === b[lang]);
}

/** What an XMPP client sees: `presenceToXmpp`'s type, show, status, priority and idle. */
function xmppShownAlike(a: Presence, b: Presence): boolean {
  const x = presenceToXmpp(a);
  const y = presenceToXmpp(b);
  return x.type === y.type && x.show === y.show && x.priority === y.priority && x.idleSince === y.idleSince && notesAlike(x.status, y.status);
}

/** The presence core's functions, as person-sync uses them. */
export const personSyncOps: PresenceOps = Object.freeze({
  equals: presenceEquals,
  isEngaged,
  shownAlike: (side: Side, a: Presence, b: Presence) => (side === "xmpp" ? xmppShownAlike(a, b) : presenceEquals(a, b, CONTENT)),
});

export const personSyncMachine = createPersonSyncMachine(personSyncOps);
const transition = pureTransition(personSyncMachine, undefined as never);

type Snapshot = ReturnType<typeof personSyncMachine.resolveState>;

/** What the store keeps of one person: JSON-safe. */
export interface PersistedPersonSync {
  readonly state: "steady" | "settling";
  readonly context: PersonSyncContext;
}

/** What the gateway does when the machine decides. Each call is isolated: a throw is logged, the fleet goes on. */
export interface PersonSyncEffects {
  /** Send `presence` from the person's contact JID to its XMPP watchers. */
  tellChat(params: TellChatParams): void;
  /** NOTIFY the person's SIP watchers and/or PUBLISH to the PBX, per the fields present. */
  tellSip(params: TellSipParams): void;
  /** Make the person's state durable (called after every change of it). */
  persist?(jid: string, record: PersistedPersonSync): void;
  /** An echo was recognised and dropped (for logs and metrics). */
  echoDropped?(params: NoteEchoParams): void;
}

export interface PersonSyncFleetOptions {
  readonly clock: Clock;
  readonly effects: PersonSyncEffects;
  readonly logger?: Logger;
  /** Defaults for {@link PersonSyncFleet.link}; DEFAULT_SYNC_POLICY otherwise. */
  readonly policy?: Partial<SyncPolicy>;
}

export class PersonSyncFleet {
  private readonly snapshots = new Map<string, Snapshot>();
  /** SIP address of record → JID. */
  private readonly bySipUri = new Map<string, string>();
  private readonly scheduler: DeadlineScheduler<{ readonly at: number; readonly jid: string }>;
  private readonly defaults: SyncPolicy;

  constructor(private readonly options: PersonSyncFleetOptions) {
    this.defaults = Object.freeze({ ...DEFAULT_SYNC_POLICY, ...options.policy });
    // Debounce deadlines are not cancelled: the machine ignores a stale `debounce.elapsed`, so every
    // entry fires (no liveness) and all that are due fire in one turn (each is one cheap transition).
    this.scheduler = new DeadlineScheduler({
      clock: options.clock,
      batch: Number.POSITIVE_INFINITY,
      fire: ({ jid }, now) => {
        this.send(jid, { type: "debounce.elapsed", at: now });
      },
    });
  }

  get size(): number {
    return this.snapshots.size;
  }

  /**
   * Starts syncing a person, or updates a linked one's addresses and (when given) policy,
   * keeping what it knows and was told.
   */
  link(person: LinkedPerson, policy?: Partial<SyncPolicy>): void {
    const existing = this.snapshots.get(person.jid);
    const context: PersonSyncContext =
      existing === undefined
        ? { person, policy: Object.freeze({ ...this.defaults, ...policy }), told: {}, expected: [] }
        : {
            ...existing.context,
            person,
            policy: policy === undefined ? existing.context.policy : Object.freeze({ ...this.defaults, ...policy }),
          };
    if (existing !== undefined && existing.context.person.sipUri !== person.sipUri) this.bySipUri.delete(existing.context.person.sipUri);
    const snapshot = personSyncMachine.resolveState({ value: existing?.value ?? "steady", context });
    this.put(snapshot);
    this.run(person.jid, snapshot, "persist", undefined);
  }

  /** Stops syncing a person; a pending change is dropped. */
  unlink(jid: string): void {
    const snapshot = this.snapshots.get(jid);
    if (snapshot === undefined) return;
    this.snapshots.delete(jid);
    if (this.bySipUri.get(snapshot.context.person.sipUri) === jid) this.bySipUri.delete(snapshot.context.person.sipUri);
  }

  /** The SIP side reported the extension `sipUri`. False when no linked person has it. */
  phoneChanged(sipUri: string, presence: Presence): boolean {
    const jid = this.bySipUri.get(sipUri);
    if (jid === undefined) return false;
    this.send(jid, { type: "phone.changed", presence, at: this.options.clock.now() });
    return true;
  }

  /** The XMPP side reported the user `jid` (bare). False when `jid` is not a linked person. */
  chatChanged(jid: string, presence: Presence): boolean {
    if (!this.snapshots.has(jid)) return false;
    this.send(jid, { type: "chat.changed", presence, at: this.options.clock.now() });
    return true;
  }

  /** An adapter recognised the bridge's own value coming back on `side` for `jid`. */
  echoReceived(jid: string, side: Side, presence?: Presence): boolean {
    if (!this.snapshots.has(jid)) return false;
    const at = this.options.clock.now();
    this.send(jid, presence === undefined ? { type: "echo.received", side, at } : { type: "echo.received", side, presence, at });
    return true;
  }

  /**
   * Loads persisted people (after a restart) and re-arms their deadlines: a deadline
   * already passed fires on the next tick, so a change pending at the crash is told.
   */
  restore(records: Iterable<PersistedPersonSync>): void {
    for (const record of records) {
      const snapshot = personSyncMachine.resolveState({ value: record.state, context: record.context });
      this.put(snapshot);
      const until = snapshot.context.debounceUntil;
      if (snapshot.value === "settling" && until !== undefined) this.scheduler.add({ at: until, jid: record.context.person.jid });
    }
  }

  /** The persisted form of one person, or undefined. */
  persisted(jid: string): PersistedPersonSync | undefined {
    const snapshot = this.snapshots.get(jid);
    return snapshot === undefined ? undefined : toPersisted(snapshot);
  }

  /** Cancels the timer; the snapshots stay. */
  stop(): void {
    this.scheduler.clear();
  }

  private put(snapshot: Snapshot): void {
    const person = snapshot.context.person;
    this.snapshots.set(person.jid, snapshot);
    this.bySipUri.set(person.sipUri, person.jid);
  }

  private send(jid: string, event: PersonSyncEvent): void {
    const snapshot = this.snapshots.get(jid);
    if (snapshot === undefined) return;
    const [next, actions] = transition(snapshot, event);
    if (next !== snapshot) this.snapshots.set(jid, next);
    for (const action of actions) this.run(jid, next, action.type, action.params);
  }

  private run(jid: string, snapshot: Snapshot, type: string, params: unknown): void {
    const { effects, logger } = this.options;
    try {
      switch (type) {
        case "tellChat":
          effects.tellChat(params as TellChatParams);
          break;
        case "tellSip":
          effects.tellSip(params as TellSipParams);
          break;
        case "scheduleDebounce":
          this.scheduler.add({ at: (params as { until: number }).until, jid });
          break;
        case "persist":
          effects.persist?.(jid, toPersisted(snapshot));
          break;
        case "noteEcho": {
          const echo = params as NoteEchoParams;
          logger?.debug("person-sync.echo-dropped", { person: jid, side: echo.side, by: echo.by });
          effects.echoDropped?.(echo);
          break;
        }
        default:
          break; // xstate's own actions (assign) were applied by transition()
      }
    } catch (error) {
      logger?.error("person-sync.effect-failed", {
        person: jid,
        action: type,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function toPersisted(snapshot: Snapshot): PersistedPersonSync {
  return { state: snapshot.value === "settling" ? "settling" : "steady", context: snapshot.context };
}
