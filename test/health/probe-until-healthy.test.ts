import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { systemClock } from '../../src/runtime/clock.js'
import { defaultProbePolicy } from '../../src/health/http-check.js'
import { probeUntilHealthy } from '../../src/health/probe-until-healthy.js'
import { RecordingLogger } from '../../src/runtime/logger.js'
import { startHealthServer, unusedPortUrl, type HealthServer } from '../../simulator/health/index.js'
import { httpCheck, quickPolicy, UnmaskedLogger } from './support/checks.js'
import { FastForwardClock } from '../support/fast-forward-clock.js'

describe('probeUntilHealthy', () => {
  let server: HealthServer
  beforeAll(async () => {
    server = await startHealthServer()
  })
  afterAll(async () => {
    await server.close()
  })
  const run = (path: string, overrides: Parameters<typeof httpCheck>[1] = {}, policy = quickPolicy()) => {
    const logger = new RecordingLogger()
    const result = probeUntilHealthy(httpCheck(`${server.url}${path}`, overrides), policy, {
      logger,
      clock: systemClock
    })
    return { logger, result }
  }

  it('is healthy after N passing probes that span the soak window', async () => {
    server.route('/up', { kind: 'version', version: 'v1' })
    const { result, logger } = run('/up', {}, quickPolicy({ consecutiveSuccesses: 3, soakMs: 200 }))
    const outcome = await result
    expect(outcome).toMatchObject({ healthy: true, cancelled: false, attempts: 3, consecutivePasses: 3 })
    expect(outcome.finalReason).toMatch(/^3 passing probe\(s\) in a row over \d+ ms$/)
    const times = server.requests('/up').map((r) => r.at)
    expect(times).toHaveLength(3)
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(195)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(195)
    expect(outcome.latencies).toHaveLength(3)
    expect(outcome.p50Ms).not.toBeNull()
    expect(outcome.p95Ms!).toBeGreaterThanOrEqual(outcome.p50Ms!)
    expect(logger.messages('info')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^health check "app": attempt 1: 200 in [\d.]+ ms: passed \(1\/3 in a row; next probe in \d+ ms\)$/
        ),
        expect.stringMatching(/^health check "app": attempt 3: 200 in [\d.]+ ms: passed \(3\/3 in a row\)$/),
        expect.stringMatching(/^health check "app": healthy after 3 attempt\(s\)/)
      ])
    )
  })

  it('needs a single pass and no soak when N is 1', async () => {
    server.route('/once', { kind: 'up' })
    const outcome = await run('/once', {}, quickPolicy({ consecutiveSuccesses: 1, soakMs: 10_000 })).result
    expect(outcome).toMatchObject({ healthy: true, attempts: 1 })
    expect(outcome.durationMs).toBeLessThan(1000)
  })

  it('waits out a 503 start-up and then passes', async () => {
    server.route('/warming', { kind: 'down-then-up', downForHits: 3, downStatus: 503 })
    const { result, logger } = run('/warming')
    const outcome = await result
    expect(outcome).toMatchObject({ healthy: true, attempts: 6 })
    expect(outcome.probes.slice(0, 3).map((p) => p.status)).toEqual([503, 503, 503])
    expect(logger.text).toContain('attempt 1: 503 in')
    expect(logger.text).toMatch(/status 503, expected 200-299 \(retrying in \d+ ms\)/)
  })

  it('keeps probing through refused connections until the server comes up', async () => {
    const base = await unusedPortUrl()
    const logger = new RecordingLogger()
    let late: HealthServer | undefined
    const startLate = setTimeout(async () => {
      late = await startHealthServer({ port: Number(new URL(base).port) })
      late.route('/healthz', { kind: 'up' })
    }, 150)
    try {
      const outcome = await probeUntilHealthy(
        httpCheck(`${base}/healthz`),
        quickPolicy({ deadlineMs: 3000 }),
        {
          logger,
          clock: systemClock
        }
      )
      expect(outcome.healthy).toBe(true)
      expect(outcome.probes[0]!.reason).toMatch(/^connection refused/)
      expect(outcome.probes[0]!.status).toBeUndefined()
      // Only probes that got an HTTP answer have a latency worth reporting.
      expect(outcome.latencies).toHaveLength(outcome.probes.filter((p) => p.status !== undefined).length)
      expect(logger.text).toContain('no response in')
    } finally {
      clearTimeout(startLate)
      await late?.close()
    }
  })

  it('is unhealthy at the deadline when a flapping endpoint never passes N times in a row', async () => {
    server.route('/flap', { kind: 'flapping', pattern: [true, true, false] })
    const clock = new FastForwardClock()
    const started = Date.now()
    const outcome = await probeUntilHealthy(httpCheck(`${server.url}/flap`), defaultProbePolicy, {
      logger: new RecordingLogger(),
      clock
    })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(outcome.healthy).toBe(false)
    expect(outcome.attempts).toBeGreaterThan(30)
    expect(outcome.probes.map((p) => p.ok).slice(0, 6)).toEqual([true, true, false, true, true, false])
    expect(outcome.durationMs).toBeGreaterThanOrEqual(300_000 - 10_000)
    expect(outcome.durationMs).toBeLessThanOrEqual(300_000 + 1_000)
    expect(outcome.finalReason).toMatch(/(deadline).*last failure: status 503, expected 200-299$/)
    expect(clock.sleeps.every((ms) => ms <= 5_000)).toBe(true)
  })

  it('ends after one attempt on a 404', async () => {
    const outcome = await run('/nothing-here').result
    expect(outcome).toMatchObject({ healthy: false, attempts: 1 })
    expect(outcome.finalReason).toContain('status 404')
    expect(server.hits('/nothing-here')).toBe(1)
  })

  it('retries a 404 the check marks as a warm-up status', async () => {
    server.route('/ingress', {
      kind: 'sequence',
      steps: [{ kind: 'status', code: 404 }, { kind: 'status', code: 404 }, { kind: 'up' }]
    })
    const outcome = await run('/ingress', { retryableStatuses: [404] }).result
    expect(outcome).toMatchObject({ healthy: true, attempts: 5 })
  })

  it('retries a 503 until the deadline and reports the last failure', async () => {
    server.route('/down', { kind: 'status', code: 503 })
    const outcome = await run('/down', {}, quickPolicy({ deadlineMs: 300 })).result
    expect(outcome.healthy).toBe(false)
    expect(outcome.attempts).toBeGreaterThan(3)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(240)
    expect(outcome.durationMs).toBeLessThan(900)
    expect(outcome.finalReason).toBe(
      'not healthy within the 300 ms deadline; last failure: status 503, expected 200-299'
    )
  })

  it('names the expected and served version while the old version is up, then passes once it changes', async () => {
    let served = 'old'
    server.route('/version', { kind: 'version', version: () => served })
    const check = { expect: { status: [], json: [{ path: 'version', equals: 'abc123' }] } }

    const stale = await run('/version', check, quickPolicy({ deadlineMs: 200 })).result
    expect(stale.healthy).toBe(false)
    expect(stale.finalReason).toContain('last failure: json path version: expected "abc123", got "old"')

    setTimeout(() => (served = 'abc123'), 100)
    const rolled = await run('/version', check, quickPolicy({ deadlineMs: 2000 })).result
    expect(rolled.healthy).toBe(true)
    expect(rolled.probes[0]!.reason).toBe('json path version: expected "abc123", got "old"')
  })

  it('bounds every attempt by the per-attempt timeout', async () => {
    server.route('/slow', { kind: 'slow', delayMs: 1000 })
    const outcome = await run('/slow', { timeoutMs: 80 }, quickPolicy({ deadlineMs: 400 })).result
    expect(outcome.healthy).toBe(false)
    expect(outcome.attempts).toBeGreaterThanOrEqual(2)
    for (const probe of outcome.probes) {
      expect(probe.reason).toMatch(/^timed out after \d+ ms waiting for response headers$/)
      expect(probe.latencyMs).toBeLessThan(300)
    }
    expect(outcome.durationMs).toBeLessThan(1000)
  })

  it('never lets an attempt run past the overall deadline', async () => {
    server.route('/slower', { kind: 'slow', delayMs: 2000 })
    const started = Date.now()
    const outcome = await run('/slower', { timeoutMs: 5000 }, quickPolicy({ deadlineMs: 250 })).result
    expect(Date.now() - started).toBeLessThan(1000)
    expect(outcome.probes[0]!.reason).toMatch(/^timed out after 2[0-5]\d ms waiting for response headers$/)
  })

  it('gives up early when the soak window cannot end before the deadline', async () => {
    server.route('/short', { kind: 'up' })
    const outcome = await run('/short', {}, quickPolicy({ soakMs: 5000, deadlineMs: 500 })).result
    expect(outcome).toMatchObject({ healthy: false, attempts: 1, consecutivePasses: 1 })
    expect(outcome.finalReason).toBe(
      'the 500 ms deadline ends before the 5000 ms soak window could complete (1 of 3 passes in a row)'
    )
  })

  it('never writes secret header values to the log or the result', async () => {
    server.route('/echo', { kind: 'echo-headers' })
    const logger = new UnmaskedLogger()
    const secrets = ['Bearer s3cr3t-t0ken', 'api-key-value-42']
    const outcome = await probeUntilHealthy(
      httpCheck(`${server.url}/echo`, {
        headers: { Authorization: secrets[0]!, 'X-Api-Key': secrets[1]!, 'X-Env': 'staging' },
        secretHeaders: ['authorization', 'x-api-key'],
        // Fails on purpose so the echoed headers end up in reasons and body snippets.
        expect: { status: [], bodyContains: 'never-there' }
      }),
      quickPolicy({ deadlineMs: 150 }),
      { logger, clock: systemClock }
    )
    const sent = server.requests('/echo')[0]!.headers
    expect(sent['authorization']).toBe(secrets[0])
    expect(sent['x-api-key']).toBe(secrets[1])
    expect(outcome.probes[0]!.bodySnippet).toContain('***')
    expect(logger.text).toContain('X-Env: staging')
    const everything = `${logger.text}\n${JSON.stringify(outcome)}`
    for (const secret of secrets) expect(everything).not.toContain(secret)
  })

  it('stops promptly when cancelled during a backoff wait', async () => {
    server.route('/never', { kind: 'status', code: 503 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 150)
    const started = Date.now()
    const outcome = await probeUntilHealthy(
      httpCheck(`${server.url}/never`),
      quickPolicy({ deadlineMs: 60_000 }),
      {
        logger: new RecordingLogger(),
        clock: systemClock,
        signal: controller.signal
      }
    )
    expect(Date.now() - started).toBeLessThan(500)
    expect(outcome).toMatchObject({ healthy: false, cancelled: true })
    expect(outcome.finalReason).toMatch(/^cancelled after \d+ attempt\(s\)$/)
  })

  it('stops promptly when cancelled during a slow request', async () => {
    server.route('/stuck', { kind: 'slow', delayMs: 10_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    const outcome = await probeUntilHealthy(
      httpCheck(`${server.url}/stuck`, { timeoutMs: 10_000 }),
      quickPolicy({ deadlineMs: 60_000 }),
      { logger: new RecordingLogger(), clock: systemClock, signal: controller.signal }
    )
    expect(Date.now() - started).toBeLessThan(500)
    expect(outcome).toMatchObject({ cancelled: true, attempts: 0 })
  })

  it('backs off exponentially up to the cap, with jitter that never exceeds it', async () => {
    server.route('/backoff', { kind: 'status', code: 503 })
    const policy = { ...defaultProbePolicy, deadlineMs: 5_000 }
    const noJitter = new FastForwardClock()
    await probeUntilHealthy(httpCheck(`${server.url}/backoff`), policy, {
      logger: new RecordingLogger(),
      clock: noJitter,
      random: () => 0.999999
    })
    expect(noJitter.sleeps.slice(0, 5)).toEqual([250, 500, 1000, 1000, 1000])

    const jittered = new FastForwardClock()
    await probeUntilHealthy(httpCheck(`${server.url}/backoff`), policy, {
      logger: new RecordingLogger(),
      clock: jittered,
      random: () => 0
    })
    expect(jittered.sleeps.slice(0, 4)).toEqual([125, 250, 500, 500])
  })

  it('notices a recovered endpoint within about a second under the default backoff', async () => {
    server.route('/recover', { kind: 'status', code: 503 })
    let flippedAt = 0
    setTimeout(() => {
      flippedAt = Date.now()
      server.route('/recover', { kind: 'up' })
    }, 1300)
    const outcome = await probeUntilHealthy(
      httpCheck(`${server.url}/recover`),
      { ...defaultProbePolicy, consecutiveSuccesses: 1, deadlineMs: 5000 },
      { logger: new RecordingLogger(), clock: systemClock }
    )
    expect(outcome.healthy).toBe(true)
    const requests = server.requests('/recover')
    const firstAfterFlip = requests.find((r) => r.at >= flippedAt)!
    expect(firstAfterFlip.at - flippedAt).toBeLessThanOrEqual(1250)
  })
})
