/**
 * The presence server across restarts, on real Prosody 0.12: Prosody restarted
 * under a running bridge (back-off, queue, resync), and the bridge itself run as
 * `presence-bridge start --config FILE` in a child process, killed with SIGKILL
 * and started again on the same SQLite file (state from the store, nothing lost),
 * stopped with SIGTERM (unavailable to every watcher, exit 0), and refused for a
 * wrong secret (exit 3 naming not-authorized, no retry loop).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { XmppLinkStatus } from "../../src/gateway/ports.js";
import { makePresence } from "../../src/presence/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { startProsody, type XmppServer } from "../servers/prosody.js";
import { bridge, COMPONENT, configFor, JULIET, login, presenceFrom, recordingLogger, scratchDir, startBridge, typed, writeConfig } from "./presence-server-helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const C1001 = `1001@${COMPONENT.domain}`;
const C1002 = `1002@${COMPONENT.domain}`;
/** The Prosody-restart test has its own contact: Prosody keeps Juliet's roster across tests. */
const C1005 = `1005@${COMPONENT.domain}`;
const onThePhone = makePresence({ availability: "available", show: "dnd", notes: { "": "On the phone" }, origin: { side: "sip" } });
const ringing = makePresence({ availability: "available", show: "dnd", notes: { "": "Ringing" }, origin: { side: "sip" } });
const away = makePresence({ availability: "available", show: "away", notes: { "": "Back soon" }, origin: { side: "sip" } });

describe.sequential("presence server across restarts (Prosody 0.12)", () => {
  let server: XmppServer;
  let scratch: ReturnType<typeof scratchDir>;

  beforeAll(async () => {
    // The child process runs bin/presence-bridge.js, which runs the compiled CLI.
    const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    server = await startProsody({ components: [COMPONENT], users: [JULIET] });
    scratch = scratchDir("restart");
  });
  afterAll(async () => {
    await server?.stop();
    scratch?.remove();
  });

  it("reconnects with back-off when Prosody restarts, and watchers see the current presence again", async () => {
    const app: App = bridge(configFor(writeConfig(scratch.dir, server, { store: { path: ":memory:" } })), recordingLogger());
    const statuses: XmppLinkStatus[] = [];
    app.link.onStatus((s) => statuses.push(s));
    try {
      expect((await app.start()).ok).toBe(true);
      app.presenceServer.setContactPresence(C1005, onThePhone);
      const juliet = await login(server, JULIET);
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: C1005, type: "subscribe" }));
      await juliet.waitFor(presenceFrom(C1005, "dnd", "On the phone"));

      const restarted = server.restart();
      await expect.poll(() => app.link.status().state, { timeout: 15_000 }).toBe("reconnecting");
      // While down: sending never throws; the newer presence replaces the older one in the queue.
      // (Changes go out one event-loop turn after they are stored: a turn between the two.)
      expect(app.presenceServer.setContactPresence(C1005, ringing).ok).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(app.presenceServer.setContactPresence(C1005, away).ok).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(app.link.counters()).toMatchObject({ queued: 1, droppedPresence: 1 });
      await restarted;
      await juliet.stop().catch(() => undefined);

      await expect.poll(() => app.link.status().state, { timeout: 15_000 }).toBe("online");
      expect(app.link.counters()).toMatchObject({ reconnects: 1, queued: 0 });
      // Back-off without jitter (jitter 0 in the test config): 200 ms, then doubling, at most 2 s.
      const delays = statuses.filter((s) => s.state === "reconnecting").map((s) => s.retryInMs);
      expect(delays).toEqual(delays.map((_, i) => Math.min(2000, 200 * 2 ** i)));
      expect(await app.presenceServer.synced()).toMatchObject({ presence: 1, complete: true });

      const again = await login(server, JULIET, "after-restart");
      try {
        await again.send(xml("presence"));
        await again.waitFor(presenceFrom(C1005, "away", "Back soon"));
      } finally {
        await again.stop();
      }
    } finally {
      await app.stop();
    }
  });

  it("keeps every subscription across SIGKILL, answers probes from the store, and says unavailable on SIGTERM", async () => {
    const dir = scratchDir("child");
    const config = writeConfig(dir.dir, server);
    // The last known presence of 1001, as the SIP side would have left it.
    const seeded = SqliteStore.open(resolve(dir.dir, "bridge.sqlite"));
    if (!seeded.ok) throw new Error(seeded.error.message);
    seeded.value.putPresence({ entity: C1001, presence: onThePhone, updatedAt: Date.now() });
    seeded.value.close();

    let child = startBridge(config);
    const juliet = await login(server, JULIET, "watcher");
    try {
      await child.online;
      await juliet.send(xml("presence"));
      await juliet.send(xml("presence", { to: C1001, type: "subscribe" }));
      await juliet.send(xml("presence", { to: C1002, type: "subscribe" }));
      await juliet.waitFor(presenceFrom(C1001, "dnd", "On the phone"));
      await juliet.waitFor(typed("subscribed", C1002));

      expect(await child.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
      child = startBridge(config);
      const online = await child.online;
      expect(online).toMatch(/; 2 subscriptions \(1 watchers of 2 contacts\) restored$/);
      await expect.poll(() => child.stderr(), { timeout: 15_000 }).toMatch(/"event":"presence.resynced"/);

      // A new resource of the watcher logs in after the resync: its server probes, the bridge answers from the store.
      const phone = await login(server, JULIET, "second-device");
      try {
        await phone.send(xml("presence"));
        await phone.waitFor(presenceFrom(C1001, "dnd", "On the phone"));
        await phone.waitFor(typed("unavailable", C1002));
      } finally {
        await phone.stop();
      }

      const before = juliet.received.length;
      expect(await child.kill("SIGTERM")).toEqual({ code: 0, signal: null });
      expect(child.stdout()).toContain("SIGTERM: sending unavailable to 1 watchers, closing the store");
      await juliet.waitFor(typed("unavailable", C1001), before);
      await juliet.waitFor(typed("unavailable", C1002), before);

      const store = SqliteStore.open(resolve(dir.dir, "bridge.sqlite"));
      if (!store.ok) throw new Error(store.error.message);
      const records = [...store.value.listSubscriptions()].map((r) => [r.contact, r.watcher, r.state]).sort();
      store.value.close();
      expect(records).toEqual([[C1001, juliet.jid, "from"], [C1002, juliet.jid, "from"]]);
    } finally {
      await juliet.stop();
      await child.kill("SIGKILL");
      dir.remove();
    }
  });

  it("exits 3 at once, naming not-authorized, when the secret is wrong", async () => {
    const dir = scratchDir("wrong");
    try {
      const child = startBridge(writeConfig(dir.dir, server), "not-the-secret");
      expect(await child.exited).toEqual({ code: 3, signal: null });
      expect(child.stderr()).toMatch(/cannot connect to xmpp:\/\/127\.0\.0\.1:\d+: the XMPP server refused the component secret \(not-authorized\)/);
      // One attempt, no retry loop.
      expect(child.stderr().match(/"event":"link.connecting"/g)).toHaveLength(1);
    } finally {
      dir.remove();
    }
  });
});

