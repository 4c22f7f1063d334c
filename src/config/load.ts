/**
 * Loads the config: the JSON or YAML file (by its extension), then PRESENCE_BRIDGE_* variables over it, then
 * one validation against the schema, then defaults; the result is typed and
 * frozen. Every problem names the key (`xmpp.reconnect.maxDelayMs`) and what is
 * wrong with it, and where it came from (file line and column, or the variable).
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import type { BridgeError, Result } from "../errors.js";
import { readEnv } from "./env.js";
import { parseConfigText, type ConfigText } from "./json.js";
import { CONFIG_SCHEMA } from "./schema.js";
import { isYamlFile, parseYamlConfigText } from "./yaml.js";
import type { Config, SipConfig } from "./types.js";

export interface ConfigSource {
  /** The config file; without one, everything comes from the environment. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const validate = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(CONFIG_SCHEMA);

const keyOf = (path: readonly (string | number)[]): string => (path.length === 0 ? "(the config)" : path.join("."));
const pathOf = (pointer: string): string[] => (pointer === "" ? [] : pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")));

function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

function explain(error: ErrorObject): { path: string[]; message: string; code: BridgeError["code"] } {
  const path = pathOf(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter((k) => k !== "$schema");
      return { path: [...path, String(p.additionalProperty)], message: `unknown key; expected one of ${allowed.join(", ")}`, code: "unknown-key" };
    }
    case "required":
      return { path: [...path, String(p.missingProperty)], message: "is required", code: "missing-key" };
    case "type":
      return { path, message: `expected ${String(p.type)}, found ${shown(error.data)}`, code: "invalid-value" };
    case "enum":
      return { path, message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, found ${shown(error.data)}`, code: "invalid-value" };
    case "pattern":
      return { path, message: `${shown(error.data)} does not have the expected form (${String(p.pattern)})`, code: "invalid-value" };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
      return { path, message: `expected a number ${String(p.comparison)} ${String(p.limit)}, found ${shown(error.data)}`, code: "invalid-value" };
    case "minLength":
      return { path, message: "may not be empty", code: "invalid-value" };
    case "anyOf":
      return { path, message: `expected false or an object of settings, found ${shown(error.data)}`, code: "invalid-value" };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}`, code: "invalid-value" };
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The parent domain: `sip.example.com` → `example.com` (the server hosting the component, by convention). */
const parentDomain = (domain: string): string => (domain.includes(".") ? domain.slice(domain.indexOf(".") + 1) : domain);

type Raw = Readonly<Record<string, unknown>>;

function withDefaults(raw: Raw): Config {
  const x = raw.xmpp as Raw;
  const domain = String(x.domain).toLowerCase();
  const serverDomain = String(x.serverDomain ?? parentDomain(domain)).toLowerCase();
  const keepalive = x.keepalive === false ? false : { intervalMs: 60_000, timeoutMs: 20_000, target: serverDomain, ...(x.keepalive as object | undefined) };
  const subscriptions = (raw.subscriptions ?? {}) as Raw;
  return {
    xmpp: {
      service: String(x.service),
      domain,
      secret: String(x.secret),
      serverDomain,
      name: String(x.name ?? "SIP presence gateway"),
      reconnect: { initialDelayMs: 500, maxDelayMs: 60_000, factor: 2, jitter: 1, ...(x.reconnect as object | undefined) },
      keepalive,
      connectTimeoutMs: Number(x.connectTimeoutMs ?? 15_000),
      queueLimit: Number(x.queueLimit ?? 10_000),
      maxStanzaBytes: Number(x.maxStanzaBytes ?? 65_536),
    },
    store: { path: String((raw.store as Raw).path) },
    mapping: { profile: "default", ...(raw.mapping as object | undefined) },
    subscriptions: {
      approve: (subscriptions.approve as string[] | undefined) ?? [serverDomain],
      otherwise: (subscriptions.otherwise as Config["subscriptions"]["otherwise"] | undefined) ?? "deny",
      rateLimit: subscriptions.rateLimit === false ? false : { burst: 50, perMinute: 30, ...(subscriptions.rateLimit as object | undefined) },
    },
    contacts: { ...(raw.contacts as object | undefined) },
    log: { level: "info", ...(raw.log as object | undefined) },
    ...(raw.sip === undefined ? {} : { sip: sipDefaults(raw.sip as Raw) }),
    people: { links: [], fromAddresses: true, debounceMs: 250, ...(raw.people as object | undefined) },
  };
}

function sipDefaults(s: Raw): SipConfig {
  const listen = s.listen as Raw;
  const withHost = (l: unknown) => (l === undefined ? undefined : { host: "127.0.0.1", ...(l as object) });
  const udp = withHost(listen.udp);
  const tcp = withHost(listen.tcp);
  const tls = withHost(listen.tls);
  const access = (s.access ?? {}) as Raw;
  const first = udp !== undefined ? "udp" : tcp !== undefined ? "tcp" : "tls";
  return {
    listen: { ...(udp && { udp }), ...(tcp && { tcp }), ...(tls && { tls }) } as SipConfig["listen"],
    transport: (s.transport as SipConfig["transport"] | undefined) ?? first,
    identity: String(s.identity),
    domain: String(s.domain).toLowerCase(),
    ...(s.outboundProxy === undefined ? {} : { outboundProxy: String(s.outboundProxy) }),
    ...(s.advertisedHost === undefined ? {} : { advertisedHost: String(s.advertisedHost) }),
    ...(s.auth === undefined ? {} : { auth: s.auth as NonNullable<SipConfig["auth"]> }),
    access: {
      trustedNetworks: (access.trustedNetworks as string[] | undefined) ?? ["127.0.0.1/32", "::1"],
      realm: String(access.realm ?? s.domain),
      users: (access.users as SipConfig["access"]["users"] | undefined) ?? [],
    },
    mode: (s.mode as SipConfig["mode"] | undefined) ?? "notify",
    refreshWithBody: s.refreshWithBody === true,
    expires: Number(s.expires ?? 600),
    minNotifyIntervalMs: Number(s.minNotifyIntervalMs ?? 200),
  };
}

/** Rules the schema cannot say. */
function crossChecks(config: Config): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const r = config.xmpp.reconnect;
  if (r.maxDelayMs < r.initialDelayMs) problems.push({ path: ["xmpp", "reconnect", "maxDelayMs"], message: `${r.maxDelayMs} is below initialDelayMs ${r.initialDelayMs}` });
  const k = config.xmpp.keepalive;
  if (k !== false && k.timeoutMs >= k.intervalMs) problems.push({ path: ["xmpp", "keepalive", "timeoutMs"], message: `${k.timeoutMs} must be below intervalMs ${k.intervalMs}` });
  if (config.contacts.pattern !== undefined) {
    try {
      new RegExp(config.contacts.pattern, "u");
    } catch (error) {
      problems.push({ path: ["contacts", "pattern"], message: `is not a regular expression: ${(error as Error).message}` });
    }
  }
  const sip = config.sip;
  if (sip !== undefined) {
    if (Object.keys(sip.listen).length === 0) problems.push({ path: ["sip", "listen"], message: "needs at least one of udp, tcp, tls" });
    else if (sip.listen[sip.transport] === undefined) problems.push({ path: ["sip", "transport"], message: `"${sip.transport}" does not listen; add sip.listen.${sip.transport}` });
    if (sip.auth?.password.includes("\n") === true) problems.push({ path: ["sip", "auth", "password"], message: "may not contain a line break" });
  }
  return problems;
}

/** Reads, merges and checks the config; every problem at once, each naming its key. */
export function loadConfig(source: ConfigSource): Result<Config, readonly BridgeError[]> {
  let file: ConfigText | undefined;
  if (source.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(source.file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
      return { ok: false, error: [{ code: "file-not-found", message: `cannot read the config file: ${reason}`, source: source.file }] };
    }
    const parsed = isYamlFile(source.file) ? parseYamlConfigText(text, source.file) : parseConfigText(text, source.file);
    if (!parsed.ok) return parsed;
    file = parsed.value;
  }
  const raw: Record<string, unknown> = structuredClone((file?.value ?? {}) as Record<string, unknown>);
  const errors: BridgeError[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, error: [{ code: "invalid-value", message: "the config must be a JSON object", ...(source.file === undefined ? {} : { source: source.file }) }] };
  }
  const env = readEnv(source.env ?? {}, CONFIG_SCHEMA as Parameters<typeof readEnv>[1]);
  errors.push(...env.errors);
  const fromEnv = new Map<string, string>();
  for (const [path, value, variable] of env.values) {
    setPath(raw, path, value);
    fromEnv.set(path.join("."), variable);
  }
  const where = (path: readonly string[]): Pick<BridgeError, "at" | "source"> => {
    for (let i = path.length; i > 0; i--) {
      const variable = fromEnv.get(path.slice(0, i).join("."));
      if (variable !== undefined) return { source: variable };
    }
    if (source.file === undefined) return {};
    const at = file?.locate(path) ?? file?.locate(path.slice(0, -1));
    return at === undefined ? { source: source.file } : { source: source.file, at };
  };
  if (!validate(raw)) {
    for (const error of validate.errors ?? []) {
      // anyOf reports each branch too; the anyOf line says it once.
      if (error.schemaPath.includes("/anyOf/")) continue;
      const { path, message, code } = explain(error);
      errors.push({ code, message: `${keyOf(path)}: ${message}`, ...where(path) });
    }
  }
  if (errors.length > 0) return { ok: false, error: errors };
  const config = withDefaults(raw as Raw);
  const problems = crossChecks(config);
  if (problems.length > 0) {
    return { ok: false, error: problems.map((p) => ({ code: "invalid-value", message: `${keyOf(p.path)}: ${p.message}`, ...where(p.path) })) };
  }
  return { ok: true, value: deepFreeze(config) };
}
