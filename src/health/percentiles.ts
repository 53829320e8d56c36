/**
 * Nearest-rank percentile (p in 0..100): always one of the observed values, which reads better in
 * a report than an interpolated latency nobody measured. null when there are no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}
