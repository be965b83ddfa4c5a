/** Returns the value at quantile `q` (0..1) of `sorted`, by the nearest-rank method. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Summary of a latency sample in milliseconds. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summariseLatencies(latenciesMs: Float64Array): LatencySummary {
  const sorted = latenciesMs.slice().sort();
  return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: quantile(sorted, 1) };
}
