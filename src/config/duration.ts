import { z } from 'zod'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g

/** Parses Go-style durations ("90s", "5m", "1h30m", "250ms") into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  if (!DURATION.test(trimmed)) return undefined
  let total = 0
  for (const [, amount, unit] of trimmed.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

export const DURATION_EXPECTED = 'a duration such as 30s, 5m, 1h30m or 250ms'

/** A duration written as text in the config, carried as milliseconds once validated. */
export const duration = z
  .string({ error: DURATION_EXPECTED })
  .refine((text) => parseDuration(text) !== undefined, { error: DURATION_EXPECTED })
  .transform((text) => parseDuration(text)!)
  .meta({ description: DURATION_EXPECTED, pattern: DURATION.source })
