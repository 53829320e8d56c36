import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { freeze } from '../../src/gates/freeze.js'
import { evaluateWindow, instantOf, parseLocal } from '../../src/gates/freeze-windows.js'
import { fixedClock, startGateHarness, type GateHarness } from './support/gate-harness.js'

const WEEKEND_BERLIN = {
  name: 'weekend',
  'time-zone': 'Europe/Berlin',
  weekly: { from: 'fri 16:00', to: 'mon 08:00' }
}

describe('freeze gate', () => {
  let h: GateHarness
  beforeAll(async () => {
    h = await startGateHarness()
  })
  afterAll(async () => {
    await h.close()
  })

  const at = (iso: string, settings: unknown, overrides: { freezeOverride?: string } = {}) =>
    h.run(freeze, settings, { clock: fixedClock(iso), ...overrides })

  it.each([
    ['Friday 15:59 in Berlin (CET, UTC+1)', '2025-03-28T14:59:00Z', 'passed'],
    ['Friday 16:00 in Berlin', '2025-03-28T15:00:00Z', 'failed'],
    ['Sunday 03:30, just after the clocks went forward', '2025-03-30T01:30:00Z', 'failed'],
    ['Monday 07:59 in Berlin, now CEST (UTC+2)', '2025-03-31T05:59:00Z', 'failed'],
    [
      'Monday 08:00 CEST: the window ends by the wall clock, not a fixed offset',
      '2025-03-31T06:00:00Z',
      'passed'
    ],
    ['Monday 08:30 CEST, which a fixed UTC+1 would still call 07:30', '2025-03-31T06:30:00Z', 'passed']
  ])('weekly window across the spring DST change: %s', async (_case, iso, status) => {
    expect((await at(iso, { windows: [WEEKEND_BERLIN] })).status).toBe(status)
  })

  it('says until when the freeze lasts, in local time and UTC, across the DST change', async () => {
    const result = await at('2025-03-28T15:00:00Z', { windows: [WEEKEND_BERLIN] })
    expect(result.summary).toContain(
      'inside freeze window "weekend" until Mon 2025-03-31 08:00 Europe/Berlin (2025-03-31T06:00Z)'
    )
    expect(result.summary).toContain('give the freeze-override input a reason')
    expect(result.evidence).toEqual([
      { label: 'weekend', value: 'frozen until Mon 2025-03-31 08:00 Europe/Berlin (2025-03-31T06:00Z)' }
    ])
  })

  it('names the next freeze when outside every window', async () => {
    const result = await at('2025-03-26T12:00:00Z', { windows: [WEEKEND_BERLIN] })
    expect(result).toMatchObject({ status: 'passed', summary: 'outside every freeze window (1 checked)' })
    expect(result.evidence[0]!.value).toBe(
      'open; next freeze Fri 2025-03-28 16:00 Europe/Berlin (2025-03-28T15:00Z)'
    )
  })

  it('judges one instant by each window’s own time zone', async () => {
    const nightly = (zone: string) => ({
      windows: [{ 'time-zone': zone, daily: { from: '22:00', to: '06:00' } }]
    })
    // 14:00 UTC is 23:00 in Tokyo and 10:00 in New York.
    expect((await at('2025-06-02T14:00:00Z', nightly('Asia/Tokyo'))).status).toBe('failed')
    expect((await at('2025-06-02T14:00:00Z', nightly('America/New_York'))).status).toBe('passed')
    expect((await at('2025-06-02T14:00:00Z', nightly('UTC'))).status).toBe('passed')
  })

  it('an overnight daily window ends by the local clock on the autumn DST change (New York)', async () => {
    const settings = {
      windows: [
        {
          name: 'nightly',
          'time-zone': 'America/New_York',
          daily: { from: '22:00', to: '06:00', days: ['sat'] }
        }
      ]
    }
    // Sunday 2025-11-02 05:30 EST (the clocks went back at 02:00 EDT): still frozen, until 06:00 EST = 11:00 UTC.
    const result = await at('2025-11-02T10:30:00Z', settings)
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('until Sun 2025-11-02 06:00 America/New_York (2025-11-02T11:00Z)')
    expect((await at('2025-11-02T11:00:00Z', settings)).status).toBe('passed')
    // The window starts only on Saturdays: Sunday night is open.
    expect((await at('2025-11-03T04:00:00Z', settings)).status).toBe('passed')
  })

  it('a date range includes the whole last day in its time zone', async () => {
    const settings = {
      windows: [
        { name: 'holidays', 'time-zone': 'Europe/Berlin', dates: { from: '2025-12-22', to: '2026-01-02' } }
      ]
    }
    expect((await at('2025-12-21T22:59:00Z', settings)).status).toBe('passed')
    expect((await at('2025-12-21T23:00:00Z', settings)).status).toBe('failed')
    expect((await at('2026-01-02T22:59:00Z', settings)).status).toBe('failed')
    expect((await at('2026-01-02T23:00:00Z', settings)).status).toBe('passed')
    expect((await at('2026-02-01T00:00:00Z', settings)).evidence[0]!.value).toBe('open; over')
  })

  it('a weekly window may wrap around the end of the week', async () => {
    const settings = { windows: [{ 'time-zone': 'UTC', weekly: { from: 'sun 22:00', to: 'mon 02:00' } }] }
    expect((await at('2025-06-01T23:00:00Z', settings)).status).toBe('failed') // Sunday
    expect((await at('2025-06-02T01:59:00Z', settings)).status).toBe('failed') // Monday
    expect((await at('2025-06-02T02:00:00Z', settings)).status).toBe('passed')
  })

  it('lets an override with a reason through, recording who and why', async () => {
    const result = await at(
      '2025-03-29T12:00:00Z',
      { windows: [WEEKEND_BERLIN] },
      { freezeOverride: 'hotfix for incident 4711' }
    )
    expect(result.status).toBe('passed')
    expect(result.summary).toContain('freeze overridden by @octocat: "hotfix for incident 4711"')
    expect(result.evidence).toContainEqual({
      label: 'override',
      value: 'hotfix for incident 4711 (@octocat)'
    })
    expect(result.warnings?.[0]).toContain('Promoting inside freeze window "weekend"')
  })

  it('refuses the override when the gate disallows it', async () => {
    const result = await at(
      '2025-03-29T12:00:00Z',
      { windows: [WEEKEND_BERLIN], 'allow-override': false },
      { freezeOverride: 'hotfix for incident 4711' }
    )
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('this gate sets allow-override: false')
  })

  it('rejects windows that cannot be evaluated, naming what is expected', () => {
    const messages = (settings: unknown) =>
      freeze.settings.safeParse(settings).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(
      messages({
        windows: [{ 'time-zone': 'Mars/Olympus_Mons', weekly: { from: 'fri 16:00', to: 'mon 08:00' } }]
      })
    ).toEqual(['windows.0.time-zone: an IANA time zone such as Europe/Berlin, America/New_York or UTC'])
    expect(messages({ windows: [{ daily: { from: '25:00', to: '06:00' } }] })).toEqual([
      'windows.0.daily.from: a 24-hour time such as 08:00 or 16:30'
    ])
    expect(
      messages({
        windows: [
          { weekly: { from: 'fri 16:00', to: 'mon 08:00' }, dates: { from: '2025-01-01', to: '2025-01-02' } }
        ]
      })
    ).toEqual(['windows.0: exactly one of weekly, daily or dates'])
    expect(messages({ windows: [{ dates: { from: '2025-02-30', to: '2025-03-01' } }] })).toEqual([
      'windows.0.dates.from: a local date (2025-12-22) or date and time (2025-12-22T18:00)'
    ])
  })

  it('reads a local time skipped by DST with the later offset, and a repeated one as its first occurrence', () => {
    // 02:30 does not exist in Berlin on 2025-03-30.
    const instant = instantOf(parseLocal('2025-03-30T02:30')!, 'Europe/Berlin')
    expect(new Date(instant).toISOString()).toBe('2025-03-30T01:30:00.000Z')
    // 01:30 happens twice in New York on 2025-11-02 (EDT, then EST).
    expect(new Date(instantOf(parseLocal('2025-11-02T01:30')!, 'America/New_York')).toISOString()).toBe(
      '2025-11-02T05:30:00.000Z'
    )
    expect(
      evaluateWindow(
        { kind: 'dates', name: 'x', timezone: 'UTC', from: '2025-01-01', to: '2025-01-01' },
        Date.parse('2025-01-01T12:00:00Z')
      ).active
    ).toBe(true)
  })
})
