/**
 * person-sync: one per linked person (a JID and an extension, e.g. juliet@capulet.lit ⇄
 * sip:1001@pbx.example.com). It keeps the latest value of each side, merges them, and
 * decides what each side must be told (see person-sync.merge.ts for the precedence and
 * the routes), without echoing a change back to where it came from and without passing
 * flapping on.
 *
 * | state      | event            | guard                    | next     | actions |
 * |------------|------------------|--------------------------|----------|---------|
 * | any        | phone/chat.changed | the bridge's own value (origin, or an open expectation) | same | noteEcho |
 * | any        | phone/chat.changed | same content as the side's last value | same | — |
 * | steady     | phone/chat.changed | debounceMs is 0        | steady   | record, tellChat/tellSip (what changed), persist |
 * | steady     | phone/chat.changed | —                      | settling | record, debounceUntil = at + debounceMs, scheduleDebounce, persist |
 * | settling   | phone/chat.changed | —                      | settling | record, persist (the window is not extended) |
 * | settling   | debounce.elapsed | at ≥ debounceUntil       | steady   | tellChat/tellSip (what differs from what was told), persist |
 * | settling   | debounce.elapsed | early                    | settling | scheduleDebounce |
 * | steady     | debounce.elapsed | —                        | steady   | — (a stale timer) |
 * | any        | echo.received    | —                        | same     | close the matching expectation, noteEcho, persist |
 *
 * Debounce is trailing and bounded: the first change opens a window of `debounceMs`,
 * later changes only replace the pending value, and at the end the latest state is
 * compared with what each route was last told: a flap back to the previous state sends
 * nothing, and continuous flapping cannot hold a state back longer than one window.
 *
 * Time is data: every event carries `at` (ms since epoch, stamped by the gateway's
 * clock), and the deadline is `debounceUntil` in the context, so a restored snapshot
 * re-arms it (the fleet runner schedules `debounce.elapsed` from it). No `after` delays:
 * XState does not restore them (statelyai/xstate#5331, LIBRARIES.md §3).
 */
import { setup } from "xstate";
import type { Presence, Side } from "../src/presence/types.js";
import {
  DEFAULT_SYNC_POLICY,
  changedViews,
  expectEchoes,
  expectedEcho,
  isOwnByOrigin,
  sameContent,
  sameForSip,
  viewsOf,
  type Expectation,
  type PresenceOps,
  type SyncPolicy,
  type Views,
} from "./person-sync.merge.js";

export * from "./person-sync.merge.js";

/** Someone with a JID and an extension. */
export interface LinkedPerson {
  /** Bare JID of the chat user: `juliet@capulet.lit`. */
  readonly jid: string;
  /** The extension's SIP address of record: `sip:1001@pbx.example.com`. */
  readonly sipUri: string;
  /** The bridged contact JID that shows the person on XMPP: `1001@sip.example.com`. */
  readonly contact: string;
}

/** JSON-safe: it is what the store keeps. */
export interface PersonSyncContext {
  readonly person: LinkedPerson;
  readonly policy: SyncPolicy;
  /** The latest phone-side value (the extension's presence as the SIP side reports it). */
  readonly phone?: Presence;
  /** The latest chat-side value (the user's composed XMPP presence). */
  readonly chat?: Presence;
  /** What each route was last told. */
  readonly told: Views;
  /** Values the bridge sent that may come back. */
  readonly expected: readonly Expectation[];
  /** ms since epoch when the pending change is told; absent when nothing is pending. */
  readonly debounceUntil?: number;
}

export interface PersonSyncInput {
  readonly person: LinkedPerson;
  readonly policy: SyncPolicy;
}

export type PersonSyncEvent =
  /** The SIP side reported the extension's presence (NOTIFY, PUBLISH received). */
  | { readonly type: "phone.changed"; readonly presence: Presence; readonly at: number }
  /** The XMPP side reported the user's presence. */
  | { readonly type: "chat.changed"; readonly presence: Presence; readonly at: number }
  /** An adapter recognised the bridge's own value by its marker (our ETag or tuple id, our resource). */
  | { readonly type: "echo.received"; readonly side: Side; readonly presence?: Presence; readonly at: number }
  /** The debounce deadline passed. */
  | { readonly type: "debounce.elapsed"; readonly at: number };

export interface TellChatParams {
  readonly person: LinkedPerson;
  /** The presence the contact JID shows its XMPP watchers. */
  readonly presence: Presence;
}
export interface TellSipParams {
  readonly person: LinkedPerson;
  /** For the person's SIP watchers (NOTIFY), when it changed. */
  readonly notify?: Presence;
  /** For the PBX (PUBLISH as the person's extension), when it changed. */
  readonly publish?: Presence;
}
export interface ScheduleDebounceParams {
  readonly person: LinkedPerson;
  readonly until: number;
}
export interface NoteEchoParams {
  readonly person: LinkedPerson;
  readonly side: Side;
  /** How it was recognised. */
  readonly by: "origin" | "expected" | "adapter";
}

const NO_PERSON: LinkedPerson = Object.freeze({ jid: "", sipUri: "", contact: "" });

type ChangeEvent = Extract<PersonSyncEvent, { type: "phone.changed" | "chat.changed" }>;
const sideOfEvent = (event: ChangeEvent): Side => (event.type === "phone.changed" ? "sip" : "xmpp");
const lastValue = (context: PersonSyncContext, event: ChangeEvent): Presence | undefined =>
  event.type === "phone.changed" ? context.phone : context.chat;

/** The machine, given the presence core's equality and engagement tests. */
export function createPersonSyncMachine(ops: PresenceOps) {
  const echoBy = (context: PersonSyncContext, event: ChangeEvent): NoteEchoParams["by"] | undefined => {
    const side = sideOfEvent(event);
    if (isOwnByOrigin(event.presence, side, context.person.contact)) return "origin";
    return expectedEcho(ops, context.expected, side, event.presence, event.at) >= 0 ? "expected" : undefined;
  };

  const machineSetup = setup({
    types: {
      context: {} as PersonSyncContext,
      events: {} as PersonSyncEvent,
      input: {} as PersonSyncInput,
    },
    // What the gateway implements (the fleet runner reads them off `transition()`).
    actions: {
      tellChat: (_, _params: TellChatParams) => {},
      tellSip: (_, _params: TellSipParams) => {},
      scheduleDebounce: (_, _params: ScheduleDebounceParams) => {},
      noteEcho: (_, _params: NoteEchoParams) => {},
      persist: () => {},
    },
    guards: {
      isEcho: ({ context, event }) =>
        (event.type === "phone.changed" || event.type === "chat.changed") && echoBy(context, event) !== undefined,
      // A chat value's resources count: the SIP side sees each one as a tuple.
      isUnchanged: ({ context, event }) =>
        (event.type === "phone.changed" && sameContent(ops, event.presence, lastValue(context, event))) ||
        (event.type === "chat.changed" && sameForSip(ops, event.presence, lastValue(context, event))),
      isImmediate: ({ context }) => context.policy.debounceMs <= 0,
      isDue: ({ context, event }) => context.debounceUntil === undefined || event.at >= context.debounceUntil,
    },
  });

  const record = machineSetup.assign(({ event }) =>
    event.type === "phone.changed" ? { phone: event.presence } : event.type === "chat.changed" ? { chat: event.presence } : {},
  );

  const dropEcho = machineSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== "phone.changed" && event.type !== "chat.changed") return;
    const by = echoBy(context, event) ?? "expected";
    enqueue({ type: "noteEcho", params: { person: context.person, side: sideOfEvent(event), by } });
  });

  const forgetEcho = machineSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== "echo.received") return;
    const open = context.expected.filter((e) => e.side === event.side && e.until >= event.at);
    const echoed = event.presence;
    const match = echoed === undefined ? undefined : open.find((e) => ops.shownAlike(event.side, e.presence, echoed));
    const gone = match ?? open[0];
    enqueue({ type: "noteEcho", params: { person: context.person, side: event.side, by: "adapter" } });
    if (gone === undefined) return;
    enqueue.assign({ expected: context.expected.filter((e) => e !== gone) });
    enqueue("persist");
  });

  const armDebounce = machineSetup.enqueueActions(({ context, event, enqueue }) => {
    const until = event.at + context.policy.debounceMs;
    enqueue.assign({ debounceUntil: until });
    enqueue({ type: "scheduleDebounce", params: { person: context.person, until } });
  });

  const rearmDebounce = machineSetup.enqueueActions(({ context, enqueue }) => {
    if (context.debounceUntil === undefined) return;
    enqueue({ type: "scheduleDebounce", params: { person: context.person, until: context.debounceUntil } });
  });

  // Tell each route what differs from what it was last told, then remember it.
  const flush = machineSetup.enqueueActions(({ context, event, enqueue }) => {
    const views = viewsOf(ops, context.phone, context.chat, context.policy);
    const changed = changedViews(ops, views, context.told);
    const { person } = context;
    if (changed.chat !== undefined) enqueue({ type: "tellChat", params: { person, presence: changed.chat } });
    if (changed.notify !== undefined || changed.publish !== undefined) {
      enqueue({
        type: "tellSip",
        params: {
          person,
          ...(changed.notify === undefined ? {} : { notify: changed.notify }),
          ...(changed.publish === undefined ? {} : { publish: changed.publish }),
        },
      });
    }
    enqueue.assign({
      told: { ...context.told, ...changed },
      expected: expectEchoes(ops, context.expected, changed, event.at, context.policy.echoWindowMs),
      debounceUntil: undefined,
    });
  });

  const onChange = {
    steady: [
      { guard: "isEcho", actions: dropEcho },
      { guard: "isUnchanged" },
      { guard: "isImmediate", actions: [record, flush, "persist"] },
      { target: "settling", actions: [record, armDebounce, "persist"] },
    ],
    settling: [
      { guard: "isEcho", actions: dropEcho },
      { guard: "isUnchanged" },
      { actions: [record, "persist"] },
    ],
  } as const;

  return machineSetup.createMachine({
    id: "person-sync",
    // `transition()` builds a throwaway actor without input for every call: give it an
    // empty person rather than a TypeError (thrown, caught and kept by XState, at ~2× the cost).
    context: ({ input }: { input: PersonSyncInput | undefined }) => ({
      person: input?.person ?? NO_PERSON,
      policy: input?.policy ?? DEFAULT_SYNC_POLICY,
      told: {},
      expected: [],
    }),
    initial: "steady",
    on: {
      "echo.received": { actions: forgetEcho },
    },
    states: {
      steady: {
        on: { "phone.changed": onChange.steady, "chat.changed": onChange.steady },
      },
      settling: {
        on: {
          "phone.changed": onChange.settling,
          "chat.changed": onChange.settling,
          "debounce.elapsed": [
            { guard: "isDue", target: "steady", actions: [flush, "persist"] },
            { actions: rearmDebounce },
          ],
        },
      },
    },
  });
}

export type PersonSyncMachine = ReturnType<typeof createPersonSyncMachine>;
