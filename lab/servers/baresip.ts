import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { parseTrace, settlePublications, type TracedSip } from "./baresip-trace.js";
import { freePort, LOOPBACK } from "./free-port.js";
import { makeTempDir, readLog, removeTempDir, requireExecutable, spawnServer, startError, tcpAccepts, waitUntil, type ServerProcess } from "./process.js";

const BARESIP = "/usr/bin/baresip";
const MODULE_PATH = "/usr/lib/baresip/modules";

export interface BaresipOptions {
  /** The registrar / presence server (Kamailio) every request goes to. */
  server: { host: string; port: number };
  transport?: "udp" | "tcp";
  /** This UA's account: user and password (for digest auth); domain defaults to the server's host. */
  account: { user: string; password?: string; domain?: string };
  /** PUBLISH refresh interval in seconds (0 turns publishing off). Default 60. */
  pubint?: number;
  /** REGISTER with the server (default false: presence needs no registration). */
  register?: boolean;
  /** SIP URIs to SUBSCRIBE to for presence (contacts with `;presence=p2p`). */
  watch?: string[];
  /** Set once started (baresip first publishes "unknown"); default "online". */
  presence?: "online" | "offline";
  /**
   * `baresip -s`: every SIP message it sends and receives goes into its log, `traced()` reads
   * them back, and start waits until its first publication is settled (see publicationState).
   */
  trace?: boolean;
}

export interface Baresip {
  /** The server's process id (its process group too); changes on restart(). */
  readonly pid: number;
  aor: string;
  sipPort: number;
  ctrlPort: number;
  dir: string;
  logFile: string;
  /** baresip 1.0's presence module knows two states: `presence_online` / `presence_offline`. */
  setPresence(state: "online" | "offline"): Promise<void>;
  /** Runs a long command through ctrl_tcp and returns its output. */
  command(command: string, params?: string): Promise<string>;
  /** What baresip's subscriptions last received, by contact URI: "Online", "Offline", "Busy", "Unknown". */
  watched(): Promise<Map<string, string>>;
  waitForWatched(uri: string, status: string, timeoutMs?: number): Promise<void>;
  /** The log without colour codes. */
  log(): string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** With `trace`: the SIP messages baresip sent and received since its last (re)start. */
  traced(): TracedSip[];
  /** Publications start() removed because baresip 1.0 had forgotten them (see publicationState). */
  readonly removedPublications: readonly string[];
  restart(): Promise<void>;
  /** SIGTERM, as a user quits: baresip unpublishes and unregisters; its folder and log stay until stop(). */
  quit(): Promise<void>;
  stop(): Promise<void>;
}

// ANSI colour escapes that baresip writes even to a file.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const stripAnsi = (s: string): string => s.replace(ANSI, "");

function netstring(json: unknown): string {
  const text = JSON.stringify(json);
  return `${Buffer.byteLength(text)}:${text},`;
}

/** One ctrl_tcp exchange: netstring-framed JSON (baresip's modules/ctrl_tcp). */
function ctrlCommand(port: number, command: string, params: string): Promise<string> {
  const tokenId = `t${Date.now()}${Math.random().toString(16).slice(2, 6)}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`baresip ctrl_tcp: no answer to ${command}`));
    }, 5000);
    socket.on("connect", () => socket.write(netstring({ command, params, token: tokenId })));
    socket.on("error", (err) => (clearTimeout(timer), reject(err)));
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const colon = buffer.indexOf(":");
        if (colon < 0) return;
        const length = Number(buffer.subarray(0, colon).toString());
        if (buffer.length < colon + 1 + length + 1) return;
        const message = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString()) as {
          response?: boolean; ok?: boolean; data?: string; token?: string;
        };
        buffer = buffer.subarray(colon + 2 + length);
        if (message.response && message.token === tokenId) {
          clearTimeout(timer);
          socket.end();
          if (message.ok) resolve(message.data ?? "");
          else reject(new Error(`baresip ${command}: ${message.data ?? "failed"}`));
          return;
        }
      }
    });
  });
}

/**
 * Starts baresip 1.0 headless (no audio or video modules, no stdin UI) with its own config
 * folder, one account that PUBLISHes presence through `server`, contacts it SUBSCRIBEs to,
 * and the ctrl_tcp control interface on a loopback port.
 */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  requireExecutable("baresip", BARESIP);
  const dir = makeTempDir("baresip");
  const logFile = join(dir, "baresip.log");
  const transport = options.transport ?? "udp";
  // baresip also listens for SIP over TLS on sip_listen's port + 1.
  const sipPort = await freePort({ udp: true, count: 2 });
  const ctrlPort = await freePort();
  const { host, port } = options.server;
  const domain = options.account.domain ?? host;
  const aor = `sip:${options.account.user}@${domain}`;
  const params = [
    options.account.password === undefined ? "" : `;auth_pass=${options.account.password}`,
    `;pubint=${options.pubint ?? 60}`,
    `;regint=${options.register ? 600 : 0}`,
    // Every request goes to the server, whatever the AOR's domain says.
    `;outbound="sip:${host}:${port};transport=${transport}"`,
  ].join("");
  writeFileSync(join(dir, "accounts"), `<${aor};transport=${transport}>${params}\n`);
  writeFileSync(join(dir, "contacts"), (options.watch ?? []).map((w, i) => `"watch${i}" <${w}>;presence=p2p\n`).join(""));
  writeFileSync(
    join(dir, "config"),
    [
      `module_path\t${MODULE_PATH}`,
      // An address, not "lo": baresip would otherwise pick the default route's interface.
      `net_interface\t${LOOPBACK}`,
      `sip_listen\t${LOOPBACK}:${sipPort}`,
      // Every name is an IP address; a DNS server on loopback keeps any lookup on this machine.
      `dns_server\t${LOOPBACK}:53`,
      "poll_method\tepoll",
      "module_tmp\taccount.so",
      "module_app\tcontact.so",
      "module_app\tpresence.so",
      "module_app\tctrl_tcp.so",
      `ctrl_tcp_listen\t${LOOPBACK}:${ctrlPort}`,
      "",
    ].join("\n"),
  );

  let proc: ServerProcess;
  let logStart = 0;
  const log = (): string => stripAnsi(readLog(logFile, Infinity));
  const launch = async (): Promise<void> => {
    logStart = log().length;
    proc = spawnServer({ name: "baresip", command: BARESIP, args: [...(options.trace ? ["-s"] : []), "-v", "-f", dir], logFile, cwd: dir });
    try {
      await waitUntil("'baresip is ready' and its ctrl_tcp port", async () => log().includes("baresip is ready", logStart) && (await tcpAccepts(LOOPBACK, ctrlPort)), proc, 10_000);
    } catch (err) {
      await proc.stop(1000);
      throw startError("baresip", (err as Error).message, logFile);
    }
  };
  const command = (name: string, p = ""): Promise<string> => ctrlCommand(ctrlPort, name, p);
  const setPresence = async (state: "online" | "offline"): Promise<void> => void (await command(state === "online" ? "presence_online" : "presence_offline"));
  // The contact module's `contacts` listing shows each contact's presence as NOTIFY set it.
  const watched = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for (const m of stripAnsi(await command("contacts")).matchAll(/^\W*(\w+)\s.*<([^>]+)>/gm)) out.set(m[2]!, m[1]!);
    return out;
  };
  const traced = (): TracedSip[] => parseTrace(log().slice(logStart), sipPort);
  const removedPublications: string[] = [];
  const settle = async (): Promise<void> => {
    if (!options.trace || (options.pubint ?? 60) === 0) return;
    const target = { host, port, transport, user: options.account.user, domain };
    removedPublications.push(...(await settlePublications({ aor, target, proc, traced, setPresence, presence: options.presence ?? "online" })));
  };
  await launch();
  await setPresence(options.presence ?? "online");
  await settle();

  return {
    get pid() {
      return proc.pid;
    },
    aor,
    sipPort,
    ctrlPort,
    dir,
    logFile,
    command,
    log,
    setPresence,
    watched,
    async waitForWatched(uri, status, timeoutMs = 5000) {
      let last: string | undefined;
      await waitUntil(`baresip to see ${uri} as ${status}`, async () => (last = (await watched()).get(uri)) === status, proc, timeoutMs)
        .catch((err: Error) => Promise.reject(new Error(`${err.message} (last seen: ${last ?? "no such contact"})`)));
    },
    async waitForLog(pattern, timeoutMs = 5000) {
      const found = (): RegExpMatchArray | null => log().slice(logStart).match(pattern);
      await waitUntil(`${String(pattern)} in baresip's log`, () => found() !== null, proc, timeoutMs);
      return found() as RegExpMatchArray;
    },
    traced,
    removedPublications,
    async restart() {
      await proc.stop(3000);
      await launch();
      await setPresence(options.presence ?? "online");
      await settle();
    },
    async quit() {
      await proc.stop(3000);
    },
    async stop() {
      await proc.stop(3000);
      removeTempDir(dir);
    },
  };
}
