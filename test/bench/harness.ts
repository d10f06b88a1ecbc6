// Benchmarks report absolute figures and a ratio against a named reference measured in the same run.
import { performance } from 'node:perf_hooks';

export interface Sample {
  name: string;
  ops: number; // operations per second
  perOpMs: number;
}

export interface Bench {
  /** Runs fn repeatedly for about `seconds` (after a warm-up) and reports ops/s. */
  measure(name: string, fn: () => unknown, opts?: { seconds?: number; batch?: number }): Sample;
  measureAsync(name: string, fn: () => Promise<unknown>, opts?: { seconds?: number; batch?: number }): Promise<Sample>;
  /** Prints `subject` against `reference`: ratio = subject throughput / reference throughput. */
  ratio(label: string, subject: Sample, reference: Sample): number;
  line(text: string): void;
}

function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

export function createBench(section: string, log: (s: string) => void = console.log): Bench {
  log(`\n## ${section}`);
  const report = (name: string, iterations: number, elapsedMs: number): Sample => {
    const ops = (iterations * 1000) / elapsedMs;
    const sample = { name, ops, perOpMs: elapsedMs / iterations };
    log(`  ${name}: ${round(ops)} ops/s (${round(sample.perOpMs)} ms/op, ${iterations} ops)`);
    return sample;
  };
  return {
    measure(name, fn, opts = {}) {
      const seconds = opts.seconds ?? 1;
      const batch = opts.batch ?? 1;
      const warmUntil = performance.now() + Math.min(200, seconds * 200);
      while (performance.now() < warmUntil) fn();
      let iterations = 0;
      const start = performance.now();
      const until = start + seconds * 1000;
      do {
        for (let i = 0; i < batch; i++) fn();
        iterations += batch;
      } while (performance.now() < until);
      return report(name, iterations, performance.now() - start);
    },
    async measureAsync(name, fn, opts = {}) {
      const seconds = opts.seconds ?? 1;
      const batch = opts.batch ?? 1;
      await fn();
      let iterations = 0;
      const start = performance.now();
      const until = start + seconds * 1000;
      do {
        for (let i = 0; i < batch; i++) await fn();
        iterations += batch;
      } while (performance.now() < until);
      return report(name, iterations, performance.now() - start);
    },
    ratio(label, subject, reference) {
      const r = subject.ops / reference.ops;
      log(`  ratio ${label}: ${r.toFixed(3)} (${subject.name} vs ${reference.name})`);
      return r;
    },
    line(text) {
      log(`  ${text}`);
    },
  };
}

/** Percentiles of latencies (ms), for round-trip style benchmarks. */
export function percentiles(latenciesMs: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p99: at(0.99), mean };
}
