/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command
 * line), prints a table and writes bench/results/latest.json and latest.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchModule, Figure } from "./harness.js";

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.includes(w)))
  .sort();

interface Section {
  readonly file: string;
  readonly title: string;
  readonly figures: readonly Figure[];
}
const sections: Section[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as BenchModule;
  process.stdout.write(`\n## ${mod.title} (${file})\n`);
  const figures = await mod.run();
  for (const f of figures) {
    // A one-off figure (harness record()): its value is in the note.
    if (f.opsPerSec === 0 && f.note !== undefined) {
      process.stdout.write(`${f.name}: ${f.note}\n`);
      continue;
    }
    const target = f.target === undefined ? "" : `  target ≥ ${f.target.opsPerSec}/s: ${f.target.met ? "met" : "NOT MET"}`;
    process.stdout.write(`${f.name}: ${f.opsPerSec.toLocaleString("en")} ops/s, p50 ${f.p50Us} µs, p99 ${f.p99Us} µs${target}\n`);
  }
  sections.push({ file, title: mod.title, figures });
}

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};
const resultsDir = join(dir, "results");
mkdirSync(resultsDir, { recursive: true });
// A filtered run replaces its own sections and keeps the others' last figures.
const latestPath = join(resultsDir, "latest.json");
if (wanted.length > 0 && existsSync(latestPath)) {
  const previous = (JSON.parse(readFileSync(latestPath, "utf8")) as { sections: Section[] }).sections;
  const ran = new Set(sections.map((s) => s.file));
  sections.push(...previous.filter((s) => !ran.has(s.file) && existsSync(join(dir, s.file))));
  sections.sort((a, b) => a.file.localeCompare(b.file));
}
writeFileSync(latestPath, `${JSON.stringify({ machine, sections }, null, 2)}\n`);

const md = [
  "# Benchmark results",
  "",
  `Measured ${machine.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), Node ${machine.node}.`,
  "Each figure is the median of several runs on one core; latencies are per operation.",
  "",
  ...sections.flatMap((s) => [
    `## ${s.title}`,
    "",
    "| what | ops/s | p50 µs | p99 µs | target |",
    "| --- | ---: | ---: | ---: | --- |",
    ...s.figures.map((f) =>
      f.opsPerSec === 0 && f.note !== undefined
        ? `| ${f.name} | — | — | — | ${f.note} |`
        : `| ${f.name} | ${f.opsPerSec.toLocaleString("en")} | ${f.p50Us} | ${f.p99Us} | ${
            f.target === undefined ? "" : `≥ ${f.target.opsPerSec.toLocaleString("en")}/s ${f.target.met ? "met" : "**not met**"}`
          } |`,
    ),
    ...s.figures.filter((f) => f.note !== undefined && f.opsPerSec !== 0).map((f) => `\n${f.name}: ${f.note}`),
    "",
  ]),
];
writeFileSync(join(resultsDir, "latest.md"), `${md.join("\n")}\n`);
process.stdout.write(`\nwrote ${join("bench", "results", "latest.json")} and latest.md\n`);
