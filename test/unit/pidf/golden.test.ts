/**
 * Golden pairs under test/fixtures: `<source>-<version>-<situation>.xml` and
 * its `.expected.json`, the Result that parseSipBody gives for the bytes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSipBody, serializeDialogInfo, serializePidf } from "../../../src/pidf/index.js";

const dir = join(import.meta.dirname, "../../fixtures");
const files = readdirSync(dir);
const bodies = files.filter((f) => f.endsWith(".xml")).sort();
const NAME = /^[a-z0-9]+-[a-z0-9.]+-[a-z0-9-]+\.xml$/;

describe("golden SIP bodies", () => {
  it("has a pair for every file, named <source>-<version>-<situation>", () => {
    expect(bodies.length).toBeGreaterThanOrEqual(20);
    expect(bodies.filter((f) => !NAME.test(f))).toEqual([]);
    const expected = files.filter((f) => f.endsWith(".expected.json")).sort();
    expect(expected).toEqual(bodies.map((f) => f.replace(/\.xml$/, ".expected.json")));
  });

  it.each(bodies)("%s", (file) => {
    const result = parseSipBody(new Uint8Array(readFileSync(join(dir, file))));
    const expected: unknown = JSON.parse(readFileSync(join(dir, file.replace(/\.xml$/, ".expected.json")), "utf8"));
    expect(result).toEqual(expected);
    if (!result.ok || result.value.kind === "xpidf") return;
    const written = result.value.kind === "pidf" ? serializePidf(result.value) : serializeDialogInfo(result.value);
    expect(parseSipBody(written)).toEqual(result);
  });
});
