import { performance } from "node:perf_hooks";

export interface TimingOptions {
  /** Keep sampling until this much time was spent (default 300 ms). */
  readonly minMs?: number;
  readonly minRuns?: number;
  readonly maxRuns?: number;
}

/**
 * Median wall time of one call of `op`, in milliseconds. The median resists the occasional GC pause; one
 * untimed warm-up call loads code paths and caches first.
 */
export async function timeOp(op: () => unknown, options: TimingOptions = {}): Promise<number> {
  const { minMs = 300, minRuns = 5, maxRuns = 10_000 } = options;
  await op();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - started < minMs)) {
    const t0 = performance.now();
    await op();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

let startedAt = performance.now();

/** Restart the clock that progress() reports; the dispatcher calls it as a benchmark starts. */
export function startProgressClock(): void {
  startedAt = performance.now();
}

/** Progress for long benchmarks, with seconds since the start, on stderr so that stdout stays the report. */
export function progress(message: string): void {
  const seconds = (performance.now() - startedAt) / 1000;
  process.stderr.write(`[${seconds.toFixed(1)}s] · ${message}\n`);
}
