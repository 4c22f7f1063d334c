/**
 * person-sync on the hot path of every change of a linked person: the pure decision
 * (XState `transition()` on a snapshot, as the fleet runs it), the echo and no-change
 * paths, and the fleet runner at 100,000 linked people (one scheduler, snapshots in a Map).
 */
import { transition } from "xstate";
import { PersonSyncFleet, personSyncMachine } from "../src/gateway/person-sync.js";
import type { Clock } from "../src/gateway/ports.js";
import { loadTable, presenceToPidf, sipToPresence, xmppToPresence } from "../src/mapping/index.js";
import { makePresence } from "../src/presence/index.js";
import type { Presence } from "../src/presence/types.js";
import { DEFAULT_SYNC_POLICY, type LinkedPerson, type PersonSyncEvent } from "../machines/person-sync.machine.js";
import { measure, type Figure } from "./harness.js";

export const title = "person-sync: decisions per change of a linked person";

const juliet: LinkedPerson = { jid: "juliet@capulet.lit", sipUri: "sip:1001@pbx.example.com", contact: "1001@sip.example.com" };

function values() {
  const loaded = loadTable({ profile: "default" });
  if (!loaded.ok) throw new Error("default table does not load");
  const table = loaded.value;
  const phoneOrigin = { side: "sip" as const, entity: juliet.sipUri };
  const inCall = makePresence({
    availability: "available", show: "dnd", phone: "in-call", activities: ["on-the-phone"],
    notes: { "": "On the phone" }, priority: 127, origin: phoneOrigin,
  });
  const idle = makePresence({ availability: "available", phone: "idle", priority: 127, origin: phoneOrigin });
  const chatDnd = xmppToPresence(
    { type: "available", show: "dnd", status: { "": "In a meeting", de: "In einer Besprechung" }, priority: 0, from: "juliet@capulet.lit/balcony" },
    table,
  ).presence;
  const echo = sipToPresence(presenceToPidf(chatDnd, juliet.sipUri, { tupleId: "pb-juliet" }), table, { entity: juliet.sipUri }).presence;
  return { inCall, idle, chatDnd, echo };
}

type Snapshot = ReturnType<typeof personSyncMachine.resolveState>;

function settled(v: ReturnType<typeof values>): Snapshot {
  let s: Snapshot = personSyncMachine.resolveState({
    value: "steady",
    context: { person: juliet, policy: { ...DEFAULT_SYNC_POLICY, notify: true, publish: true }, told: {}, expected: [] },
  });
  const events: PersonSyncEvent[] = [
    { type: "phone.changed", presence: v.idle, at: 0 },
    { type: "chat.changed", presence: v.chatDnd, at: 0 },
    { type: "debounce.elapsed", at: 250 },
  ];
  for (const e of events) [s] = transition(personSyncMachine, s, e);
  return s;
}

/** A clock the bench moves by hand: `advance` fires what is due, in order. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++id, { at: now + ms, fn });
      return { id };
    },
    clearTimeout: (handle) => void timers.delete(handle.id as number),
    advance(ms) {
      now += ms;
      for (const [key, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) break;
        timers.delete(key);
        t.fn();
      }
    },
  };
}

function fleetFigures(v: ReturnType<typeof values>): Figure[] {
  const PEOPLE = 100_000;
  const clock = manualClock();
  let told = 0;
  const fleet = new PersonSyncFleet({
    clock,
    effects: { tellChat: () => void told++, tellSip: () => void told++ },
    policy: { notify: true, publish: true },
  });
  const heapBefore = process.memoryUsage().heapUsed;
  const linkStart = process.hrtime.bigint();
  for (let i = 0; i < PEOPLE; i++) {
    fleet.link({ jid: `user${i}@capulet.lit`, sipUri: `sip:${100_000 + i}@pbx.example.com`, contact: `${100_000 + i}@sip.example.com` });
  }
  const linkS = Number(process.hrtime.bigint() - linkStart) / 1e9;
  const heapPerPerson = (process.memoryUsage().heapUsed - heapBefore) / PEOPLE;

  // One change per person through the runner (phone.changed, then the scheduler's debounce.elapsed), round-robin.
  let i = 0;
  let flip = false;
  const change = (): void => {
    fleet.phoneChanged(`sip:${100_000 + (i++ % PEOPLE)}@pbx.example.com`, flip ? v.idle : v.inCall);
    if (i % PEOPLE === 0) flip = !flip;
    if (i % 1_000 === 0) clock.advance(DEFAULT_SYNC_POLICY.debounceMs);
  };
  const figure = measure(`fleet of ${PEOPLE.toLocaleString("en")}: phone.changed (+ its share of debounce flushes, 1,000 per tick)`, change, {
    ops: 20_000,
    runs: 5,
  });
  const note =
    `link ${PEOPLE.toLocaleString("en")} people: ${linkS.toFixed(2)} s, heap ≈ ${Math.round(heapPerPerson)} B per person ` +
    `(no forced GC); ${told.toLocaleString("en")} tells (tellChat + tellSip) during the runs`;
  fleet.stop();
  return [{ ...figure, note }];
}

export function run(): readonly Figure[] {
  const v = values();
  const base = settled(v);

  // The full decision of one change: phone.changed opens the window, debounce.elapsed tells.
  let flip = false;
  let at = 1_000;
  const decide = (): void => {
    flip = !flip;
    const [s1] = transition(personSyncMachine, base, { type: "phone.changed", presence: flip ? v.inCall : v.idle, at });
    transition(personSyncMachine, s1, { type: "debounce.elapsed", at: at + 250 });
    at += 1_000;
  };
  const decision = measure("decision: phone.changed + debounce.elapsed → tellChat + tellSip (2 transitions)", decide, {
    ops: 20_000,
    note: "pure transition() on a snapshot, no clock, no I/O",
  });

  const immediate = personSyncMachine.resolveState({
    value: base.value,
    context: { ...base.context, policy: { ...base.context.policy, debounceMs: 0 } },
  });
  let flipImmediate = false;
  const decideNow = (): void => {
    flipImmediate = !flipImmediate;
    transition(personSyncMachine, immediate, { type: "phone.changed", presence: flipImmediate ? v.inCall : v.idle, at: 1_000 });
  };
  const now = measure("decision with debounceMs 0: phone.changed → tells (1 transition)", decideNow, { ops: 20_000 });

  // The bridge's PUBLISH coming back in the PBX's NOTIFY, inside the echo window.
  const published = personSyncMachine.resolveState({
    value: "steady",
    context: { ...base.context, expected: [{ side: "sip", presence: v.chatDnd, until: 10_000 }] },
  });
  const echo = measure("echo dropped: the PBX NOTIFYs the bridge's own PUBLISH back", () => {
    transition(personSyncMachine, published, { type: "phone.changed", presence: v.echo, at: 500 });
  }, { ops: 20_000 });

  const same: Presence = makePresence({ ...v.idle, origin: { side: "sip", entity: juliet.sipUri, via: "refresh" } });
  const unchanged = measure("no change: a refresh NOTIFY with the same state", () => {
    transition(personSyncMachine, base, { type: "phone.changed", presence: same, at: 500 });
  }, { ops: 20_000 });

  return [decision, now, echo, unchanged, ...fleetFigures(v)];
}
