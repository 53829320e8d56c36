import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { checkAll } from '../../src/health/check-all.js'
import { systemClock } from '../../src/runtime/clock.js'
import { RecordingLogger } from '../../src/runtime/logger.js'
import { startHealthServer, type HealthServer } from '../../simulator/health/index.js'
import { httpCheck, quickPolicy } from './support/checks.js'

describe('checkAll', () => {
  let server: HealthServer
  beforeAll(async () => {
    server = await startHealthServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it('probes 20 endpoints at once, so they take about as long as one', async () => {
    // Each check alone needs at least 3 × 150 ms of slow answers plus a 200 ms soak.
    const checks = Array.from({ length: 20 }, (_, i) => {
      const path = `/svc-${i}`
      server.route(path, i === 7 ? { kind: 'status', code: 404 } : { kind: 'slow', delayMs: 150 })
      return httpCheck(`${server.url}${path}`, { name: `svc-${i}` })
    })
    const logger = new RecordingLogger()
    const started = Date.now()
    const results = await checkAll(checks, quickPolicy({ soakMs: 200, deadlineMs: 5000 }), {
      logger,
      clock: systemClock
    })
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(350)
    // Sequentially this would take over 10 s.
    expect(elapsed).toBeLessThan(3000)
    expect(results.map((r) => r.name)).toEqual(checks.map((c) => c.name))
    expect(results.filter((r) => r.healthy)).toHaveLength(19)
    expect(results[7]).toMatchObject({ healthy: false, attempts: 1 })
    expect(logger.text).toContain('health check "svc-19": attempt 1: 200')
  })

  it('applies a per-check policy when given a function', async () => {
    server.route('/one', { kind: 'up' })
    server.route('/three', { kind: 'up' })
    const results = await checkAll(
      [httpCheck(`${server.url}/one`, { name: 'one' }), httpCheck(`${server.url}/three`, { name: 'three' })],
      (check) => quickPolicy({ consecutiveSuccesses: check.name === 'one' ? 1 : 3, soakMs: 50 }),
      { logger: new RecordingLogger(), clock: systemClock }
    )
    expect(results.map((r) => r.attempts)).toEqual([1, 3])
  })
})
