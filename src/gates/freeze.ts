import { z } from 'zod'
import { defineGate } from './gate-context.js'
import type { Evidence } from './gate-definition.js'
import {
  describeInstant,
  evaluateWindow,
  isTimeZone,
  parseLocal,
  WEEKDAYS,
  type FreezeWindow,
  type Weekday
} from './freeze-windows.js'

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/
const DAY_TIME = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+([01]\d|2[0-3]):([0-5]\d)$/i

const timeOfDay = z.string().regex(TIME, { error: 'a 24-hour time such as 08:00 or 16:30' })
const dayAndTime = z.string().regex(DAY_TIME, { error: 'a weekday and 24-hour time such as "fri 16:00"' })
const localDateTime = z.string().refine((text) => parseLocal(text) !== undefined, {
  error: 'a local date (2025-12-22) or date and time (2025-12-22T18:00)'
})
const weekday = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase().slice(0, 3) : v),
  z.enum(WEEKDAYS)
)

export const freezeWindow = z
  .strictObject({
    name: z.string().min(1).optional().describe('Shown in the report. Default: a description of the window.'),
    'time-zone': z
      .string()
      .refine(isTimeZone, { error: 'an IANA time zone such as Europe/Berlin, America/New_York or UTC' })
      .default('UTC')
      .describe('The IANA time zone the times are in; windows follow its daylight saving time.'),
    weekly: z
      .strictObject({ from: dayAndTime, to: dayAndTime })
      .refine(
        (w) =>
          w.from.toLowerCase().slice(0, 3) + w.from.slice(-5) !==
          w.to.toLowerCase().slice(0, 3) + w.to.slice(-5),
        {
          error: 'from and to must differ'
        }
      )
      .optional()
      .describe(
        'Every week from one weekday and time to another: { from: "fri 16:00", to: "mon 08:00" }. May wrap around the week.'
      ),
    daily: z
      .strictObject({
        from: timeOfDay,
        to: timeOfDay,
        days: z
          .array(weekday)
          .min(1)
          .default([...WEEKDAYS])
          .describe('The days on which the window starts. Default: every day.')
      })
      .optional()
      .describe(
        'Every day (or the listed days) from one time to another: { from: "22:00", to: "06:00" } runs overnight.'
      ),
    dates: z
      .strictObject({ from: localDateTime, to: localDateTime })
      .refine((d) => (parseLocal(d.from) ?? 0) <= (parseLocal(d.to) ?? 0), { error: 'from on or before to' })
      .optional()
      .describe(
        'A one-off range of local dates or date-times: { from: "2025-12-22", to: "2026-01-02" } (a date alone as to includes that day).'
      )
  })
  .refine((w) => [w.weekly, w.daily, w.dates].filter((x) => x !== undefined).length === 1, {
    error: 'exactly one of weekly, daily or dates'
  })

export const freezeSettings = z.strictObject({
  windows: z
    .array(freezeWindow)
    .min(1)
    .describe('The freeze windows; promotion is denied inside any of them.'),
  'allow-override': z
    .boolean()
    .default(true)
    .describe(
      'Whether the freeze-override input (a reason, recorded in the report) may promote inside a window.'
    )
})

type FreezeWindowSettings = z.infer<typeof freezeWindow>

export function toFreezeWindow(w: FreezeWindowSettings): FreezeWindow {
  const minute = (t: string) => Number(t.slice(-5, -3)) * 60 + Number(t.slice(-2))
  const day = (t: string) => t.toLowerCase().slice(0, 3) as Weekday
  if (w.weekly)
    return {
      kind: 'weekly',
      name: w.name ?? `weekly ${w.weekly.from} - ${w.weekly.to} ${w['time-zone']}`,
      timezone: w['time-zone'],
      from: { day: day(w.weekly.from), minute: minute(w.weekly.from) },
      to: { day: day(w.weekly.to), minute: minute(w.weekly.to) }
    }
  if (w.daily)
    return {
      kind: 'daily',
      name: w.name ?? `daily ${w.daily.from} - ${w.daily.to} ${w['time-zone']}`,
      timezone: w['time-zone'],
      from: minute(w.daily.from),
      to: minute(w.daily.to),
      days: w.daily.days
    }
  return {
    kind: 'dates',
    name: w.name ?? `${w.dates!.from} - ${w.dates!.to} ${w['time-zone']}`,
    timezone: w['time-zone'],
    from: w.dates!.from,
    to: w.dates!.to
  }
}

export const freeze = defineGate({
  name: 'freeze',
  description:
    'Denies promotion inside freeze windows: weekly recurrences ("fri 16:00" to "mon 08:00"), daily ones ("22:00" to "06:00" on chosen days) and date ranges, each in an IANA time zone (daylight saving time respected). The freeze-override input, a reason, lets a promotion through; the reason is recorded in the summary and the check run.',
  settings: freezeSettings,
  async run(settings, context) {
    const now = context.clock.now()
    const states = settings.windows.map((w) => evaluateWindow(toFreezeWindow(w), now))
    const active = states.filter((s) => s.active)
    const evidence: Evidence[] = states.map((s) => ({
      label: s.window.name,
      value: s.active
        ? `frozen until ${describeInstant(s.boundary!, s.window.timezone)}`
        : s.boundary !== undefined
          ? `open; next freeze ${describeInstant(s.boundary, s.window.timezone)}`
          : 'open; over'
    }))
    if (active.length === 0)
      return {
        status: 'passed',
        summary: `outside every freeze window (${settings.windows.length} checked)`,
        evidence
      }
    const until = Math.max(...active.map((s) => s.boundary ?? now))
    const which = active
      .map((s) => `"${s.window.name}" until ${describeInstant(s.boundary!, s.window.timezone)}`)
      .join(', ')
    const override = context.freezeOverride
    if (override && settings['allow-override']) {
      const by = context.workflow.actor ? ` by @${context.workflow.actor}` : ''
      const note = `freeze overridden${by}: "${override}"`
      return {
        status: 'passed',
        summary: `inside freeze window ${which}; ${note}`,
        evidence: [...evidence, { label: 'override', value: `${override}${by ? ` (${by.slice(4)})` : ''}` }],
        warnings: [`Promoting inside freeze window ${which}; ${note}`]
      }
    }
    const hint = override
      ? ' The freeze-override input was given, but this gate sets allow-override: false.'
      : ' To promote anyway, give the freeze-override input a reason; it is recorded in the report.'
    return {
      status: 'failed',
      summary: `inside freeze window ${which}; promotion is possible again ${new Date(until).toISOString()}.${hint}`,
      evidence
    }
  }
})
