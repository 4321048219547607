/** Summary statistics and a seeded random source for the benchmarks. */

/** Returns a percentile by linear interpolation between closest ranks, or undefined for an empty sample. */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;

  const sorted = [...values].sort((left, right) => left - right);
  const rank = (sorted.length - 1) * fraction;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lowerValue = sorted[lower] as number;
  const upperValue = sorted[upper] as number;
  return lowerValue + (upperValue - lowerValue) * (rank - lower);
}

export interface LatencySummary {
  count: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  return {
    count: latenciesMs.length,
    p50Ms: percentile(latenciesMs, 0.5),
    p95Ms: percentile(latenciesMs, 0.95),
    p99Ms: percentile(latenciesMs, 0.99),
    maxMs: latenciesMs.length === 0 ? undefined : Math.max(...latenciesMs),
  };
}

/**
 * Jain's fairness index, (Σx)² / (n·Σx²): 1 when every x is equal, 1/n when one party gets
 * everything. Undefined for an empty list or all zeros.
 */
export function jainIndex(values: readonly number[]): number | undefined {
  const sum = values.reduce((total, value) => total + value, 0);
  const sumOfSquares = values.reduce((total, value) => total + value * value, 0);
  if (values.length === 0 || sumOfSquares === 0) return undefined;
  return (sum * sum) / (values.length * sumOfSquares);
}

/** `numerator / denominator`, or undefined when either is missing or the denominator is 0. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined || denominator === 0) return undefined;
  return numerator / denominator;
}

/**
 * Returns uniform numbers in [0, 1) from a xorshift32 generator (shifts 13, 17, 5), so that both sides of a
 * comparison see the same arrivals and lifetimes for the same seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

export function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}

/** Runs `task` for 0..count-1 with at most `concurrency` tasks in flight, and resolves when all are done. */
export async function runWithConcurrency(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => lane()));
}
