/**
 * Keeps the dependency rules of STYLE.md true by reading import lines:
 * dependencies point inward, codecs stay pure, adapters never import each other.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

interface Import { from: string; to: string; typeOnly: boolean }

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+["']([^"']+)["']/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[3] ?? "";
    if (!spec.startsWith(".")) continue;
    const target = relative(root, resolve(dirname(file), spec)).split(sep).join("/").replace(/\.js$/, "");
    found.push({ from: relative(root, file).split(sep).join("/"), to: target, typeOnly: match[2] !== undefined });
  }
  return found;
}

/** The area a path belongs to: `src/pidf`, `src/errors`, `machines`, … */
function area(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "src") return parts.length > 2 ? `src/${parts[1]}` : `src/${(parts[1] ?? "").replace(/\.ts$/, "")}`;
  return parts[0] ?? path;
}

/**
 * What each area may import (besides itself). `type:` entries allow type-only imports.
 * `src/timing` (the one deadline scheduler) is neutral ground below the gateway and the
 * adapters: it knows nothing but the Clock port's type, so `src/sip` may import it as a
 * value without reaching into `src/gateway`, and the gateway shares the same code.
 */
const ALLOWED: Record<string, readonly string[]> = {
  "src/errors": [],
  "src/timing": ["type:src/gateway"],
  "src/presence": [],
  "src/xml": ["src/errors"],
  "src/pidf": ["src/xml", "src/errors"],
  "src/xmpp": ["src/xml", "src/errors", "type:src/presence", "type:src/gateway"],
  "src/mapping": ["src/presence", "src/pidf", "src/xmpp", "src/xml", "src/errors"],
  "src/sip": ["src/errors", "type:src/gateway", "type:src/presence", "machines", "src/pidf", "src/timing"],
  "src/store": ["src/errors", "type:src/gateway", "type:src/presence"],
  "src/gateway": ["src/presence", "src/mapping", "src/errors", "type:src/pidf", "type:src/xmpp", "machines", "src/timing"],
  "src/config": ["src/errors"],
  "src/admin": ["src/errors", "type:src/gateway"],
  "src/cli": ["src/mapping", "src/pidf", "src/xmpp", "src/presence", "src/xml", "src/errors", "src/config", "src/app", "type:src/gateway"],
  machines: ["type:src/presence", "type:src/gateway", "type:src/pidf", "type:src/xmpp"],
};

describe("architecture: import rules", () => {
  const files = [...sourceFiles(join(root, "src")), ...sourceFiles(join(root, "machines"))];

  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it("every area imports only what STYLE.md allows", () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const imp of importsOf(file)) {
        const from = area(imp.from);
        const to = area(imp.to);
        if (from === to || from === "src/app") continue;
        const allowed = ALLOWED[from];
        if (allowed === undefined) {
          violations.push(`${imp.from}: area ${from} has no import rule; add it to this test`);
          continue;
        }
        const ok = allowed.includes(to) || (imp.typeOnly && allowed.includes(`type:${to}`));
        if (!ok) violations.push(`${imp.from} imports ${imp.to}${imp.typeOnly ? " (type only)" : ""}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("machines import types only", () => {
    const bad = sourceFiles(join(root, "machines"))
      .flatMap(importsOf)
      .filter((imp) => !imp.typeOnly && !area(imp.to).startsWith("machines"));
    expect(bad).toEqual([]);
  });
});
