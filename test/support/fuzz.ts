// Bounded in `npm test`; `npm run fuzz` raises FUZZ_RUNS for long runs.
export const fuzzRuns: number = Number(process.env.FUZZ_RUNS ?? 100_000);
export const fuzzTimeout: number = Math.max(60_000, fuzzRuns / 100);
