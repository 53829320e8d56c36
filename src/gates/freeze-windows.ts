/**
 * Freeze windows in wall-clock time of an IANA time zone, computed with Intl only. A weekly
 * window "fri 16:00 to mon 08:00" in Europe/Berlin means those local times whatever the UTC
 * offset is that week, so it moves with daylight saving time as people expect.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export type FreezeWindow =
  | {
      kind: 'weekly'
      name: string
      timezone: string
      from: { day: Weekday; minute: number }
      to: { day: Weekday; minute: number }
    }
  | { kind: 'daily'; name: string; timezone: string; from: number; to: number; days: readonly Weekday[] }
  | { kind: 'dates'; name: string; timezone: string; from: string; to: string }

export interface FreezeState {
  window: FreezeWindow
  active: boolean
  /** When it ends (active) or next starts (inactive); undefined when it never will. */
  boundary: number | undefined
}

const MINUTES_PER_DAY = 1440
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  weekday: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The local date and time in `zone` at `instant` (weekday 0 = Monday). */
export function wallClock(instant: number, zone: string): WallClock {
  let format = formatters.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short'
    })
    formatters.set(zone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]))
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: WEEKDAYS.indexOf(String(parts['weekday']).toLowerCase().slice(0, 3) as Weekday)
  }
}

/** Wall-clock time as milliseconds of a fictitious UTC day, for arithmetic on local times. */
function wallMs(w: Pick<WallClock, 'year' | 'month' | 'day' | 'hour' | 'minute'>): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)
}

/**
 * The instant at which `zone` shows the wall time `local`. A wall time that occurs twice (the
 * autumn change) is its first occurrence; one skipped by the spring change is read with the
 * offset after it (02:30 becomes 03:30), as Temporal's "compatible" disambiguation does.
 */
export function instantOf(local: number, zone: string): number {
  const offsetAt = (instant: number) =>
    wallMs(wallClock(instant, zone)) - Math.floor(instant / 60_000) * 60_000
  const first = local - offsetAt(local)
  const second = local - offsetAt(first)
  if (wallMs(wallClock(second, zone)) === local) return second
  if (wallMs(wallClock(first, zone)) === local) return first
  return Math.max(first, second)
}

/** "2025-03-31T08:00" (or a date, which means its midnight) as a wall-clock number. */
export function parseLocal(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h = '00', mi = '00'] = match
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi))
  const check = new Date(ms)
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59
  )
    return undefined
  return ms
}

export function evaluateWindow(window: FreezeWindow, now: number): FreezeState {
  const local = wallClock(now, window.timezone)
  const nowWall = wallMs(local)
  const minuteOfDay = local.hour * 60 + local.minute
  const at = (wall: number) => instantOf(wall, window.timezone)
  switch (window.kind) {
    case 'weekly': {
      const t = local.weekday * MINUTES_PER_DAY + minuteOfDay
      const start = WEEKDAYS.indexOf(window.from.day) * MINUTES_PER_DAY + window.from.minute
      const end = WEEKDAYS.indexOf(window.to.day) * MINUTES_PER_DAY + window.to.minute
      const active = start < end ? t >= start && t < end : t >= start || t < end
      const target = active ? end : start
      const delta = (target - t + MINUTES_PER_WEEK) % MINUTES_PER_WEEK || MINUTES_PER_WEEK
      return { window, active, boundary: at(nowWall + delta * 60_000) }
    }
    case 'daily': {
      const today = WEEKDAYS[local.weekday]!
      const yesterday = WEEKDAYS[(local.weekday + 6) % 7]!
      const overnight = window.to <= window.from
      const startsOn = (day: Weekday) => window.days.includes(day)
      let active: boolean
      if (!overnight) active = startsOn(today) && minuteOfDay >= window.from && minuteOfDay < window.to
      else
        active =
          (startsOn(today) && minuteOfDay >= window.from) || (startsOn(yesterday) && minuteOfDay < window.to)
      if (active) {
        const endsToday = overnight ? minuteOfDay < window.to : true
        const delta = (endsToday ? 0 : MINUTES_PER_DAY) + window.to - minuteOfDay
        return { window, active, boundary: at(nowWall + delta * 60_000) }
      }
      // The next day (from today) on which the window starts, after now.
      for (let ahead = 0; ahead <= 7; ahead++) {
        const day = WEEKDAYS[(local.weekday + ahead) % 7]!
        const delta = ahead * MINUTES_PER_DAY + window.from - minuteOfDay
        if (startsOn(day) && delta > 0) return { window, active, boundary: at(nowWall + delta * 60_000) }
      }
      return { window, active, boundary: undefined }
    }
    case 'dates': {
      const from = parseLocal(window.from)!
      // A date alone as `to` includes that whole day.
      const to = parseLocal(window.to)! + (window.to.length === 10 ? MINUTES_PER_DAY * 60_000 : 0)
      const active = nowWall >= from && nowWall < to
      return { window, active, boundary: active ? at(to) : nowWall < from ? at(from) : undefined }
    }
  }
}

/** "Mon 2025-03-31 08:00 Europe/Berlin (06:00 UTC)" */
export function describeInstant(instant: number, zone: string): string {
  const w = wallClock(instant, zone)
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = WEEKDAYS[w.weekday]!
  const utc = new Date(instant).toISOString().replace(/:00\.000Z$/, 'Z')
  return `${day[0]!.toUpperCase()}${day.slice(1)} ${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${zone} (${utc})`
}
