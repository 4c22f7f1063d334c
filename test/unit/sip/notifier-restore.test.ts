/** The notifier across a restart: dialogs restored from the DialogStore (RFC 3261 §12.2.2 recovery). */
import { afterEach, describe, expect, it } from "vitest";
import { header, type SipMessage } from "../../servers/sip-message.js";
import { ManualClock, until } from "./helpers.js";
import { available, GatewayRecorder, MemoryDialogStore, startUas, type Uas } from "./uas-fixture.js";
import { UasPeer, type PeerProtocol } from "./uas-peer.js";

const open: { close(): Promise<void> }[] = [];
const uases: Uas[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  await Promise.all(uases.splice(0).map((u) => u.stop()));
});

const state = (m: SipMessage): string | undefined => header(m, "subscription-state");
const cseq = (m: SipMessage): number => Number((header(m, "cseq") ?? "").split(" ")[0]);

describe("notifier: a restart continues the dialogs", () => {
  it("a dialog that expired while the bridge was down ends with terminated;reason=timeout at start", async () => {
    const clock = new ManualClock();
    const store = new MemoryDialogStore();
    const gateway = new GatewayRecorder();
    gateway.decide = () => "approve";
    const first = await startUas({ protocol: "udp", store, gateway, clock });
    const peer = await UasPeer.open("udp", { host: "127.0.0.1", port: first.port });
    open.push(peer);
    const { dialog } = await peer.subscribe(`sip:alice@127.0.0.1:${first.port}`, { expires: 60 });
    await peer.nthNotify(dialog!.callId, 1);
    await first.stop();
    clock.advance(120_000);
    const second = await startUas({ protocol: "udp", store, gateway, clock, port: first.port });
    uases.push(second);
    const last = await peer.nthNotify(dialog!.callId, 2);
    expect(state(last)).toBe("terminated;reason=timeout");
    expect(cseq(last)).toBe(2);
    await until(() => gateway.ended.length === 1 && store.records.size === 0, "the expiry reported and the record gone");
  });

  it.each<PeerProtocol>(["udp", "tcp"])("same Call-ID and tags, CSeq going on, refresh accepted (%s)", async (protocol) => {
    const store = new MemoryDialogStore();
    const gateway = new GatewayRecorder();
    gateway.decide = () => "approve";
    const first = await startUas({ protocol, store, gateway });
    const peer = await UasPeer.open(protocol, { host: "127.0.0.1", port: first.port });
    open.push(peer);
    const uri = `sip:alice@127.0.0.1:${first.port}${protocol === "tcp" ? ";transport=tcp" : ""}`;
    first.notifier.setPresence("alice@example.com", available("before"));
    const { dialog } = await peer.subscribe(uri, { expires: 600 });
    await peer.nthNotify(dialog!.callId, 1);
    first.notifier.setPresence("alice@example.com", available("still before"));
    const before = await peer.nthNotify(dialog!.callId, 2);
    await first.stop();
    expect(store.records.size).toBe(1);

    const second = await startUas({ protocol, store, gateway, port: first.port });
    uases.push(second);
    expect(second.notifier.watchers()).toEqual([expect.objectContaining({ presentity: "alice@example.com", watcher: "sip:bob@example.com" })]);
    if (protocol === "tcp") {
      // The old connection died with the first process; the watcher reconnects (RFC 5626 would keep a flow).
      await peer.close();
    }
    const watcher = protocol === "tcp" ? await UasPeer.open("tcp", { host: "127.0.0.1", port: second.port }) : peer;
    if (protocol === "tcp") {
      open.push(watcher);
      // Same local port is not guaranteed for a new TCP connection: move the dialog's target via a refresh first.
      expect((await watcher.resubscribe({ ...dialog!, cseq: dialog!.cseq }, 600)).status).toBe(200);
    }
    second.notifier.setPresence("alice@example.com", available("after the restart"));
    const after = await watcher.nthNotify(dialog!.callId, protocol === "tcp" ? 2 : 3);
    expect(after.body).toContain("after the restart");
    for (const name of ["call-id", "from", "to"]) expect(header(after, name)).toBe(header(before, name));
    expect(cseq(after)).toBeGreaterThan(cseq(before));
    if (protocol === "udp") {
      expect((await peer.resubscribe(dialog!, 600)).status).toBe(200);
      expect(state(await peer.nthNotify(dialog!.callId, 4))).toBe("active;expires=600");
    }
  });
});
