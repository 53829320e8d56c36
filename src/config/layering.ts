/**
 * Layered configuration, as the seed describes it: base defaults plus per-environment
 * overrides. Plain objects merge key by key; lists and scalars in the override replace
 * the default (a list of targets is one value, not something to splice).
 */
export function mergeLayers(base: unknown, override: unknown): unknown {
  if (override === undefined) return base
  if (isPlainObject(base) && isPlainObject(override)) {
    const merged: Record<string, unknown> = { ...base }
    for (const [key, value] of Object.entries(override)) merged[key] = mergeLayers(base[key], value)
    return merged
  }
  return override
}

/** Which layer supplied the value at `path` of a merged environment, or undefined if neither has it. */
export function layerOf(
  path: readonly PropertyKey[],
  base: unknown,
  override: unknown
): 'override' | 'base' | undefined {
  let b = base
  let o = override
  for (const key of path) {
    // A list or scalar in the override replaced everything beneath it.
    if (o !== undefined && !isPlainObject(o)) return 'override'
    o = isPlainObject(o) ? o[String(key)] : undefined
    b = step(b, key)
  }
  return o !== undefined ? 'override' : b !== undefined ? 'base' : undefined
}

function step(value: unknown, key: PropertyKey): unknown {
  if (isPlainObject(value)) return value[String(key)]
  if (Array.isArray(value)) return value[Number(key)]
  return undefined
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
