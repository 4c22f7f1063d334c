import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, LOOPBACK } from "./free-port.js";
import { chownTree, makeTempDir, requireExecutable, runCommand, startError, spawnServer, tcpAccepts, waitUntil, type ServerProcess, serverLifecycle } from "./process.js";

export interface XmppComponentAccount {
  domain: string;
  secret: string;
}

export interface XmppUser {
  user: string;
  password: string;
}

export interface XmppServerOptions {
  /** The users' domain (a VirtualHost). Default "localhost". */
  domain?: string;
  components?: XmppComponentAccount[];
  users?: XmppUser[];
  /** What prosody.log keeps. Default "debug" (every stanza: what a failing test needs); a benchmark uses "info", as operators run it. */
  logLevel?: "debug" | "info";
}

export interface XmppServer {
  /** The server's process id (its process group too); changes on restart(). */
  readonly pid: number;
  host: typeof LOOPBACK;
  domain: string;
  c2sPort: number;
  componentPort: number;
  /** The folder holding config, data and logs (removed by stop()). */
  dir: string;
  logFile: string;
  /** Stops the server and keeps its data (users, rosters), then starts it on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const PROSODY = "/usr/bin/prosody";
const PROSODYCTL = "/usr/bin/prosodyctl";
const USER = "prosody";

const lua = (s: string): string => JSON.stringify(s);

function config(dir: string, domain: string, c2sPort: number, componentPort: number, components: XmppComponentAccount[], logLevel: "debug" | "info"): string {
  const lines = [
    "-- written by lab/servers/prosody.ts for one test run; loopback only",
    `pidfile = ${lua(join(dir, "prosody.pid"))}`,
    `data_path = ${lua(join(dir, "data"))}`,
    `certificates = ${lua(join(dir, "certs"))}`,
    `log = { ${logLevel} = ${lua(join(dir, "prosody.log"))} }`,
    'interfaces = { "127.0.0.1" }',
    `c2s_ports = { ${c2sPort} }`,
    'c2s_interfaces = { "127.0.0.1" }',
    "s2s_ports = { }",
    `component_ports = { ${componentPort} }`,
    'component_interfaces = { "127.0.0.1" }',
    "http_ports = { }",
    "https_ports = { }",
    "c2s_require_encryption = false",
    "s2s_require_encryption = false",
    "allow_unencrypted_plain_auth = true",
    'authentication = "internal_plain"',
    'modules_enabled = { "roster"; "saslauth"; "disco"; "presence"; "ping"; "posix"; }',
    'modules_disabled = { "s2s"; "tls"; }',
    "plugin_paths = { }",
    `VirtualHost ${lua(domain)}`,
  ];
  for (const c of components) {
    lines.push(`Component ${lua(c.domain)}`, `    component_secret = ${lua(c.secret)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Starts Prosody 0.12 with its own config and data in a temp folder, on free loopback ports. */
export async function startProsody(options: XmppServerOptions = {}): Promise<XmppServer> {
  requireExecutable("Prosody", PROSODY);
  const domain = options.domain ?? "localhost";
  const dir = makeTempDir("prosody");
  const cfg = join(dir, "prosody.cfg.lua");
  const logFile = join(dir, "prosody.log");
  const stdoutLog = join(dir, "prosody.out");
  const [c2sPort, componentPort] = [await freePort(), await freePort()];
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "certs"));
  writeFileSync(cfg, config(dir, domain, c2sPort, componentPort, options.components ?? [], options.logLevel ?? "debug"));
  // Prosody refuses to run as root: the folder goes to the prosody user, and so does the server.
  chownTree(dir, USER);

  for (const u of options.users ?? []) {
    // prosodyctl switches to the prosody user itself when run as root.
    const r = await runCommand(PROSODYCTL, ["--config", cfg, "register", u.user, domain, u.password]);
    if (r.code !== 0) throw startError("prosodyctl register", `exit ${r.code}: ${r.stdout}${r.stderr}`, logFile);
  }

  let proc: ServerProcess;
  const launch = async (): Promise<void> => {
    proc = spawnServer({ name: "prosody", command: PROSODY, args: ["-F", "--config", cfg], logFile: stdoutLog, user: USER, cwd: dir });
    try {
      // Prosody opens component_ports only when the config declares a Component.
      const withComponents = (options.components ?? []).length > 0;
      await waitUntil(
        withComponents ? "its c2s and component ports" : "its c2s port",
        async () => (await tcpAccepts(LOOPBACK, c2sPort)) && (!withComponents || (await tcpAccepts(LOOPBACK, componentPort))),
        proc,
      );
    } catch (err) {
      await proc.stop(1000);
      throw startError("Prosody", (err as Error).message, stdoutLog, logFile);
    }
  };
  await launch();

  return serverLifecycle(() => proc, launch, dir, {
    host: LOOPBACK,
    domain,
    c2sPort,
    componentPort,
    dir,
    logFile,
  });
}
