/**
 * Environment variables: `PRESENCE_BRIDGE_` + the key's path in UPPER_SNAKE
 * (`xmpp.secret` → PRESENCE_BRIDGE_XMPP_SECRET, `xmpp.reconnect.maxDelayMs` →
 * PRESENCE_BRIDGE_XMPP_RECONNECT_MAX_DELAY_MS). The names come from the schema, so
 * every key can be set this way and nothing else can: an unknown variable with the
 * prefix is an error naming it. Values are read as the schema's type says.
 */
import type { BridgeError } from "../errors.js";

export const ENV_PREFIX = "PRESENCE_BRIDGE_";
/** Read by the CLI itself (bin/presence-bridge.js), not part of the config. */
const RESERVED = new Set(["PRESENCE_BRIDGE_DEBUG"]);

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly anyOf?: readonly SchemaNode[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
}

export interface EnvKey {
  readonly path: readonly string[];
  readonly variable: string;
  readonly schema: SchemaNode;
}

const snake = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** Every settable key of the schema and its variable name. */
export function envKeys(schema: SchemaNode, path: readonly string[] = []): EnvKey[] {
  const out: EnvKey[] = [];
  const objects = schema.properties !== undefined ? [schema] : (schema.anyOf ?? []).filter((s) => s.properties !== undefined);
  const scalar = schema.properties === undefined && (schema.anyOf === undefined || schema.anyOf.some((s) => s.properties === undefined));
  if (path.length > 0 && (scalar || schema.anyOf !== undefined)) out.push({ path, variable: ENV_PREFIX + path.map(snake).join("_"), schema });
  for (const object of objects) {
    for (const [key, child] of Object.entries(object.properties ?? {})) {
      if (key === "$schema") continue;
      out.push(...envKeys(child, [...path, key]));
    }
  }
  return out;
}

function coerce(raw: string, schema: SchemaNode): unknown {
  const options = schema.anyOf ?? [schema];
  if (options.some((s) => s.const === false) && raw.trim().toLowerCase() === "false") return false;
  const scalar = options.find((s) => s.properties === undefined && s.const === undefined) ?? schema;
  switch (scalar.type) {
    case "integer":
    case "number":
      return raw.trim() === "" ? raw : Number.isNaN(Number(raw)) ? raw : Number(raw);
    case "array":
      return raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
    default:
      return raw;
  }
}

export interface EnvOverrides {
  /** [path, value, variable] for every variable set. */
  readonly values: readonly (readonly [readonly string[], unknown, string])[];
  readonly errors: readonly BridgeError[];
}

export function readEnv(env: Readonly<Record<string, string | undefined>>, schema: SchemaNode): EnvOverrides {
  const keys = new Map(envKeys(schema).map((key) => [key.variable, key]));
  const values: [readonly string[], unknown, string][] = [];
  const errors: BridgeError[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || RESERVED.has(name) || raw === undefined) continue;
    const key = keys.get(name);
    if (key === undefined) {
      errors.push({ code: "unknown-key", message: `unknown environment variable ${name}; expected one of ${[...keys.keys()].join(", ")}`, source: name });
      continue;
    }
    values.push([key.path, coerce(raw, key.schema), name]);
  }
  return { values, errors };
}
