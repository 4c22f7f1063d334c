import { execFile, spawn } from "node:child_process";
import { accessSync, chownSync, closeSync, constants, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSTALL_HINT = "run `sudo bash scripts/install-servers.sh` (Debian 12) to install the integration-test servers";

/** Thrown when a server's binary is absent: the tests fail with this, they never skip. */
export class MissingServerError extends Error {
  constructor(what: string, path: string) {
    super(`${what} is not installed (${path} not found): ${INSTALL_HINT}`);
    this.name = "MissingServerError";
  }
}

export function requireExecutable(what: string, path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new MissingServerError(what, path);
  }
}

export const isRoot = process.getuid?.() === 0;

interface Live {
  pid: number;
  alive: boolean;
}
const live = new Set<Live>();
const tempDirs = new Set<string>();
let hooked = false;
let signalsToCaller = false;

/**
 * For a program that stops its servers itself on SIGINT/SIGTERM (the demo): the last-resort
 * hook then only runs at exit, and the signals are the caller's. Call before starting anything.
 */
export function leaveSignalsToCaller(): void {
  signalsToCaller = true;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// Last resort when a test run ends without afterAll (crash, Ctrl-C): nothing may outlive it.
// Servers are also started under `setpriv --pdeathsig`, which covers a SIGKILLed runner.
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = (): void => {
    for (const l of live) if (l.alive) killGroup(l.pid, "SIGKILL");
    live.clear();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  };
  process.once("exit", cleanup);
  if (signalsToCaller) return;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal);
    });
  }
}

const TEMP_PREFIX = "presence-bridge-";
const OWNER_FILE = ".owner-pid";
let swept = false;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// A SIGKILLed run cannot remove its folders (its servers die with it, by pdeathsig): the next
// run removes every folder whose owning process is gone.
function sweepStaleTempDirs(): void {
  if (swept) return;
  swept = true;
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), "utf8"));
      if (owner > 0 && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or being created right now
    }
  }
}

/** A fresh folder under the OS temp dir, removed by `removeTempDir` or at process exit. */
export function makeTempDir(name: string): string {
  hookExit();
  sweepStaleTempDirs();
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${name}-`));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

const ids = new Map<string, { uid: number; gid: number }>();
function userIds(user: string): { uid: number; gid: number } {
  const cached = ids.get(user);
  if (cached) return cached;
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`system user ${user} not found: ${INSTALL_HINT}`);
  const [, , uid, gid] = line.split(":");
  const found = { uid: Number(uid), gid: Number(gid) };
  ids.set(user, found);
  return found;
}

/** Gives a folder (and what is in it) to a system user, so a server that drops root can write there. */
export function chownTree(path: string, user: string): void {
  if (!isRoot) return;
  const { uid, gid } = userIds(user);
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
  }
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this system user when the tests run as root (Prosody and ejabberd refuse root). */
  user?: string;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM to the server, SIGKILL to its process group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnServer(options: SpawnOptions): ServerProcess {
  hookExit();
  const wrapper = ["--pdeathsig", "TERM"];
  if (options.user !== undefined && isRoot) {
    wrapper.unshift(`--reuid=${options.user}`, `--regid=${options.user}`, "--init-groups");
  }
  const fd = openSync(options.logFile, "a");
  const child = spawn("setpriv", [...wrapper, "--", options.command, ...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", fd, fd],
    // Its own process group, so stop() can reach the server's children by the server's PID.
    detached: true,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${options.name}: spawn failed`);
  const entry: Live = { pid: child.pid, alive: true };
  live.add(entry);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      entry.alive = false;
      live.delete(entry);
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (err) => {
      entry.alive = false;
      live.delete(entry);
      resolve(`error: ${err.message}`);
    });
  });
  return {
    name: options.name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    hasExited: () => !entry.alive,
    async stop(graceMs = 5000) {
      if (entry.alive) {
        try {
          process.kill(entry.pid, "SIGTERM");
        } catch {
          // exited meanwhile
        }
        const timer = setTimeout(() => killGroup(entry.pid, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Children that outlived their parent (Kamailio's workers on a crash) share its group.
      killGroup(entry.pid, "SIGKILL");
    },
  };
}

/** The last lines of a log file ("" while it does not exist). */
export function readLog(file: string, lastLines = 60): string {
  try {
    const text = readFileSync(file, "utf8");
    return Number.isFinite(lastLines) ? text.split("\n").slice(-lastLines).join("\n") : text;
  } catch {
    return "";
  }
}

/** An error that carries the end of the server's logs, for a start that failed. */
export function startError(what: string, reason: string, ...logFiles: string[]): Error {
  const logs = logFiles.map((f) => `\n--- ${f} (last lines) ---\n${readLog(f) || "(empty or missing)"}`).join("");
  return new Error(`${what} did not start: ${reason}${logs}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true; fails early when the server process has exited. */
export async function waitUntil(
  what: string,
  probe: () => boolean | Promise<boolean>,
  proc: ServerProcess,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (proc.hasExited()) throw new Error(`${proc.name} exited (${String(await proc.exited)}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`${proc.name}: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export function logContains(file: string, pattern: RegExp): boolean {
  try {
    return pattern.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a short command (prosodyctl, ejabberdctl, sipsak) with no stdin; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 15_000, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new Error(`${command} ${args.join(" ")}: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** What every launcher returns besides its addresses: the PID, restart and stop. */
export interface ServerLifecycle {
  readonly pid: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The lifecycle of a server that `launch()` (re)starts into the process `current()`
 * returns; `stop` also removes its temp folder. The addresses are assigned onto it,
 * keeping the `pid` getter live across restarts.
 */
export function serverLifecycle<T extends object>(
  current: () => ServerProcess,
  launch: () => Promise<void>,
  dir: string,
  fields: T,
): ServerLifecycle & T {
  const lifecycle: ServerLifecycle = {
    get pid() {
      return current().pid;
    },
    async restart() {
      await current().stop();
      await launch();
    },
    async stop() {
      await current().stop();
      removeTempDir(dir);
    },
  };
  return Object.assign(lifecycle, fields);
}
