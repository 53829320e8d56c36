/**
 * The two wire formats of Kubernetes timestamps: metav1.Time (RFC 3339, whole seconds) and
 * metav1.MicroTime (RFC 3339 with exactly six fractional digits). The apiserver parses
 * MicroTime with the layout `2006-01-02T15:04:05.000000Z07:00`, so other precisions are
 * rejected, and always answers in UTC.
 */

const formatted = new Map<number, string>()

export function formatTime(ms: number): string {
  // Controllers format the same few seconds over and over, every tick.
  const seconds = Math.floor(ms / 1000)
  let text = formatted.get(seconds)
  if (text === undefined) {
    if (formatted.size > 4096) formatted.clear()
    text = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
    formatted.set(seconds, text)
  }
  return text
}

export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export function parseTime(text: string | undefined | null): number | undefined {
  if (!text) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

const microTimePattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})(Z|[+-]\d{2}:\d{2})$/

/** Returns the normalised (UTC) MicroTime, or undefined when the text is not one. */
export function normalizeMicroTime(text: string): string | undefined {
  const match = microTimePattern.exec(text)
  if (!match) return undefined
  const [, seconds, micros, zone] = match
  const ms = Date.parse(`${seconds}${zone}`)
  if (Number.isNaN(ms)) return undefined
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`
}
