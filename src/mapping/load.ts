/**
 * Loading tables: the only file I/O of the mapping, done once per load (never per
 * translation). Reads a file or a shipped profile, follows `extends`, checks the
 * format version and the schema, compiles, and reports every problem with its place.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BridgeError, Result } from "../errors.js";
import { compileDocument, mergeDocument } from "./compile.js";
import type { Issue } from "./issues.js";
import { locate, parseJsonText } from "./json-text.js";
import type { MappingTable } from "./types.js";
import { schemaValidator, versionIssue } from "./validate.js";

/** The profiles shipped in mappings/. */
export const PROFILES = ["default", "asterisk", "kamailio", "freeswitch"] as const;

/** Where a table comes from. */
export type TableSource = { readonly file: string } | { readonly profile: string } | { readonly json: string; readonly file?: string };

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** mappings/ of this package: two levels up from src/mapping, three from dist/src/mapping. */
function mappingsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, "../../mappings"), resolve(here, "../../../mappings")];
  return candidates.find((dir) => existsSync(resolve(dir, "schema.json"))) ?? (candidates[0] as string);
}

let validator: ((value: unknown) => ReturnType<ReturnType<typeof schemaValidator>>) | undefined;

function validatorFor(): NonNullable<typeof validator> {
  validator ??= schemaValidator(JSON.parse(readFileSync(resolve(mappingsDir(), "schema.json"), "utf8")) as object);
  return validator;
}

/** The path of a shipped profile. */
export const profilePath = (name: string): string => resolve(mappingsDir(), `${name}.json`);

function readText(file: string): Result<string, string> {
  try {
    return { ok: true, value: readFileSync(file, "utf8") };
  } catch (cause) {
    return { ok: false, error: (cause as NodeJS.ErrnoException).code ?? "unreadable" };
  }
}

/** Where `extends` points: a shipped profile by name, else a path relative to the extending file. */
function resolveExtends(target: string, file: string | undefined): Result<string, string> {
  if (PROFILE_NAME.test(target)) {
    if ((PROFILES as readonly string[]).includes(target)) return { ok: true, value: profilePath(target) };
    return { ok: false, error: `no shipped profile is named "${target}"; expected one of ${PROFILES.join(", ")} or a path such as ./base.json` };
  }
  return { ok: true, value: isAbsolute(target) ? target : resolve(file === undefined ? process.cwd() : dirname(file), target) };
}

/** A path as the operator reads it: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** Loads the parent table named by `extends`, or says why it cannot. */
function loadParent(target: string, file: string | undefined, chain: readonly string[], issues: Issue[], errors: BridgeError[]): MappingTable | undefined {
  const resolved = resolveExtends(target, file);
  if (!resolved.ok) {
    issues.push({ code: "unknown-profile", message: resolved.error, pointer: "/extends" });
    return undefined;
  }
  const path = resolved.value;
  if (path === file || chain.includes(path)) {
    const cycle = [...chain, file ?? "<inline>", path].map((f) => basename(f)).join(" → ");
    issues.push({ code: "extends-cycle", message: `tables extend each other in a cycle: ${cycle}`, pointer: "/extends" });
    return undefined;
  }
  const text = readText(path);
  if (!text.ok) {
    issues.push({ code: "file-not-found", message: `extends ${shown(path)}, which cannot be read (${text.error})`, pointer: "/extends" });
    return undefined;
  }
  const loaded = loadText(text.value, path, file === undefined ? chain : [...chain, file]);
  if (loaded.ok) return loaded.value;
  errors.push(...loaded.error);
  return undefined;
}

/** Loads one document and, recursively, what it extends; `chain` holds the files below it. */
function loadText(text: string, file: string | undefined, chain: readonly string[]): Result<MappingTable, readonly BridgeError[]> {
  const source = file === undefined ? undefined : shown(file);
  const parsed = parseJsonText(text, source);
  if (!parsed.ok) return parsed;
  const json = parsed.value;
  const version = versionIssue(json.value);
  if (version !== undefined) return { ok: false, error: locate([version], json, source) };
  const schemaIssues = validatorFor()(json.value);
  if (schemaIssues.length > 0) return { ok: false, error: locate(schemaIssues, json, source) };

  const doc = json.value as Readonly<Record<string, unknown>>;
  const compiled = compileDocument(doc, source ?? "<inline>");
  const issues = [...compiled.issues];
  const parentErrors: BridgeError[] = [];
  const { document } = compiled;
  const parent = document.extends === undefined ? undefined : loadParent(document.extends, file, chain, issues, parentErrors);
  const name = document.name ?? (file === undefined ? "inline" : basename(file).replace(/\.json$/, ""));
  const files = source === undefined ? (parent?.files ?? []) : [source, ...(parent?.files ?? [])];
  // Without its parent, a table cannot be merged: report what is known so far.
  const merged = parentErrors.length > 0 || issues.some((i) => i.pointer === "/extends") ? undefined : mergeDocument(document, parent, name, files);
  issues.push(...(merged?.issues ?? []));
  if (merged === undefined || issues.length > 0) return { ok: false, error: [...locate(issues, json, source), ...parentErrors] };
  return { ok: true, value: merged.table };
}

/**
 * Reads, validates and compiles a table: a file, a shipped profile by name, or JSON
 * text (whose relative `extends` resolve against `file`'s folder, else the working
 * directory). Every problem comes back, each with its file and
 * `/pointer (line L, column C)`.
 */
export function loadTable(source: TableSource): Result<MappingTable, readonly BridgeError[]> {
  if ("json" in source) return loadText(source.json, source.file === undefined ? undefined : resolve(source.file), []);
  let file: string;
  if ("profile" in source) {
    if (!(PROFILES as readonly string[]).includes(source.profile)) {
      const message = `no shipped profile is named "${source.profile}"; expected one of ${PROFILES.join(", ")}`;
      return { ok: false, error: [{ code: "unknown-profile", message }] };
    }
    file = profilePath(source.profile);
  } else file = resolve(source.file);
  const text = readText(file);
  if (!text.ok) return { ok: false, error: [{ code: "file-not-found", message: `cannot read the table (${text.error})`, source: shown(file) }] };
  return loadText(text.value, file, []);
}

/** Every problem of every file (an empty list when all are valid tables). */
export function checkTableFiles(files: readonly string[]): readonly BridgeError[] {
  return files.flatMap((file) => {
    const loaded = loadTable({ file });
    return loaded.ok ? [] : loaded.error;
  });
}
