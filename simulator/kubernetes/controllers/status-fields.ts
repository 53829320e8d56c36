/**
 * Go's `omitempty`: status integers that are zero are absent from real API responses, so
 * clients must read `readyReplicas ?? 0`. The simulator drops them the same way.
 */
export function omitZero<T extends Record<string, unknown>>(status: T, keys: Array<keyof T>): T {
  const out = { ...status }
  for (const key of keys) {
    if (out[key] === 0 || out[key] === undefined) delete out[key]
  }
  return out
}
