/** SipSubscriber over loopback against a scriptable notifier: sharing, NOTIFY routing, reasons, fetch, restore. */
import { afterEach, describe, expect, it } from "vitest";
import type { DialogStore, SipDialogRecord, SipEventPackage, SipNotification, SipSubscriptionStatus } from "../../../src/gateway/ports.js";
import { SipStack } from "../../../src/sip/stack.js";
import { SipSubscriber } from "../../../src/sip/subscriber.js";
import type { SipProtocol } from "../../../src/sip/transport/index.js";
import { FakeNotifier } from "./fake-notifier.js";
import { captureLogger, LOOPBACK, ManualClock, until } from "./helpers.js";

const stacks: SipStack[] = [];
const subscribers: SipSubscriber[] = [];
afterEach(async () => {
  for (const s of subscribers.splice(0)) s.stop();
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
});

export class MemoryDialogStore implements DialogStore {
  readonly records = new Map<string, SipDialogRecord>();
  putDialog(record: SipDialogRecord): void {
    this.records.set(record.id, JSON.parse(JSON.stringify(record)) as SipDialogRecord);
  }
  deleteDialog(id: string): void {
    this.records.delete(id);
  }
  *listDialogs(role?: SipDialogRecord["role"]): Iterable<SipDialogRecord> {
    for (const r of this.records.values()) if (role === undefined || r.role === role) yield r;
  }
}

class CountingDialogStore extends MemoryDialogStore {
  puts = 0;
  override putDialog(record: SipDialogRecord): void {
    this.puts++;
    super.putDialog(record);
  }
}

async function stack(name: string, protocol: SipProtocol, clock?: ManualClock): Promise<SipStack> {
  const s = await SipStack.start({
    transport: { [protocol]: { host: LOOPBACK, port: 0 }, preferredTransport: protocol },
    aor: `sip:${name}@${LOOPBACK}`, version: "t", logger: captureLogger(), ...(clock ? { clock } : {}),
  });
  stacks.push(s);
  return s;
}

interface Seen {
  readonly notifications: SipNotification[];
  readonly statuses: { presentity: string; event: SipEventPackage; watchers: readonly string[]; status: SipSubscriptionStatus }[];
}

async function setup(protocol: SipProtocol = "tcp", options: { clock?: ManualClock; store?: DialogStore; expires?: number } = {}) {
  const gw = await stack("gw", protocol, options.clock);
  const notifier = new FakeNotifier(await stack("pbx", protocol));
  const seen: Seen = { notifications: [], statuses: [] };
  const make = (): SipSubscriber => {
    const s = new SipSubscriber({
      stack: gw, expires: options.expires ?? 600, ...(options.store ? { store: options.store } : {}),
      events: {
        onNotification: (n) => seen.notifications.push(n),
        onSubscriptionStatus: (presentity, event, watchers, status) => seen.statuses.push({ presentity, event, watchers, status }),
      },
    });
    subscribers.push(s);
    return s;
  };
  return { gw, notifier, seen, subscriber: make(), make };
}

describe.each<SipProtocol>(["udp", "tcp"])("SipSubscriber over %s", (protocol) => {
  it("one SUBSCRIBE for two watchers; NOTIFY body and active state reach the gateway; the last watcher ends it with Expires: 0", async () => {
    const { notifier, seen, subscriber } = await setup(protocol);
    const presentity = notifier.uri("1001");
    subscriber.subscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
    subscriber.subscribe({ presentity, event: "presence", watcher: "romeo@montague.lit" });
    await until(() => seen.notifications.length === 1, "the first NOTIFY");
    expect(notifier.subscribes).toHaveLength(1);
    expect(notifier.subscribes[0]).toMatchObject({ event: "presence", accept: "application/pidf+xml", expires: 600, toTag: undefined });
    expect(notifier.subscribes[0]?.contact).toMatch(/^<sip:gw@127\.0\.0\.1:\d+/);
    expect(seen.notifications[0]).toEqual({
      presentity, event: "presence", subscriptionState: "active", body: { contentType: "application/pidf+xml", content: notifier.body },
    });
    await until(() => seen.statuses.some((s) => s.status.state === "active"), "active");
    expect(seen.statuses.find((s) => s.status.state === "active")?.watchers).toEqual(["juliet@capulet.lit", "romeo@montague.lit"]);

    // A change: a NOTIFY inside the dialog is answered 200 and handed on.
    const dialog = notifier.dialogs[0];
    expect(await dialog?.notify("active;expires=500", "<presence entity='changed'/>")).toBe(200);
    expect(seen.notifications[1]?.body?.content).toBe("<presence entity='changed'/>");

    subscriber.unsubscribe({ presentity, event: "presence", watcher: "juliet@capulet.lit" });
    expect(notifier.subscribes).toHaveLength(1);
    subscriber.unsubscribe({ presentity, event: "presence", watcher: "romeo@montague.lit" });
    await until(() => notifier.subscribes.length === 2, "the unsubscribe");
    expect(notifier.subscribes[1]).toMatchObject({ expires: 0, callId: notifier.subscribes[0]?.callId, cseq: 2 });
    expect(notifier.subscribes[1]?.toTag).toBeDefined();
    expect(seen.statuses.at(-1)?.status).toEqual({ state: "terminated", reason: "unsubscribed" });
    expect(subscriber.size).toBe(0);
  });

  it("subscribes to Event: dialog with Accept: application/dialog-info+xml", async () => {
    const { gw, seen } = await setup(protocol);
    const notifier = new FakeNotifier(await stack("blf", protocol), "dialog", "application/dialog-info+xml");
    const subscriber = new SipSubscriber({ stack: gw, events: { onNotification: (n) => seen.notifications.push(n), onSubscriptionStatus: () => undefined } });
    subscribers.push(subscriber);
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "dialog", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the dialog NOTIFY");
    expect(notifier.subscribes[0]).toMatchObject({ event: "dialog", accept: "application/dialog-info+xml", expires: 3600 });
    expect(seen.notifications[0]?.body?.contentType).toBe("application/dialog-info+xml");
  });
});

describe("SipSubscriber: notifier behaviour", () => {
  it("answers 481 to a NOTIFY for a dialog it does not know, 489 to a wrong Event, 400 without Subscription-State", async () => {
    const { notifier, subscriber, seen } = await setup();
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    const dialog = notifier.dialogs[0];
    expect(await dialog?.notify("active", undefined, "dialog")).toBe(489);
    subscriber.unsubscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => notifier.subscribes.length === 2, "the unsubscribe");
    // Ended by us: the final NOTIFY still gets 200 while the dialog lingers.
    expect(await dialog?.notify("terminated;reason=timeout")).toBe(200);
  });

  it("refuses an address that is not a SIP URI with invalid-uri, sends nothing, and keeps serving", async () => {
    const { notifier, subscriber, seen } = await setup();
    const refused = subscriber.subscribe({ presentity: "mailto:juliet@capulet.lit", event: "presence", watcher: "w" });
    expect(refused).toMatchObject({ ok: false, error: { code: "invalid-uri", source: "mailto:juliet@capulet.lit" } });
    expect(subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w", from: "not a uri" }))
      .toMatchObject({ ok: false, error: { code: "invalid-uri" } });
    expect(await subscriber.fetch({ presentity: "juliet", event: "presence" })).toMatchObject({ ok: false, statusCode: 0 });
    expect(subscriber.size).toBe(0);
    expect(subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" })).toEqual({ ok: true, value: undefined });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    expect(notifier.subscribes).toHaveLength(1);
  });

  it("re-subscribes at once on terminated;reason=deactivated, with a new dialog", async () => {
    const { notifier, subscriber, seen } = await setup();
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    expect(await notifier.dialogs[0]?.notify("terminated;reason=deactivated")).toBe(200);
    await until(() => notifier.subscribes.length === 2, "the new SUBSCRIBE");
    expect(notifier.subscribes[1]?.callId).not.toBe(notifier.subscribes[0]?.callId);
    expect(notifier.subscribes[1]?.toTag).toBeUndefined();
  });

  it("stops and reports denied on terminated;reason=rejected; 489 is reported as unsupported-event", async () => {
    const { notifier, subscriber, seen } = await setup();
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    await notifier.dialogs[0]?.notify("terminated;reason=rejected");
    await until(() => seen.statuses.at(-1)?.status.state === "terminated", "terminated");
    expect(seen.statuses.at(-1)?.status).toEqual({ state: "terminated", reason: "denied" });

    notifier.reply = () => ({ status: 489, headers: ["Allow-Events: presence"] });
    subscriber.subscribe({ presentity: notifier.uri("1002"), event: "presence", watcher: "w" });
    await until(() => seen.statuses.at(-1)?.presentity === notifier.uri("1002"), "the 489");
    expect(seen.statuses.at(-1)?.status).toEqual({ state: "terminated", reason: "unsupported-event", statusCode: 489 });
  });

  it("423 → subscribes again with the Min-Expires", async () => {
    const { notifier, subscriber, seen } = await setup("tcp", { expires: 60 });
    notifier.reply = (s) => (s.expires < 1800 ? { status: 423, headers: ["Min-Expires: 1800"] } : { status: 200, body: notifier.body });
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    expect(notifier.subscribes.map((s) => s.expires)).toEqual([60, 1800]);
  });

  it("fetch: one SUBSCRIBE with Expires: 0, the NOTIFY's body, and no re-subscription", async () => {
    const { notifier, subscriber } = await setup();
    const result = await subscriber.fetch({ presentity: notifier.uri("1001"), event: "presence" });
    expect(result).toEqual({
      ok: true,
      notification: { presentity: notifier.uri("1001"), event: "presence", subscriptionState: "terminated", body: { contentType: "application/pidf+xml", content: notifier.body } },
    });
    expect(notifier.subscribes.map((s) => s.expires)).toEqual([0]);
    notifier.reply = () => ({ status: 404 });
    expect(await subscriber.fetch({ presentity: notifier.uri("1002"), event: "presence" })).toMatchObject({ ok: false, statusCode: 404 });
    expect(notifier.subscribes).toHaveLength(2);
  });
});

describe("SipSubscriber: time and restarts (simulated clock)", () => {
  it("refreshes inside the dialog before expiry; a 481 to the refresh (notifier restarted) starts a new dialog", async () => {
    const clock = new ManualClock();
    const { notifier, subscriber, seen } = await setup("tcp", { clock, expires: 60 });
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    clock.advance(54_999);
    expect(notifier.subscribes).toHaveLength(1);
    clock.advance(1);
    await until(() => notifier.subscribes.length === 2, "the refresh");
    expect(notifier.subscribes[1]).toMatchObject({ callId: notifier.subscribes[0]?.callId, cseq: 2, expires: 60 });
    await until(() => seen.notifications.length === 2, "the refresh's NOTIFY");

    notifier.forgetDialogs();
    clock.advance(55_000);
    await until(() => notifier.subscribes.length === 3, "the new SUBSCRIBE after 481");
    expect(notifier.subscribes[2]?.toTag).toBeUndefined();
    await until(() => seen.notifications.length === 3, "NOTIFYs again");
  });

  it("keeps subscriptions in the store; a new subscriber restores them and refreshes the same dialog", async () => {
    const store = new MemoryDialogStore();
    const { notifier, subscriber, seen, make } = await setup("tcp", { store });
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "juliet@capulet.lit" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    const record = [...store.listDialogs("subscriber")][0];
    expect(record?.state).toMatchObject({ value: "active", watchers: ["juliet@capulet.lit"], presentity: notifier.uri("1001") });
    subscriber.stop();

    const restarted = make();
    expect(restarted.restore()).toBe(1);
    await until(() => notifier.subscribes.length === 2, "the refresh after the restore");
    expect(notifier.subscribes[1]).toMatchObject({ callId: notifier.subscribes[0]?.callId, expires: 600 });
    expect(notifier.subscribes[1]?.toTag).toBeDefined();
    await until(() => seen.notifications.length === 2, "the NOTIFY in the same dialog");
    restarted.unsubscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "juliet@capulet.lit" });
    await until(() => store.records.size === 0, "the record to go");
  });

  it("writes a state change in the same turn; a NOTIFY that keeps the state waits a second, then one write; stop() writes what waits", async () => {
    const clock = new ManualClock();
    const store = new CountingDialogStore();
    const { notifier, subscriber, seen } = await setup("tcp", { clock, store });
    subscriber.subscribe({ presentity: notifier.uri("1001"), event: "presence", watcher: "w" });
    await until(() => seen.notifications.length === 1, "the NOTIFY");
    const stored = (): { value?: string; dialog?: { remoteSeq?: number } } => [...store.listDialogs("subscriber")][0]?.state as never;
    expect(stored().value).toBe("active");
    const seq = stored().dialog?.remoteSeq ?? 0;
    const writes = store.puts;

    const dialog = notifier.dialogs[0];
    expect(await dialog?.notify("active;expires=600", "<presence entity='pres:1001@pbx'><note>2</note></presence>")).toBe(200);
    expect(await dialog?.notify("active;expires=600", "<presence entity='pres:1001@pbx'><note>3</note></presence>")).toBe(200);
    expect(seen.notifications).toHaveLength(3);
    expect(store.puts).toBe(writes);
    expect(stored().dialog?.remoteSeq).toBe(seq);
    clock.advance(999);
    expect(store.puts).toBe(writes);
    clock.advance(1);
    expect(store.puts).toBe(writes + 1);
    expect(stored().dialog?.remoteSeq).toBe(seq + 2);

    expect(await dialog?.notify("pending;expires=600")).toBe(200);
    expect(store.puts).toBe(writes + 2);
    expect(stored().value).toBe("pending");
    expect(await dialog?.notify("pending;expires=600")).toBe(200);
    expect(store.puts).toBe(writes + 2);
    subscriber.stop();
    expect(store.puts).toBe(writes + 3);
    expect(stored().dialog?.remoteSeq).toBe(seq + 4);
  });

  it("drops a damaged record, logs it and restores the rest", async () => {
    const store = new MemoryDialogStore();
    store.putDialog({ id: "subscriber:bad", role: "subscriber", state: { nonsense: true }, expiresAt: 0 });
    const { subscriber } = await setup("tcp", { store });
    expect(subscriber.restore()).toBe(0);
    expect(store.records.size).toBe(0);
  });
});
