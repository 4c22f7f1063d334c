import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, LOOPBACK } from "./free-port.js";
import type { XmppComponentAccount, XmppServer, XmppServerOptions } from "./prosody.js";
import { chownTree, readLog, makeTempDir, requireExecutable, runCommand, spawnServer, startError, tcpAccepts, waitUntil, type CommandResult, type ServerProcess, serverLifecycle } from "./process.js";

const EJABBERDCTL = "/usr/sbin/ejabberdctl";
const ERL = "/usr/bin/erl";
const USER = "ejabberd";

export interface Ejabberd extends XmppServer {
  /** Runs an ejabberdctl command (`register`, `registered_users`, …) against this node. */
  ejabberdctl(...args: string[]): Promise<CommandResult>;
}

function config(domain: string, c2sPort: number, componentPort: number, components: XmppComponentAccount[]): string {
  const services = components.map((c) => `      ${JSON.stringify(c.domain)}:\n        password: ${JSON.stringify(c.secret)}`);
  return `# written by lab/servers/ejabberd.ts for one test run; loopback only
hosts:
  - ${JSON.stringify(domain)}
loglevel: info
log_rotate_count: 0
certfiles: []
listen:
  -
    port: ${c2sPort}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: false
  -
    port: ${componentPort}
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
${services.length > 0 ? services.join("\n") : "      {}"}
auth_method: internal
auth_password_format: plain
s2s_access: none
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
modules:
  mod_roster: {}
  mod_disco: {}
  mod_ping: {}
`;
}

// The library folder that the packaged ejabberdctl exports as ERL_LIBS (multiarch path).
function erlLibs(): string {
  const m = /^ERL_LIBS='([^']+)'/m.exec(readFileSync(EJABBERDCTL, "utf8"));
  return m?.[1] ?? "/usr/lib/x86_64-linux-gnu";
}

/**
 * Starts ejabberd 23.01 with its own config, Mnesia folder, node name and cookie. The node runs
 * without epmd (`-erl_epmd_port`, as ejabberdctl's ERL_DIST_PORT does), its distribution port
 * bound to 127.0.0.1, so it never meets a system ejabberd or another test run's node.
 */
export async function startEjabberd(options: XmppServerOptions = {}): Promise<Ejabberd> {
  requireExecutable("ejabberd", EJABBERDCTL);
  requireExecutable("Erlang (ejabberd)", ERL);
  const domain = options.domain ?? "localhost";
  const dir = makeTempDir("ejabberd");
  const spool = join(dir, "spool");
  const logs = join(dir, "logs");
  const yml = join(dir, "ejabberd.yml");
  const logFile = join(logs, "ejabberd.log");
  const stdoutLog = join(logs, "erl.out");
  mkdirSync(spool);
  mkdirSync(logs);
  const [c2sPort, componentPort, distPort] = [await freePort(), await freePort(), await freePort()];
  const node = `pb${randomBytes(4).toString("hex")}@localhost`;
  const cookie = randomBytes(16).toString("hex");
  writeFileSync(yml, config(domain, c2sPort, componentPort, options.components ?? []));
  // For a human who wants to poke at this node: `ejabberdctl --ctl-config <dir>/ejabberdctl.cfg status`.
  writeFileSync(
    join(dir, "ejabberdctl.cfg"),
    `ERLANG_NODE=${node}\nERL_DIST_PORT=${distPort}\nERL_OPTIONS="-setcookie ${cookie}"\nEJABBERD_CONFIG_PATH=${yml}\n` +
      `SPOOL_DIR=${spool}\nLOGS_DIR=${logs}\n`,
  );
  chownTree(dir, USER);

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    LANG: "C.UTF-8",
    ERL_LIBS: erlLibs(),
    EJABBERD_CONFIG_PATH: yml,
    EJABBERD_LOG_PATH: logFile,
    CONTRIB_MODULES_PATH: join(dir, "modules"),
    ERL_CRASH_DUMP: join(logs, "erl_crash.dump"),
    ERL_CRASH_DUMP_BYTES: "0",
  };
  const dist = ["-setcookie", cookie, "-erl_epmd_port", String(distPort), "-start_epmd", "false"];

  let proc: ServerProcess;
  let generation = 0;
  const countStarted = (): number => readLog(logFile, Infinity).split(`is started in the node ${node}`).length - 1;
  const launch = async (): Promise<void> => {
    generation++;
    // The log is appended to across restarts: wait for one more "started" line than before.
    const before = countStarted();
    proc = spawnServer({
      name: "ejabberd",
      command: ERL,
      args: ["-sname", node, ...dist, "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
        "-noinput", "+K", "true", "-mnesia", "dir", JSON.stringify(spool), "-s", "ejabberd"],
      logFile: stdoutLog,
      user: USER,
      cwd: dir,
      env,
    });
    try {
      await waitUntil(
        "'ejabberd … is started' in its log and its ports",
        async () =>
          countStarted() > before &&
          (await tcpAccepts(LOOPBACK, c2sPort)) &&
          (await tcpAccepts(LOOPBACK, componentPort)),
        proc,
        30_000,
      );
    } catch (err) {
      await proc.stop(1000);
      throw startError(`ejabberd (start ${generation})`, (err as Error).message, stdoutLog, logFile);
    }
  };

  // The same entry point /usr/sbin/ejabberdctl calls, minus its `su` and shell start-up.
  const ejabberdctl = (...args: string[]): Promise<CommandResult> =>
    runCommand(
      ERL,
      ["-sname", `ctl${randomBytes(4).toString("hex")}@localhost`, ...dist, "-dist_listen", "false",
        "-hidden", "-noinput", "-s", "ejabberd_ctl", "-extra", node, ...args],
      { env, cwd: dir },
    );

  await launch();
  const registered = await Promise.all((options.users ?? []).map((u) => ejabberdctl("register", u.user, domain, u.password)));
  const failed = registered.find((r) => r.code !== 0);
  if (failed) {
    await proc!.stop();
    throw startError("ejabberd users", `ejabberdctl register: exit ${failed.code}: ${failed.stdout}${failed.stderr}`, logFile);
  }

  return serverLifecycle(() => proc, launch, dir, {
    host: LOOPBACK,
    domain,
    c2sPort,
    componentPort,
    dir,
    logFile,
    ejabberdctl,
  });
}
