import type { Logger } from '../runtime/logger.js'
import type { Clock } from '../runtime/clock.js'
import type { HttpCheck, ProbePolicy } from './http-check.js'
import { probeOnce, timedOutPrefix, type ProbeAttempt } from './http-probe.js'
import { percentile } from './percentiles.js'
import { displayUrl, secretValues } from './redact.js'

export interface HealthCheckResult {
  name: string
  /** The check's URL with any user-info password replaced by ***. */
  url: string
  healthy: boolean
  /** Ended by the caller's AbortSignal rather than by passing, failing or the deadline. */
  cancelled: boolean
  attempts: number
  /** Passing probes in a row at the end. */
  consecutivePasses: number
  finalReason: string
  /** Latency of every probe that got an HTTP response, in probe order. */
  latencies: number[]
  p50Ms: number | null
  p95Ms: number | null
  durationMs: number
  probes: ProbeAttempt[]
}

export interface ProbeUntilHealthyDeps {
  logger: Logger
  clock: Clock
  /** In [0, 1); drives the backoff jitter. Math.random by default. */
  random?: () => number
  signal?: AbortSignal
}

/**
 * Probes `check` until `policy.consecutiveSuccesses` passing probes in a row span
 * `policy.soakMs`, a non-retryable failure occurs, the deadline passes, or `signal` aborts.
 *
 * Passing probes are scheduled from when the first pass of the run completed (pass k + 1 starts
 * at that moment + k * interval), so the passes the endpoint answered span at least the soak
 * window however long each probe takes. After a failure the wait is
 * initialMs * factor^(failures in a row - 1), capped at maxMs, times a jitter in [0.5, 1]
 * ("equal jitter": spreads parallel checkers without ever exceeding the cap).
 */
export async function probeUntilHealthy(
  check: HttpCheck,
  policy: ProbePolicy,
  deps: ProbeUntilHealthyDeps
): Promise<HealthCheckResult> {
  const { logger, clock, signal } = deps
  const random = deps.random ?? Math.random
  const url = displayUrl(check.url)
  const needed = Math.max(1, Math.floor(policy.consecutiveSuccesses))
  const interval = needed > 1 ? policy.soakMs / (needed - 1) : 0
  const start = clock.now()
  const deadline = start + policy.deadlineMs
  const probes: ProbeAttempt[] = []
  let consecutive = 0
  let failuresInRow = 0
  let firstPassAt = 0
  let lastFailure: string | undefined
  const label = `health check ${JSON.stringify(check.name)}`

  // Defence in depth: the caller masks these too, but a log line must never depend on it.
  for (const secret of secretValues(check)) logger.mask(secret)
  const secretNames = new Set(check.secretHeaders.map((n) => n.toLowerCase()))
  const headerList = Object.entries(check.headers)
    .map(([name, value]) => `${name}: ${secretNames.has(name.toLowerCase()) ? '***' : value}`)
    .join(', ')
  logger.info(
    `${label}: ${check.method} ${url} until ${needed} passing probe(s) in a row` +
      (needed > 1 ? ` spanning ${policy.soakMs} ms` : '') +
      ` (deadline ${policy.deadlineMs} ms, ${check.timeoutMs} ms per attempt)`
  )
  if (headerList) logger.debug(`${label}: request headers ${headerList}`)

  const end = (healthy: boolean, finalReason: string, cancelled = false): HealthCheckResult => {
    const latencies = probes.filter((p) => p.status !== undefined).map((p) => p.latencyMs)
    const result: HealthCheckResult = {
      name: check.name,
      url,
      healthy,
      cancelled,
      attempts: probes.length,
      consecutivePasses: consecutive,
      finalReason,
      latencies,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      durationMs: clock.now() - start,
      probes
    }
    const latency = result.p50Ms === null ? '' : `, latency p50 ${result.p50Ms} ms p95 ${result.p95Ms} ms`
    logger.info(
      `${label}: ${cancelled ? 'cancelled' : healthy ? 'healthy' : 'NOT healthy'} after ${probes.length} attempt(s) ` +
        `in ${result.durationMs} ms${latency}: ${finalReason}`
    )
    return result
  }
  const cancelledResult = (): HealthCheckResult =>
    end(false, `cancelled after ${probes.length} attempt(s)`, true)
  const deadlineReason = (): string =>
    `not healthy within the ${policy.deadlineMs} ms deadline` +
    (consecutive > 0 ? ` (${consecutive} of ${needed} passes in a row)` : '') +
    (lastFailure ? `; last failure: ${lastFailure}` : '')

  try {
    for (;;) {
      if (signal?.aborted) return cancelledResult()
      const remaining = deadline - clock.now()
      if (remaining <= 0) return end(false, deadlineReason())

      // The last attempt may not run past the deadline.
      const timeoutMs = Math.min(check.timeoutMs, remaining)
      const attempt = await probeOnce({ ...check, timeoutMs }, { signal })
      if (signal?.aborted) return cancelledResult()
      probes.push(attempt)
      const n = probes.length
      const outcome = `${label}: attempt ${n}: ${attempt.status ?? 'no response'} in ${attempt.latencyMs} ms`

      if (attempt.ok) {
        const passedAt = clock.now()
        if (consecutive === 0) firstPassAt = passedAt
        consecutive++
        failuresInRow = 0
        if (consecutive >= needed) {
          logger.info(`${outcome}: passed (${consecutive}/${needed} in a row)`)
          const span = needed > 1 ? ` over ${passedAt - firstPassAt} ms` : ''
          return end(true, `${needed} passing probe(s) in a row${span}`)
        }
        const nextAt = firstPassAt + consecutive * interval
        if (nextAt > deadline) {
          logger.info(`${outcome}: passed (${consecutive}/${needed} in a row)`)
          return end(
            false,
            `the ${policy.deadlineMs} ms deadline ends before the ${policy.soakMs} ms soak window could complete ` +
              `(${consecutive} of ${needed} passes in a row)` +
              (lastFailure ? `; last failure: ${lastFailure}` : '')
          )
        }
        const wait = Math.max(0, Math.round(nextAt - clock.now()))
        logger.info(`${outcome}: passed (${consecutive}/${needed} in a row; next probe in ${wait} ms)`)
        await clock.sleep(wait, signal)
        continue
      }

      consecutive = 0
      // A timeout the deadline imposed says nothing about the endpoint; the failure before it does.
      const cutByDeadline = timeoutMs < check.timeoutMs && attempt.reason.startsWith(timedOutPrefix)
      if (!cutByDeadline || lastFailure === undefined) lastFailure = attempt.reason
      if (!attempt.retryable) {
        logger.info(`${outcome}: ${attempt.reason} (not retryable)`)
        return end(false, attempt.reason)
      }
      failuresInRow++
      const { initialMs, maxMs, factor } = policy.backoff
      const backoff =
        Math.min(maxMs, initialMs * Math.pow(factor, failuresInRow - 1)) * (0.5 + 0.5 * random())
      const wait = Math.max(0, Math.round(backoff))
      if (clock.now() + wait >= deadline) {
        // The next probe could not start before the deadline: say so now rather than wait for it.
        logger.info(`${outcome}: ${attempt.reason} (no time left for another attempt)`)
        return end(false, deadlineReason())
      }
      logger.info(`${outcome}: ${attempt.reason} (retrying in ${wait} ms)`)
      await clock.sleep(wait, signal)
    }
  } catch (error) {
    if (signal?.aborted) return cancelledResult()
    throw error
  }
}
