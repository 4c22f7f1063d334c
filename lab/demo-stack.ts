/**
 * What the live demo runs: local Prosody and Kamailio (lab/servers, each in its own temp
 * folder on free loopback ports), then `presence-bridge start` as a child process with a
 * config generated into a temp folder. Everything started is stopped by PID, in reverse
 * order, and its folder removed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, LOOPBACK } from "./servers/free-port.js";
import { startKamailio, type Kamailio } from "./servers/kamailio.js";
import { logContains, makeTempDir, readLog, removeTempDir, spawnServer, waitUntil, type ServerProcess } from "./servers/process.js";
import { startProsody, type XmppServer } from "./servers/prosody.js";

export const ROOT = join(import.meta.dirname, "..");
export const COMPONENT = { domain: "sip.localhost", secret: "demo-component-secret" };
/** Phones live on Kamailio's domain; chat users' SIP addresses are relayed by Kamailio to the bridge. */
export const PHONE_DOMAIN = "localhost";
export const CHAT_SIP_DOMAIN = "chat.localhost";
export const JULIET = { user: "juliet", password: "balcony" };

export interface StackOptions {
  /** Chat users registered on Prosody besides juliet. */
  readonly users?: readonly { readonly user: string; readonly password: string }[];
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /** Prosody's log: "debug" (default, every stanza) or "info" (a benchmark: as operators run it). */
  readonly prosodyLog?: "debug" | "info";
  /** Keys of the bridge's `sip` config to replace (e.g. minNotifyIntervalMs for a benchmark). */
  readonly sip?: Readonly<Record<string, unknown>>;
  /** The bridge's `people` config (linked people, debounce), when the run needs one. */
  readonly people?: Readonly<Record<string, unknown>>;
  /** Called with the bridge's store path before the bridge starts (to seed it). */
  readonly seedStore?: (path: string) => void;
}

export interface DemoStack {
  readonly prosody: XmppServer;
  readonly kamailio: Kamailio;
  readonly bridge: ServerProcess;
  readonly bridgeDir: string;
  readonly sipPort: number;
  /** The bridge's stdout lines so far (what it said it connected to). */
  bridgeLines(): string[];
  stop(): Promise<void>;
}

const SERVERS = [
  ["Prosody", "/usr/bin/prosody"],
  ["Kamailio", "/usr/sbin/kamailio"],
  ["Kamailio's presence module", "/usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so"],
] as const;

/** Installs the servers from Debian's packages when one is missing (scripts/install-servers.sh), saying so. */
export function ensureServers(say: (line: string) => void): void {
  const missing = SERVERS.filter(([, path]) => !existsSync(path)).map(([name]) => name);
  if (missing.length === 0) return;
  say(`${missing.join(", ")} not installed: installing with apt-get (scripts/install-servers.sh; root or sudo -n)…`);
  execFileSync("bash", [join(ROOT, "scripts/install-servers.sh")], { stdio: "inherit" });
}

/** The bridge's config: the component on Prosody, the SIP side on loopback with Kamailio as its proxy. */
function writeConfig(dir: string, prosody: XmppServer, kamailio: Kamailio, sipPort: number, options: StackOptions): string {
  // Asterisk's table: the scripted phone publishes the PIDF bodies Asterisk 20 sends.
  const mapping = {
    format: 1,
    name: "demo",
    extends: "asterisk",
    addresses: {
      domains: [
        { xmpp: COMPONENT.domain, sip: PHONE_DOMAIN },
        { xmpp: prosody.domain, sip: CHAT_SIP_DOMAIN },
      ],
    },
  };
  writeFileSync(join(dir, "mapping.json"), `${JSON.stringify(mapping, null, 2)}\n`);
  const config = {
    xmpp: { service: `xmpp://${LOOPBACK}:${prosody.componentPort}`, domain: COMPONENT.domain, secret: COMPONENT.secret },
    store: { path: join(dir, "bridge.sqlite") },
    mapping: { file: join(dir, "mapping.json") },
    subscriptions: { approve: [prosody.domain, COMPONENT.domain], otherwise: "defer" },
    log: { level: options.logLevel ?? "info" },
    ...(options.people === undefined ? {} : { people: options.people }),
    sip: {
      listen: { udp: { host: LOOPBACK, port: sipPort } },
      outboundProxy: `sip:${LOOPBACK}:${kamailio.port}`,
      identity: `sip:presence-bridge@${CHAT_SIP_DOMAIN}`,
      domain: CHAT_SIP_DOMAIN,
      access: { trustedNetworks: [`${LOOPBACK}/32`] },
      mode: "notify",
      ...options.sip,
    },
  };
  const file = join(dir, "config.json");
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export async function startStack(say: (line: string) => void, options: StackOptions = {}): Promise<DemoStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const prosody = await startProsody({ components: [COMPONENT], users: [JULIET, ...(options.users ?? [])], logLevel: options.prosodyLog ?? "debug" });
    stops.push(() => prosody.stop());
    say(`Prosody ${prosody.pid}: c2s xmpp://${LOOPBACK}:${prosody.c2sPort}, component port ${prosody.componentPort} (${prosody.dir})`);

    const sipPort = await freePort({ udp: true });
    const kamailio = await startKamailio({ tcp: false, forward: { domain: CHAT_SIP_DOMAIN, target: `sip:${LOOPBACK}:${sipPort}` } });
    stops.push(() => kamailio.stop());
    say(`Kamailio ${kamailio.pid}: presence server sip:${LOOPBACK}:${kamailio.port} (udp), relaying sip:*@${CHAT_SIP_DOMAIN} to the bridge`);

    const bridgeDir = makeTempDir("demo-bridge");
    stops.push(async () => removeTempDir(bridgeDir));
    const config = writeConfig(bridgeDir, prosody, kamailio, sipPort, options);
    options.seedStore?.(join(bridgeDir, "bridge.sqlite"));
    const logFile = join(bridgeDir, "bridge.log");
    // The same main() as bin/presence-bridge.js, from source, so the demo never runs a stale build.
    const bridge = spawnServer({
      name: "presence-bridge",
      command: process.execPath,
      // BRIDGE_NODE_ARGS: extra node flags for the bridge alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark.
      args: [...(process.env.BRIDGE_NODE_ARGS?.split(" ").filter((a) => a !== "") ?? []), "--import", "tsx", join(ROOT, "lab/bridge.ts"), "start", "--config", config],
      logFile,
      cwd: ROOT,
    });
    stops.push(() => bridge.stop());
    const online = /^presence-bridge: online/m;
    await waitUntil("its online line", () => logContains(logFile, online), bridge, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${logFile} ---\n${readLog(logFile, 30)}`);
    });
    const bridgeLines = (): string[] => readLog(logFile, Infinity).split("\n").filter((l) => l.startsWith("presence-bridge"));
    say(`presence-bridge ${bridge.pid}: config ${config}`);
    return { prosody, kamailio, bridge, bridgeDir, sipPort, bridgeLines, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
