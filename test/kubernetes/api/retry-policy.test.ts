import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { describe, expect, it } from '@jest/globals'
import { runInNewContext } from 'node:vm'
import { KubernetesApiError, type ApiCallContext } from '../../../src/kubernetes/api/api-error.js'
import {
  attemptsOf,
  classifyFailure,
  parseRetryAfter,
  withRetries,
  type FailureClass,
  type RetryOptions
} from '../../../src/kubernetes/api/retry-policy.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'

const NOW = Date.parse('2025-03-01T12:00:00Z')
const context: ApiCallContext = {
  verb: 'get',
  resource: 'deployments',
  group: 'apps',
  namespace: 'prod',
  name: 'api'
}

/** A small seeded PRNG (LCG) so jitter is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

/** What client-node throws for an HTTP error answer. */
function apiException(code: number, headers: Record<string, string> = {}, status: object = {}): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    headers,
    body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, ...status })
  })
}

const socketError = (code: string, message = `read ${code}`) => Object.assign(new Error(message), { code })
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause })

describe('classifyFailure', () => {
  const cases: Array<[string, unknown, Partial<FailureClass>]> = [
    [
      '429 with Retry-After in seconds',
      apiException(429, { 'retry-after': '2' }, { reason: 'TooManyRequests' }),
      {
        kind: 'throttled',
        retryAfterMs: 2000,
        applied: 'no',
        status: 429,
        reason: 'HTTP 429 TooManyRequests'
      }
    ],
    [
      '429 with Retry-After as an HTTP date',
      apiException(429, { 'Retry-After': new Date(NOW + 5000).toUTCString() }),
      { kind: 'throttled', retryAfterMs: 5000, applied: 'no' }
    ],
    [
      '429 with a plain-text body and no Retry-After (max-in-flight without the header)',
      Object.assign(new Error('HTTP-Code: 429'), {
        code: 429,
        body: 'Too many requests, please try again later.'
      }),
      { kind: 'throttled', applied: 'no' }
    ],
    [
      '503 with only the Status details.retryAfterSeconds',
      apiException(503, {}, { reason: 'ServiceUnavailable', details: { retryAfterSeconds: 3 } }),
      { kind: 'server', retryAfterMs: 3000, applied: 'maybe', reason: 'HTTP 503 ServiceUnavailable' }
    ],
    [
      'our KubernetesApiError wrapping a 503 with Retry-After',
      KubernetesApiError.from(
        apiException(503, { 'retry-after': '1' }, { reason: 'ServiceUnavailable' }),
        context
      ),
      { kind: 'server', retryAfterMs: 1000, applied: 'maybe', status: 503 }
    ],
    ['500', apiException(500), { kind: 'server', applied: 'maybe' }],
    ['502', apiException(502), { kind: 'server', applied: 'maybe' }],
    ['504', apiException(504), { kind: 'server', applied: 'maybe' }],
    ['a statusCode field', Object.assign(new Error('bad gateway'), { statusCode: 502 }), { kind: 'server' }],
    ['501 Not Implemented', apiException(501), { kind: 'permanent', applied: 'no' }],
    ['408 Request Timeout', apiException(408), { kind: 'timeout', applied: 'maybe' }],
    ...[400, 401, 403, 404, 409, 410, 422].map((code): [string, unknown, Partial<FailureClass>] => [
      `${code}`,
      KubernetesApiError.from(apiException(code), context),
      { kind: 'permanent', applied: 'no', status: code }
    ]),
    [
      'KubernetesApiError code 0 over a reset (what the fault proxy produces)',
      KubernetesApiError.from(socketError('ECONNRESET'), context),
      { kind: 'connection', applied: 'maybe', reason: 'ECONNRESET' }
    ],
    [
      'fetch failed over a refused connection',
      fetchFailed(socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443')),
      { kind: 'connection', applied: 'no', reason: 'ECONNREFUSED' }
    ],
    [
      "undici's SocketError: other side closed",
      Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' }),
      { kind: 'connection', applied: 'maybe' }
    ],
    [
      'EPIPE while writing the request',
      fetchFailed(socketError('EPIPE')),
      { kind: 'connection', applied: 'maybe' }
    ],
    [
      'a connect timeout: never connected',
      fetchFailed(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
      { kind: 'connection', applied: 'no' }
    ],
    [
      'DNS failure',
      fetchFailed(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example')),
      { kind: 'connection', applied: 'no' }
    ],
    [
      'a headers timeout',
      fetchFailed(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
      { kind: 'timeout', applied: 'maybe' }
    ],
    ['ETIMEDOUT', socketError('ETIMEDOUT'), { kind: 'timeout', applied: 'maybe' }],
    [
      'AbortSignal.timeout() (a DOMException whose numeric code is not a status)',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      { kind: 'timeout', applied: 'maybe', reason: 'TimeoutError' }
    ],
    ['an AbortError', new DOMException('This operation was aborted', 'AbortError'), { kind: 'timeout' }],
    [
      "Node's happy-eyeballs AggregateError",
      new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], 'connect failed'),
      { kind: 'connection', applied: 'no' }
    ],
    ['a message only: socket hang up', new Error('socket hang up'), { kind: 'connection', applied: 'maybe' }],
    [
      'a TLS verification failure',
      fetchFailed(socketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')),
      { kind: 'permanent', applied: 'no' }
    ],
    [
      'an error from another realm (Jest VM modules)',
      runInNewContext('Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })'),
      { kind: 'connection', applied: 'maybe' }
    ],
    [
      'a bug of ours',
      new TypeError("Cannot read properties of undefined (reading 'spec')"),
      { kind: 'permanent' }
    ],
    ['a thrown string', 'boom', { kind: 'permanent', reason: 'boom' }]
  ]

  it.each(cases)('%s', (_, error, expected) => {
    expect(classifyFailure(error, NOW)).toMatchObject(expected)
  })

  it('reads no wait and no status where there is none', () => {
    const plainText429 = Object.assign(new Error('HTTP-Code: 429'), { code: 429, body: 'Too many requests' })
    expect(classifyFailure(plainText429, NOW)).not.toHaveProperty('retryAfterMs')
    expect(classifyFailure(new DOMException('timed out', 'TimeoutError'), NOW)).not.toHaveProperty('status')
  })

  it('does not follow a cause cycle forever', () => {
    const a = new Error('a') as Error & { cause?: unknown }
    const b = new Error('b', { cause: a })
    a.cause = b
    expect(classifyFailure(a, NOW).kind).toBe('permanent')
  })
})

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['7', 7000],
    ['1.5', 1500],
    [' 3 ', 3000],
    [new Date(NOW + 2000).toUTCString(), 2000],
    [new Date(NOW - 60_000).toUTCString(), 0],
    ['soon', undefined],
    ['-1', undefined]
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })
})

describe('withRetries', () => {
  /** A call that fails with each of `failures` in turn, then returns 'done'. */
  function failing(...failures: unknown[]) {
    const attempts: number[] = []
    const call = (attempt: number) => {
      attempts.push(attempt)
      const failure = failures[attempt - 1]
      return failure === undefined ? Promise.resolve('done') : Promise.reject(failure)
    }
    return { call, attempts }
  }

  function options(
    overrides: Partial<RetryOptions> = {}
  ): RetryOptions & { clock: FastForwardClock; logger: RecordingLogger } {
    return {
      idempotent: true,
      clock: new FastForwardClock({ now: NOW }),
      logger: new RecordingLogger(),
      describe: 'get deployments.apps "api" in prod',
      random: seeded(7),
      ...overrides
    } as RetryOptions & { clock: FastForwardClock; logger: RecordingLogger }
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => {
        throw new Error('expected a rejection')
      },
      (error: unknown) => error
    )
  }

  it('returns the result once a retried call succeeds', async () => {
    const { call, attempts } = failing(apiException(503), fetchFailed(socketError('ECONNRESET')))
    const opts = options()
    await expect(withRetries(call, opts)).resolves.toBe('done')
    expect(attempts).toEqual([1, 2, 3])
    expect(opts.clock.sleeps).toHaveLength(2)
  })

  it.each([
    ['Retry-After seconds', apiException(429, { 'retry-after': '2' }), 2000],
    [
      'Retry-After as an HTTP date',
      apiException(503, { 'retry-after': new Date(NOW + 4000).toUTCString() }),
      4000
    ],
    ['Retry-After 0', apiException(429, { 'retry-after': '0' }), 0],
    ['a Retry-After above the cap', apiException(429, { 'retry-after': '120' }), 10_000]
  ])('waits as the server asked: %s', async (_, failure, wait) => {
    const opts = options()
    await withRetries(failing(failure).call, opts)
    expect(opts.clock.sleeps).toEqual([wait])
  })

  it('caps Retry-After at maxRetryAfterMs', async () => {
    const opts = options({ maxRetryAfterMs: 1500 })
    await withRetries(failing(apiException(429, { 'retry-after': '5' })).call, opts)
    expect(opts.clock.sleeps).toEqual([1500])
  })

  it.each([
    ['always the floor', () => 0, [250, 500, 1000, 2000, 4000, 4000, 4000]],
    ['always the ceiling', () => 0.999999, [500, 1000, 2000, 4000, 8000, 8000, 8000]]
  ])('backs off exponentially with equal jitter, up to maxDelayMs: %s', async (_, random, expected) => {
    const opts = options({ random, maxTotalWaitMs: 60_000 })
    await withRetries(failing(...Array.from({ length: 7 }, () => apiException(500))).call, opts)
    expect(opts.clock.sleeps).toEqual(expected)
  })

  it('keeps every jittered wait between half the ceiling and the ceiling', async () => {
    const opts = options({ random: seeded(42), maxAttempts: 10, maxTotalWaitMs: 60_000 })
    await withRetries(failing(...Array.from({ length: 9 }, () => socketError('ECONNRESET'))).call, opts)
    const ceilings = [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000]
    expect(opts.clock.sleeps).toHaveLength(9)
    opts.clock.sleeps.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(ceilings[i]! / 2)
      expect(wait).toBeLessThanOrEqual(ceilings[i]!)
    })
    expect(new Set(opts.clock.sleeps.slice(4)).size).toBeGreaterThan(1)
  })

  it('gives up with the last error, carrying the attempt count, when the attempts run out', async () => {
    const failures = Array.from({ length: 6 }, () => KubernetesApiError.from(apiException(503), context))
    const { call, attempts } = failing(...failures)
    const opts = options({ maxAttempts: 4 })

    const error = await rejection(withRetries(call, opts))

    expect(attempts).toEqual([1, 2, 3, 4])
    expect(opts.clock.sleeps).toHaveLength(3)
    expect(error).toBe(failures[3])
    expect(error).toBeInstanceOf(KubernetesApiError)
    expect((error as KubernetesApiError).code).toBe(503)
    expect(attemptsOf(error)).toBe(4)
    expect(opts.logger.messages('debug').at(-1)).toBe(
      'not retrying get deployments.apps "api" in prod (4 attempts made): HTTP 503 ServiceUnavailable'
    )
  })

  it('makes 10 attempts by default', async () => {
    const { call, attempts } = failing(
      ...Array.from({ length: 12 }, () => apiException(429, { 'retry-after': '1' }))
    )
    const error = await rejection(withRetries(call, options()))
    expect(attempts).toHaveLength(10)
    expect(attemptsOf(error)).toBe(10)
  })

  it('stops before a wait that would pass the total wait budget', async () => {
    const { call, attempts } = failing(
      ...Array.from({ length: 10 }, () => apiException(429, { 'retry-after': '4' }))
    )
    const opts = options({ maxTotalWaitMs: 10_000 })

    const error = await rejection(withRetries(call, opts))

    expect(opts.clock.sleeps).toEqual([4000, 4000])
    expect(attempts).toHaveLength(3)
    expect(attemptsOf(error)).toBe(3)
    expect(opts.logger.messages('debug').at(-1)).toContain('would pass the 10 s retry budget')
  })

  it.each([
    ['a 503', apiException(503)],
    ['a 429 with Retry-After', apiException(429, { 'retry-after': '1' })],
    ['a reset', fetchFailed(socketError('ECONNRESET'))],
    ['a timeout', new DOMException('timed out', 'TimeoutError')]
  ])('never retries a call that is not idempotent: %s', async (_, failure) => {
    const { call, attempts } = failing(failure)
    const opts = options({ idempotent: false })

    const error = await rejection(withRetries(call, opts))

    expect(error).toBe(failure)
    expect(attempts).toEqual([1])
    expect(opts.clock.sleeps).toEqual([])
    expect(attemptsOf(error)).toBe(1)
    expect(opts.logger.messages('debug')[0]).toMatch(
      /^not retrying get deployments\.apps "api" in prod \(not idempotent/
    )
  })

  it.each([400, 401, 403, 404, 409, 410, 422])(
    'never retries a permanent %i, and keeps its type and code',
    async (code) => {
      const failure = KubernetesApiError.from(apiException(code), context)
      const { call, attempts } = failing(failure)

      const error = await rejection(withRetries(call, options()))

      expect(attempts).toEqual([1])
      expect(error).toBe(failure)
      expect(error).toBeInstanceOf(KubernetesApiError)
      expect((error as KubernetesApiError).code).toBe(code)
      expect(attemptsOf(error)).toBe(1)
    }
  )

  it('keeps the attempt count out of the error’s enumerable fields', async () => {
    const failure = apiException(404)
    const error = await rejection(withRetries(failing(failure).call, options()))
    expect(Object.keys(error as object)).not.toContain('attempts')
  })

  it('rejects with the abort reason without calling when the signal is already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('received SIGTERM')
    controller.abort(reason)
    const { call, attempts } = failing()

    await expect(withRetries(call, options({ signal: controller.signal }))).rejects.toBe(reason)
    expect(attempts).toEqual([])
  })

  it('stops waiting and rejects with the abort reason when aborted during a wait', async () => {
    const controller = new AbortController()
    const reason = new Error('received SIGINT')
    const opts = options({ signal: controller.signal })
    opts.clock.onSleep = () => controller.abort(reason)
    const { call, attempts } = failing(apiException(503), apiException(503))

    await expect(withRetries(call, opts)).rejects.toBe(reason)
    expect(attempts).toEqual([1])
  })

  it('does not retry a call that failed because the signal aborted it', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled')
    let calls = 0
    const call = () => {
      calls++
      controller.abort(reason)
      return Promise.reject(new DOMException('This operation was aborted', 'AbortError'))
    }
    await expect(withRetries(call, options({ signal: controller.signal }))).rejects.toBe(reason)
    expect(calls).toBe(1)
  })

  it('logs each retry at debug level, naming the call and the reason', async () => {
    const opts = options({ random: () => 0 })
    await withRetries(
      failing(
        apiException(429, { 'retry-after': '2' }, { reason: 'TooManyRequests' }),
        fetchFailed(socketError('ECONNRESET'))
      ).call,
      opts
    )
    expect(opts.logger.messages('debug')).toEqual([
      'retrying get deployments.apps "api" in prod in 2 s (attempt 2 of 10): throttled failure, HTTP 429 TooManyRequests, Retry-After 2 s',
      'retrying get deployments.apps "api" in prod in 0.5 s (attempt 3 of 10): connection failure, ECONNRESET'
    ])
    expect(opts.logger.messages('info')).toEqual([])
  })
})
