/**
 * A small benchmark harness: every figure is the median of several timed runs,
 * with per-operation latency percentiles taken from the median run.
 */

export interface Figure {
  /** What was measured, e.g. "sip→xmpp translate (Asterisk PIDF, 1.0 KB)". */
  readonly name: string;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly runs: number;
  readonly opsPerRun: number;
  /** A target the issue names, and whether the figure meets it. */
  readonly target?: { readonly opsPerSec: number; readonly met: boolean };
  readonly note?: string;
}

export interface MeasureOptions {
  readonly runs?: number;
  /** Operations per run. */
  readonly ops?: number;
  readonly warmup?: number;
  readonly targetOpsPerSec?: number;
  readonly note?: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Time `fn` `ops` times per run, `runs` times; one core, no concurrency. */
export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Figure {
  const runs = options.runs ?? 7;
  const ops = options.ops ?? 20_000;
  const warmup = options.warmup ?? Math.min(ops, 5_000);
  for (let i = 0; i < warmup; i++) fn();

  const results: { opsPerSec: number; p50: number; p99: number }[] = [];
  const samples = new Float64Array(ops);
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    let last = start;
    for (let i = 0; i < ops; i++) {
      fn();
      const now = process.hrtime.bigint();
      samples[i] = Number(now - last) / 1_000;
      last = now;
    }
    const totalS = Number(process.hrtime.bigint() - start) / 1e9;
    const sorted = samples.slice().sort();
    results.push({ opsPerSec: ops / totalS, p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
  }
  const byRate = [...results].sort((a, b) => a.opsPerSec - b.opsPerSec);
  const mid = byRate[Math.floor(byRate.length / 2)] ?? { opsPerSec: 0, p50: 0, p99: 0 };
  const opsPerSec = Math.round(median(results.map((r) => r.opsPerSec)));
  return {
    name,
    opsPerSec,
    p50Us: Number(mid.p50.toFixed(1)),
    p99Us: Number(mid.p99.toFixed(1)),
    runs,
    opsPerRun: ops,
    ...(options.targetOpsPerSec === undefined
      ? {}
      : { target: { opsPerSec: options.targetOpsPerSec, met: opsPerSec >= options.targetOpsPerSec } }),
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

/** A benchmark module: `bench/<subject>.bench.ts` exports `title` and `run`. */
export interface BenchModule {
  readonly title: string;
  run(): Promise<readonly Figure[]> | readonly Figure[];
}

export interface RecordOptions {
  /** A ceiling the issue names (e.g. 300 MB, 5 s): the figure meets it at or below. */
  readonly max?: number;
  readonly note?: string;
}

/**
 * A one-off figure that is not a rate (memory held, a duration): opsPerSec is 0
 * and the value, its unit and the target go into `note`, which run.ts shows.
 */
export function record(name: string, value: number, unit: string, options: RecordOptions = {}): Figure {
  const shown = `${Number(value.toFixed(value < 10 ? 2 : 1)).toLocaleString("en")} ${unit}`;
  const target = options.max === undefined ? "" : `; target ≤ ${options.max.toLocaleString("en")} ${unit}: ${value <= options.max ? "met" : "NOT MET"}`;
  return {
    name,
    opsPerSec: 0,
    p50Us: 0,
    p99Us: 0,
    runs: 1,
    opsPerRun: 1,
    note: `${shown}${target}${options.note === undefined ? "" : `. ${options.note}`}`,
  };
}
