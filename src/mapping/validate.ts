/**
 * Checks a table against mappings/schema.json (ajv, compiled once) and says, for
 * each problem, what was expected, in words an operator can act on.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { pointerJoin, type Issue } from "./issues.js";

/** The format versions this bridge reads. */
export const FORMATS: readonly number[] = [1];

const describe = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string", array: "an array", object: "an object", boolean: "true or false",
  null: "null", number: "a number", integer: "an integer",
};

const words = (types: unknown): string =>
  (Array.isArray(types) ? types : [types]).map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(" or ");

const keysOf = (schema: unknown): string => Object.keys((schema as { properties?: object } | undefined)?.properties ?? {}).join(", ");

function message(error: ErrorObject): { pointer: string; message: string } {
  const { params, instancePath: at } = error;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      return { pointer: pointerJoin(at, key), message: `unknown key "${key}"; expected one of: ${keysOf(error.parentSchema)}` };
    }
    case "required":
      return { pointer: at, message: `missing key "${String(params.missingProperty)}"` };
    case "type":
      return { pointer: at, message: `expected ${words(params.type)}, found ${describe(error.data)}` };
    case "enum":
      return { pointer: at, message: `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}; found ${describe(error.data)}` };
    case "const":
      return { pointer: at, message: `expected ${JSON.stringify(params.allowedValue)}, found ${describe(error.data)}` };
    case "pattern":
      return error.schemaPath.includes("ruleId") || at.endsWith("/name")
        ? { pointer: at, message: `expected a kebab-case name (a-z, 0-9, '-'), found ${describe(error.data)}` }
        : { pointer: at, message: `expected text matching ${String(params.pattern)}, found ${describe(error.data)}` };
    case "minItems":
      return { pointer: at, message: `expected at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}` };
    case "minLength":
      return { pointer: at, message: "expected a non-empty string" };
    case "minProperties":
      return { pointer: at, message: `expected at least one of: ${keysOf(error.parentSchema)}` };
    case "uniqueItems":
      return { pointer: at, message: `items ${String(params.j)} and ${String(params.i)} are the same; list each once` };
    default:
      return { pointer: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** A validator for `schema`: returns every problem, each with its JSON pointer. */
export function schemaValidator(schema: object): (value: unknown) => readonly Issue[] {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    const seen = new Set<string>();
    const issues: Issue[] = [];
    for (const error of validate.errors ?? []) {
      const { pointer, message: text } = message(error);
      const key = `${pointer}\u0000${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ code: "schema-violation", message: text, pointer });
    }
    return issues;
  };
}

/** `format` is read before the schema, so a table written for another version gets one clear error. */
export function versionIssue(value: unknown): Issue | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const format = (value as { format?: unknown }).format;
  if (format === undefined || FORMATS.includes(format as number)) return undefined;
  return { code: "unsupported-version", message: `format ${JSON.stringify(format)} is not one this bridge reads; expected ${FORMATS.join(" or ")}`, pointer: "/format" };
}
