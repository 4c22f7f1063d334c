import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, LOOPBACK } from "./free-port.js";
import { makeTempDir, requireExecutable, spawnServer, startError, waitUntil, type ServerProcess, serverLifecycle } from "./process.js";
import { sipPing } from "./sip-probe.js";

const KAMAILIO = "/usr/sbin/kamailio";
const MODULES = ["/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules"];
const DBTEXT_SCHEMA = "/usr/share/kamailio/dbtext/kamailio";
const TABLES = ["version", "subscriber", "presentity", "active_watchers", "watchers", "xcap"];
export const KAMAILIO_CFG = fileURLToPath(new URL("./kamailio/kamailio.cfg", import.meta.url));

export interface SipUser {
  user: string;
  password: string;
}

export interface KamailioOptions {
  /** Listen on UDP (default true). */
  udp?: boolean;
  /** Listen on TCP, same port number (default true). */
  tcp?: boolean;
  /** Digest auth for PUBLISH, SUBSCRIBE and REGISTER against these users (realm given here). */
  auth?: { realm: string; users: SipUser[]; algorithm?: "MD5" | "SHA-256" };
  /** Shared memory in MB; default 1024, as PEERS.md found bursts of PUBLISH need (address space, touched lazily). */
  sharedMemoryMb?: number;
  /** Log every request and reply in kamailio.log. */
  trace?: boolean;
  /**
   * Relay out-of-dialog SUBSCRIBE and PUBLISH whose Request-URI domain is `domain` to
   * `target` (a SIP URI such as `sip:127.0.0.1:5070;transport=tcp`), record-routed.
   */
  forward?: { domain: string; target: string };
}

export interface Kamailio {
  /** The server's process id (its process group too); changes on restart(). */
  readonly pid: number;
  host: typeof LOOPBACK;
  port: number;
  transports: ("udp" | "tcp")[];
  dir: string;
  logFile: string;
  /** Stops and starts again on the same port; publications and subscriptions are lost (memory only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function modulesPath(): string {
  const found = MODULES.find((m) => existsSync(join(m, "presence.so")));
  if (found !== undefined) return found;
  throw new Error(`Kamailio's presence module is not installed (${MODULES.join(" or ")}/presence.so): run \`sudo bash scripts/install-servers.sh\``);
}

// db_text escapes ':' (the column separator) and backslashes.
const dbText = (s: string): string => s.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

function writeDb(dir: string, auth: KamailioOptions["auth"]): string {
  const db = join(dir, "db");
  mkdirSync(db);
  for (const t of TABLES) copyFileSync(join(DBTEXT_SCHEMA, t), join(db, t));
  if (auth) {
    const rows = auth.users.map(({ user, password }, i) => {
      const ha1 = md5(`${user}:${auth.realm}:${password}`);
      const ha1b = md5(`${user}@${auth.realm}:${auth.realm}:${password}`);
      return [String(i + 1), user, auth.realm, password, ha1, ha1b].map(dbText).join(":");
    });
    writeFileSync(join(db, "subscriber"), `${readFileSync(join(db, "subscriber"), "utf8").trimEnd()}\n${rows.join("\n")}\n`);
  }
  return db;
}

/**
 * Starts Kamailio 5.6 as a presence server (presence, presence_xml, presence_dialoginfo) with
 * the repository's lab/servers/kamailio/kamailio.cfg; per-run values go in as `-l` listen
 * sockets and `-A` pre-processor defines, the db_text tables into a temp folder.
 */
export async function startKamailio(options: KamailioOptions = {}): Promise<Kamailio> {
  requireExecutable("Kamailio", KAMAILIO);
  const modules = modulesPath();
  const transports = [...(options.udp ?? true ? (["udp"] as const) : []), ...(options.tcp ?? true ? (["tcp"] as const) : [])];
  if (transports.length === 0) throw new Error("startKamailio: enable udp or tcp");
  const dir = makeTempDir("kamailio");
  const db = writeDb(dir, options.auth);
  mkdirSync(join(dir, "run"));
  const logFile = join(dir, "kamailio.log");
  const port = await freePort({ udp: true });
  const args = [
    "-DD", "-E", "-f", KAMAILIO_CFG, "-L", modules,
    "-A", `DBURL="text://${db}"`,
    ...(options.auth ? ["-A", "WITH_AUTH", "-A", `AUTH_REALM="${options.auth.realm}"`] : []),
    ...(options.auth?.algorithm ? ["-A", `AUTH_ALGORITHM="${options.auth.algorithm}"`] : []),
    ...(options.trace ? ["-A", "WITH_TRACE"] : []),
    ...(options.forward ? ["-A", `BRIDGE_DOMAIN="${options.forward.domain}"`, "-A", `BRIDGE_URI="${options.forward.target}"`] : []),
    ...transports.flatMap((t) => ["-l", `${t}:${LOOPBACK}:${port}`]),
    "-m", String(options.sharedMemoryMb ?? 1024), "-M", "16",
    "-Y", join(dir, "run"), "-w", dir, "-P", join(dir, "kamailio.pid"),
  ];
  writeFileSync(join(dir, "command.txt"), `${KAMAILIO} ${args.join(" ")}\n`);

  let proc: ServerProcess;
  const launch = async (): Promise<void> => {
    proc = spawnServer({ name: "kamailio", command: KAMAILIO, args, logFile, cwd: dir });
    try {
      // Ready when every transport answers OPTIONS with 200, i.e. the workers run the script.
      await waitUntil("200 to OPTIONS", async () => {
        for (const t of transports) if ((await sipPing(LOOPBACK, port, t, 100)) !== 200) return false;
        return true;
      }, proc, 15_000);
    } catch (err) {
      await proc.stop(1000);
      throw startError("Kamailio", (err as Error).message, logFile);
    }
  };
  await launch();

  return serverLifecycle(() => proc, launch, dir, {
    host: LOOPBACK,
    port,
    transports,
    dir,
    logFile,
  });
}
