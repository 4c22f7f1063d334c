/**
 * What the presence-server integration tests share: chat users (@xmpp/client 0.14)
 * that record what they receive, the bridge's config on a real server, and an
 * in-process bridge built by app.ts exactly as `presence-bridge start` builds it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join, resolve } from "node:path";
import { client, xml, type Client } from "@xmpp/client";
import { parse, type Element } from "ltx";
import { expect } from "vitest";
import { buildApp, type App } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config/index.js";
import type { LogFields, Logger } from "../../src/gateway/ports.js";
import type { XmppServer } from "../servers/prosody.js";

export const COMPONENT = { domain: "sip.localhost", secret: "s3cret-component" };
export const JULIET = { user: "juliet", password: "balcony" };
export const NURSE = { user: "nurse", password: "garden" };
export const ROMEO = { user: "romeo", password: "montague" };

export interface ChatUser {
  readonly jid: string;
  readonly xmpp: Client;
  /** Every stanza received since login, as text. */
  readonly received: string[];
  send(element: Element): Promise<void>;
  /** Waits until a received stanza matches (a pattern of its text, or a test of it parsed), and returns it (from `since` on). */
  waitFor(pattern: RegExp | ((stanza: Element) => boolean), since?: number): Promise<string>;
  /** Sends an iq and returns the payload of the result (undefined when empty); rejects with the StanzaError. */
  iq(type: "get" | "set", to: string, payload: Element): Promise<Element>;
  stop(): Promise<void>;
}

export async function login(server: XmppServer, account: { user: string; password: string }, resource = "test"): Promise<ChatUser> {
  const xmpp = client({ service: `xmpp://${server.host}:${server.c2sPort}`, domain: server.domain, username: account.user, password: account.password, resource });
  xmpp.on("error", () => undefined);
  const received: string[] = [];
  xmpp.on("stanza", (stanza) => received.push(stanza.toString()));
  // @xmpp/client answers roster pushes itself only with its roster plugin; acknowledge them (RFC 6121 §2.1.6).
  xmpp.on("stanza", (stanza) => {
    if (stanza.is("iq") && stanza.attrs.type === "set" && stanza.getChild("query", "jabber:iq:roster") !== undefined) {
      void xmpp.send(xml("iq", { type: "result", id: stanza.attrs.id, to: stanza.attrs.from })).catch(() => undefined);
    }
  });
  await xmpp.start();
  // RFC 6121 §2.1.6: only a resource that asked for the roster is "interested" and gets
  // roster pushes and inbound subscription stanzas; clients ask first, and so do we.
  await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })), 10_000);
  const jid = `${account.user}@${server.domain}`;
  return {
    jid,
    xmpp,
    received,
    send: (element) => xmpp.send(element as Parameters<Client["send"]>[0]),
    async waitFor(pattern, since = 0) {
      let found: string | undefined;
      const matches = (text: string): boolean => (pattern instanceof RegExp ? pattern.test(text) : pattern(parse(text)));
      await expect.poll(() => (found = received.slice(since).find(matches)), { timeout: 15_000, interval: 20 }).toBeDefined();
      return found as string;
    },
    async iq(type, to, payload) {
      const answer = (await xmpp.iqCaller.request(xml("iq", { type, to }, payload as Parameters<typeof xml>[2]), 10_000)) as unknown as Element;
      return answer.getChildElements()[0] as Element;
    },
    stop: () => xmpp.stop().then(() => undefined),
  };
}

export interface LogRecord {
  readonly level: string;
  readonly event: string;
  readonly fields: LogFields;
}

export function recordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: string) => (event: string, fields: LogFields = {}) => void records.push({ level, event, fields });
  return { records, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `pb-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The config file the bridge would be given for this server: written to `dir`, the secret in the environment. */
export function writeConfig(dir: string, server: XmppServer, extra: Record<string, unknown> = {}, xmppExtra: Record<string, unknown> = {}): string {
  const file = join(dir, "presence-bridge.json");
  const config = {
    xmpp: {
      service: `xmpp://${server.host}:${server.componentPort}`,
      domain: COMPONENT.domain,
      serverDomain: server.domain,
      reconnect: { initialDelayMs: 200, maxDelayMs: 2000, factor: 2, jitter: 0 },
      keepalive: { intervalMs: 5000, timeoutMs: 3000 },
      ...xmppExtra,
    },
    store: { path: join(dir, "bridge.sqlite") },
    contacts: { pattern: "^sip:[0-9]+@sip\\.localhost$" },
    log: { level: "debug" },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function configFor(file: string, secret = COMPONENT.secret): Config {
  const loaded = loadConfig({ file, env: { PRESENCE_BRIDGE_XMPP_SECRET: secret } });
  if (!loaded.ok) throw new Error(loaded.error.map((e) => e.message).join("; "));
  return loaded.value;
}

export function bridge(config: Config, logger: Logger): App {
  const built = buildApp({ config, logger, version: "0.1.0" });
  if (!built.ok) throw new Error(built.error.map((e) => e.message).join("; "));
  return built.value;
}

/** Presence of no type from `from` with this show and status (children in any order: ejabberd reorders them). */
export const presenceFrom =
  (from: string, show: string | undefined, status?: string) =>
  (stanza: Element): boolean =>
    stanza.name === "presence" &&
    stanza.attrs.from === from &&
    stanza.attrs.type === undefined &&
    stanza.getChildText("show") === (show ?? null) &&
    (status === undefined || stanza.getChildText("status") === status);

/** Presence of this type from `from`. */
export const typed =
  (type: string, from: string) =>
  (stanza: Element): boolean =>
    stanza.name === "presence" && stanza.attrs.from === from && stanza.attrs.type === type;

const BRIDGE_ROOT = resolve(import.meta.dirname, "../..");

export interface BridgeProcess {
  /** Resolves with the "online:" line of stdout. */
  readonly online: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }>;
}

/** `presence-bridge start --config FILE` (the compiled CLI: run `npm run build` first). */
export function startBridge(config: string, secret = COMPONENT.secret): BridgeProcess {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [resolve(BRIDGE_ROOT, "bin/presence-bridge.js"), "start", "--config", config], {
    cwd: BRIDGE_ROOT,
    env: { PATH: process.env.PATH, PRESENCE_BRIDGE_XMPP_SECRET: secret },
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once("exit", (code, signal) => done({ code, signal })));
  const online = new Promise<string>((done, fail) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("presence-bridge: online:"));
      if (line !== undefined) done(line);
    });
    void exited.then(({ code }) => fail(new Error(`the bridge exited (${String(code)}) before it was online:\n${out}${err}`)));
  });
  online.catch(() => undefined);
  return {
    online,
    exited,
    stdout: () => out,
    stderr: () => err,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
