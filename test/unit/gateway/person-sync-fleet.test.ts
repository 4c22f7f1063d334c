/**
 * The person-sync fleet on XState's SimulatedClock: deadlines through one scheduler,
 * effects isolated per person, restore after a crash, and the PUBLISH echo stripped
 * by its marker.
 */
import { describe, expect, it } from "vitest";
import { PersonSyncFleet, type PersistedPersonSync, type PersonSyncEffects } from "../../../src/gateway/person-sync.js";
import { bridgeTupleId, withoutOwnElements } from "../../../src/gateway/person-sync-echo.js";
import type { LogFields, Logger } from "../../../src/gateway/ports.js";
import { simulated } from "./helpers.js";
import { presenceToPidf } from "../../../src/mapping/index.js";
import { compose, makeEntry } from "../../../src/presence/index.js";
import type { TellChatParams, TellSipParams } from "../../../machines/person-sync.machine.js";
import { chat, juliet, phone } from "../machines/person-sync-fixtures.js";

function recorder(overrides: Partial<PersonSyncEffects> = {}) {
  const chatTold: TellChatParams[] = [];
  const sipTold: TellSipParams[] = [];
  const stored = new Map<string, PersistedPersonSync>();
  const effects: PersonSyncEffects = {
    tellChat: (p) => chatTold.push(p),
    tellSip: (p) => sipTold.push(p),
    persist: (jid, record) => stored.set(jid, JSON.parse(JSON.stringify(record)) as PersistedPersonSync),
    ...overrides,
  };
  return { effects, chatTold, sipTold, stored };
}

const romeo = { jid: "romeo@montague.lit", sipUri: "sip:1002@pbx.example.com", contact: "1002@sip.example.com" };

describe("PersonSyncFleet", () => {
  it("tells nothing before the window closes, then the latest state once", () => {
    const { sim, clock } = simulated();
    const r = recorder();
    const fleet = new PersonSyncFleet({ clock, effects: r.effects });
    fleet.link(juliet);
    expect(fleet.phoneChanged(juliet.sipUri, phone("ringing"))).toBe(true);
    sim.increment(100);
    fleet.phoneChanged(juliet.sipUri, phone("in-call"));
    sim.increment(149);
    expect(r.chatTold).toEqual([]);
    sim.increment(1);
    expect(r.chatTold).toEqual([{ person: juliet, presence: phone("in-call") }]);
    expect(r.sipTold).toEqual([{ person: juliet, notify: phone("in-call") }]);
    sim.increment(10_000);
    expect(r.chatTold).toHaveLength(1);
  });

  it("routes by SIP address and by JID, and says when nobody is linked", () => {
    const { sim, clock } = simulated();
    const r = recorder();
    const fleet = new PersonSyncFleet({ clock, effects: r.effects, policy: { debounceMs: 0, publish: true } });
    fleet.link(juliet);
    fleet.link(romeo);
    expect(fleet.phoneChanged("sip:9999@pbx.example.com", phone("idle"))).toBe(false);
    expect(fleet.chatChanged("nurse@capulet.lit", chat("dnd"))).toBe(false);
    fleet.chatChanged(romeo.jid, chat("dnd"));
    sim.increment(0);
    expect(r.sipTold.map((t) => t.person.jid)).toEqual([romeo.jid]);
    expect(r.sipTold[0]?.publish).toEqual(chat("dnd"));
  });

  it("holds 1,000 pending deadlines on one clock timer", () => {
    const { sim, clock, armed } = simulated();
    const r = recorder();
    const fleet = new PersonSyncFleet({ clock, effects: r.effects });
    for (let i = 0; i < 1_000; i++) {
      fleet.link({ jid: `user${i}@capulet.lit`, sipUri: `sip:${2000 + i}@pbx.example.com`, contact: `${2000 + i}@sip.example.com` });
    }
    for (let i = 0; i < 1_000; i++) {
      fleet.phoneChanged(`sip:${2000 + i}@pbx.example.com`, phone("in-call"));
      sim.increment(i % 3 === 0 ? 1 : 0);
    }
    expect(armed()).toBe(1);
    sim.increment(1_000);
    expect(r.chatTold).toHaveLength(1_000);
    expect(armed()).toBe(0);
  });

  it("a failing effect is logged with its keys and the others are still served", () => {
    const { sim, clock } = simulated();
    const logged: [string, LogFields | undefined][] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (event, fields) => logged.push([event, fields]) };
    const r = recorder();
    const fleet = new PersonSyncFleet({
      clock,
      logger,
      effects: {
        ...r.effects,
        tellChat: (p) => {
          if (p.person.jid === juliet.jid) throw new Error("link down");
          r.chatTold.push(p);
        },
      },
    });
    fleet.link(juliet);
    fleet.link(romeo);
    fleet.phoneChanged(juliet.sipUri, phone("in-call"));
    fleet.phoneChanged(romeo.sipUri, phone("in-call"));
    sim.increment(250);
    expect(r.chatTold.map((t) => t.person.jid)).toEqual([romeo.jid]);
    expect(r.sipTold.map((t) => t.person.jid)).toEqual([juliet.jid, romeo.jid]);
    expect(logged).toEqual([["person-sync.effect-failed", { person: juliet.jid, action: "tellChat", reason: "link down" }]]);
  });

  it("after a crash, a restored fleet tells the change that was pending (deadline re-armed from the store)", () => {
    const first = simulated();
    const r1 = recorder();
    const fleet1 = new PersonSyncFleet({ clock: first.clock, effects: r1.effects });
    fleet1.link(juliet);
    first.sim.increment(1_000);
    fleet1.phoneChanged(juliet.sipUri, phone("in-call"));
    const record = r1.stored.get(juliet.jid);
    expect(record).toMatchObject({ state: "settling", context: { debounceUntil: 1_250 } });
    // The process dies here; nothing was told.
    expect(r1.chatTold).toEqual([]);

    const second = simulated();
    second.sim.set(1_100);
    const r2 = recorder();
    const fleet2 = new PersonSyncFleet({ clock: second.clock, effects: r2.effects });
    fleet2.restore([record as PersistedPersonSync]);
    second.sim.increment(149);
    expect(r2.chatTold).toEqual([]);
    second.sim.increment(1);
    expect(r2.chatTold).toEqual([{ person: juliet, presence: phone("in-call") }]);

    // A deadline that passed while the bridge was down fires on the next tick.
    const third = simulated();
    third.sim.set(60_000);
    const r3 = recorder();
    const fleet3 = new PersonSyncFleet({ clock: third.clock, effects: r3.effects });
    fleet3.restore([record as PersistedPersonSync]);
    third.sim.increment(0);
    expect(r3.chatTold).toHaveLength(1);
  });

  it("unlink drops a pending change; re-link keeps what was told", () => {
    const { sim, clock } = simulated();
    const r = recorder();
    const fleet = new PersonSyncFleet({ clock, effects: r.effects });
    fleet.link(juliet);
    fleet.phoneChanged(juliet.sipUri, phone("in-call"));
    fleet.unlink(juliet.jid);
    sim.increment(500);
    expect(r.chatTold).toEqual([]);
    expect(fleet.phoneChanged(juliet.sipUri, phone("idle"))).toBe(false);

    fleet.link(juliet);
    fleet.phoneChanged(juliet.sipUri, phone("in-call"));
    sim.increment(250);
    fleet.link({ ...juliet, sipUri: "sip:1003@pbx.example.com" });
    expect(fleet.phoneChanged(juliet.sipUri, phone("idle"))).toBe(false);
    expect(fleet.persisted(juliet.jid)?.context.told.chat).toEqual(phone("in-call"));
  });

  it("echoReceived notes the echo without telling anyone", () => {
    const { clock } = simulated();
    const echoes: string[] = [];
    const r = recorder({ echoDropped: (p) => echoes.push(`${p.person.jid} ${p.side} ${p.by}`) });
    const fleet = new PersonSyncFleet({ clock, effects: r.effects });
    fleet.link(juliet);
    expect(fleet.echoReceived(juliet.jid, "sip")).toBe(true);
    expect(fleet.echoReceived("nurse@capulet.lit", "sip")).toBe(false);
    expect(echoes).toEqual(["juliet@capulet.lit sip adapter"]);
    expect(r.chatTold).toEqual([]);
  });
});

describe("the PUBLISH echo, by the bridge's own tuple id", () => {
  const tupleId = bridgeTupleId(juliet);
  const ours = presenceToPidf(chat("dnd", "In a meeting"), juliet.sipUri, { tupleId });
  const phones = presenceToPidf(phone("in-call"), juliet.sipUri, { tupleId: "1001" });

  it("is an xs:ID, stable per person", () => {
    expect(tupleId).toBe("pb-juliet_capulet.lit");
    expect(bridgeTupleId({ jid: "juliet@capulet.lit" })).toBe(tupleId);
  });

  it("strips the bridge's tuple and person from a composed NOTIFY, keeping the phone's", () => {
    const composed = { ...phones, tuples: [...phones.tuples, ...ours.tuples], persons: [...phones.persons, ...ours.persons] };
    const stripped = withoutOwnElements(composed, tupleId);
    expect(stripped.hadOwn).toBe(true);
    expect(stripped.onlyOwn).toBe(false);
    expect(stripped.doc.tuples.map((t) => t.id)).toEqual(["1001"]);
    expect(stripped.doc.persons).toEqual(phones.persons);
  });

  it("a user on several resources: every per-resource tuple of the bridge's is stripped, a look-alike id is not", () => {
    const entry = (id: string, show?: "away") => makeEntry({ id, availability: "available", ...(show === undefined ? {} : { show }), contact: `juliet@capulet.lit/${id}` });
    const twoResources = compose([entry("desk"), entry("phone", "away")], {}, { side: "xmpp", entity: "juliet@capulet.lit", via: "desk" });
    const mine = presenceToPidf(twoResources, juliet.sipUri, { tupleId });
    expect(mine.tuples.map((t) => t.id)).toEqual([`${tupleId}-desk`, `${tupleId}-phone`]);
    const lookAlike = { ...phones.tuples[0]!, id: `${tupleId}x` };
    const composed = { ...phones, tuples: [...phones.tuples, lookAlike, ...mine.tuples], persons: [...phones.persons, ...mine.persons] };
    expect(withoutOwnElements(composed, tupleId).doc.tuples.map((t) => t.id)).toEqual(["1001", `${tupleId}x`]);
    expect(withoutOwnElements(mine, tupleId)).toMatchObject({ hadOwn: true, onlyOwn: true });
  });

  it("a NOTIFY of nothing but the bridge's elements is the echo; one without them is untouched", () => {
    expect(withoutOwnElements(ours, tupleId)).toMatchObject({ hadOwn: true, onlyOwn: true });
    const untouched = withoutOwnElements(phones, tupleId);
    expect(untouched.doc).toBe(phones);
    expect(untouched).toMatchObject({ hadOwn: false, onlyOwn: false });
  });
});
