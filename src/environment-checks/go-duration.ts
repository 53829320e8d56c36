/**
 * Go `time.ParseDuration`, as controllers written in Go read fields such as the
 * ExternalSecret's `spec.refreshInterval`: an optional sign, then one or more
 * `<number><unit>` parts with units ns, us (µs, μs), ms, s, m, h; `1h30m`, `1.5h`, `300ms`.
 * A bare `0` is allowed; any other number needs a unit. (src/config/duration.ts is the
 * action's own, stricter config form.)
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/** Milliseconds (possibly fractional below 1 ms), or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim()
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') return undefined
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < rest.length) {
    const match = PART.exec(rest)
    if (!match) return undefined
    total += Number(match[1]) * UNIT_MS[match[2]!]!
  }
  return sign * total
}
