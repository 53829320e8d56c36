/**
 * When to retry a Kubernetes API call, and how long to wait first.
 *
 * What client-go does (k8s.io/client-go rest/request.go, rest/with_retry.go;
 * k8s.io/apimachinery util/wait, util/net; client-go util/retry, tools/cache/reflector.go):
 * - Retry-After: `checkWait` retries a response only when it is 429 or any status >= 500 AND
 *   carries a `Retry-After` header in whole seconds (`strconv.Atoi`; the HTTP-date form is
 *   not read). A 5xx without the header is returned to the caller, not retried. It sleeps
 *   exactly the given seconds (no cap, no jitter). This applies to every verb, writes included:
 *   the server asked to be asked again.
 * - Attempts: `maxRetries` defaults to 10 (`Request.MaxRetries`), i.e. up to 11 attempts.
 *   A request whose body is a stream (not bytes) is never retried.
 * - Transport errors in `Do`/`DoRaw` (`isErrRetryableFunc`): only for GET, and only when
 *   `net.IsConnectionReset` or `net.IsProbableEOF` holds (io.EOF, unexpected EOF,
 *   "connection reset by peer", "use of closed network connection", "http2: server sent
 *   GOAWAY", "can't write HTTP request on broken connection"). "Write operations are not
 *   automatically retried, as they are not idempotent." Such an error is treated as an
 *   artificial 500 with `Retry-After: 1`: a fixed one-second wait.
 * - Watches retry on `IsProbableEOF` or `IsTimeout` whatever the method (a watch is a read).
 * - kube-apiserver's max-in-flight and Priority-and-Fairness filters reject with 429 and
 *   `Retry-After: 1` before the request is handled, with a plain-text body (not a Status).
 * - Backoff shapes: `wait.Jitter(d, f)` = d + rand·f·d, i.e. never shorter than d and up to
 *   (1+f)·d. `retry.DefaultRetry` = {10 ms, ×1, jitter 0.1, 5 steps}; `retry.DefaultBackoff`
 *   (for conflicts) = {10 ms, ×5, jitter 0.1, 4 steps}. The reflector (list/watch restarts)
 *   uses 800 ms initial, ×2, cap 30 s, jitter 1.0 (waits in [d, 2d)), reset after 2 min quiet.
 *   client-go thus never uses "full" jitter (0..d): its waits have a fixed floor plus a random
 *   part, which is what "equal" jitter (d/2 + rand·d/2) does, so equal jitter is used here.
 *
 * Where this policy differs, and why:
 * - It retries 5xx without Retry-After too, and connection failures and timeouts for any
 *   call the caller marks idempotent (reads, dry runs, server-side applies of the same
 *   document, writes guarded by resourceVersion), with backoff: a promotion must survive a
 *   flaky network, and these calls are safe to repeat.
 * - A call not marked idempotent is never retried, not even on 429 (client-go would retry a
 *   throttled write): the caller re-reads and decides, because a lost answer and a lost
 *   request look the same from here.
 * - Retry-After is capped (default 10 s) and the HTTP-date form is read; the total wait is
 *   bounded (default 30 s) so a dead cluster fails a step in seconds, not minutes.
 *
 * Errors are judged by shape, never `instanceof`: under Jest's VM modules (and across
 * client-node's bundled undici) errors come from other realms.
 */
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'

export type FailureKind = 'throttled' | 'server' | 'connection' | 'timeout' | 'permanent'

export interface FailureClass {
  kind: FailureKind
  /** The wait the server asked for (`Retry-After`, or a Status body's `details.retryAfterSeconds`). */
  retryAfterMs?: number
  /**
   * Could the server have applied the request? `no` only when that is certain: the server
   * refused it (429, 4xx) or no connection was ever made. A reset (ECONNRESET, "other side
   * closed") reads the same whether the connection died before the request left, in flight,
   * or after the server applied it and before the answer arrived, so it is `maybe`.
   */
  applied: 'no' | 'maybe'
  /** The HTTP status, when a response arrived. */
  status?: number
  /** What happened, for logs: `HTTP 503 ServiceUnavailable`, `ECONNRESET`, `TimeoutError`. */
  reason: string
}

/** Socket errors that mean no connection was ever established: the request was never sent. */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** The connection broke after it was made: the request may have been sent, and applied. */
const DROPPED = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION'
])

/** No answer in time: the request may still be running on the server. */
const TIMED_OUT = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'ABORT_ERR'
])

/** TLS verification failures are configuration, not weather: retrying cannot fix them. */
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/

/** Messages that carry no code: undici's SocketError text, Node http's, a truncated fetch body. */
const DROPPED_MESSAGE = /other side closed|socket hang up|terminated|ECONNRESET|EPIPE/i

/**
 * Sorts a failed call into what may be retried and how. `now` (ms since the epoch) turns a
 * Retry-After date into a wait; pass the Clock's reading.
 */
export function classifyFailure(error: unknown, now: number = Date.now()): FailureClass {
  const links = causeChain(error)

  const responded = links.find((link) => httpStatusOf(link) !== undefined)
  if (responded) {
    const status = httpStatusOf(responded)!
    const retryAfterMs = retryAfterOf(links, now)
    const reasonText = statusReasonOf(links)
    const reason = `HTTP ${status}${reasonText ? ` ${reasonText}` : ''}`
    const withWait = retryAfterMs !== undefined ? { retryAfterMs } : {}
    if (status === 429) return { kind: 'throttled', applied: 'no', status, reason, ...withWait }
    if (status === 408) return { kind: 'timeout', applied: 'maybe', status, reason, ...withWait }
    // 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
    if (status >= 500 && status !== 501 && status !== 505)
      return { kind: 'server', applied: 'maybe', status, reason, ...withWait }
    return { kind: 'permanent', applied: 'no', status, reason }
  }

  for (const link of links) {
    const code = stringCodeOf(link)
    const name = nameOf(link)
    if (code !== undefined && NEVER_CONNECTED.has(code))
      return { kind: 'connection', applied: 'no', reason: code }
    if (code !== undefined && DROPPED.has(code)) return { kind: 'connection', applied: 'maybe', reason: code }
    if (code !== undefined && TIMED_OUT.has(code)) return { kind: 'timeout', applied: 'maybe', reason: code }
    if (code !== undefined && TLS_CODE.test(code)) return { kind: 'permanent', applied: 'no', reason: code }
    // AbortSignal.timeout() rejects with a TimeoutError; an abort the caller's own signal did
    // not cause (withRetries checks that first) is a per-attempt timeout too.
    if (name === 'TimeoutError' || name === 'AbortError')
      return { kind: 'timeout', applied: 'maybe', reason: name }
  }
  for (const link of links) {
    const message = messageOf(link)
    if (message !== undefined && DROPPED_MESSAGE.test(message))
      return { kind: 'connection', applied: 'maybe', reason: message }
  }
  const first = links[0]
  return { kind: 'permanent', applied: 'maybe', reason: (first && messageOf(first)) ?? String(error) }
}

export interface RetryOptions {
  /** Whether repeating the call is harmless. When false the call is made once: the caller re-reads and decides. */
  idempotent: boolean
  clock: Clock
  /** Aborting stops at once, also during a wait; withRetries then rejects with `signal.reason`. */
  signal?: AbortSignal
  logger?: Logger
  /** Names the call in log lines: `get deployments.apps "api" in prod`. */
  describe: string
  /** Attempts in all, the first included (default 10; client-go makes up to 1 + 10). */
  maxAttempts?: number
  /** Backoff ceiling before the first retry (default 500 ms); doubles each retry. */
  initialDelayMs?: number
  /** Largest backoff ceiling (default 8 s). */
  maxDelayMs?: number
  /** Largest wait a Retry-After can impose (default 10 s). */
  maxRetryAfterMs?: number
  /** Total waiting allowed across retries (default 30 s); a retry that would pass it is not made. */
  maxTotalWaitMs?: number
  /** Uniform in [0, 1); tests pass a seeded one. */
  random?: () => number
}

export const RETRY_DEFAULTS = {
  maxAttempts: 10,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 10_000,
  maxTotalWaitMs: 30_000
} as const

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['throttled', 'server', 'connection', 'timeout'])

/**
 * Calls `call` until it succeeds, retrying throttled, server, connection and timeout failures
 * of an idempotent call: after Retry-After when the server gave one (capped), otherwise after an
 * exponential backoff with equal jitter. Rejects with the last error itself (type and `code`
 * untouched), carrying the number of attempts made (see {@link attemptsOf}).
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts)
  const initialDelayMs = options.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs
  const maxDelayMs = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs
  const maxRetryAfterMs = options.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs
  const maxTotalWaitMs = options.maxTotalWaitMs ?? RETRY_DEFAULTS.maxTotalWaitMs
  const random = options.random ?? Math.random
  const { clock, signal, logger, describe } = options
  let waitedMs = 0

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason
    try {
      return await call(attempt)
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const failure = classifyFailure(error, clock.now())
      const giveUp = (why: string): never => {
        logger?.debug(`not retrying ${describe} (${why}): ${failure.reason}`)
        throw withAttempts(error, attempt)
      }
      if (!RETRYABLE.has(failure.kind)) throw withAttempts(error, attempt)
      if (!options.idempotent)
        giveUp(`not idempotent; the server may ${failure.applied === 'no' ? 'not ' : ''}have applied it`)
      if (attempt >= maxAttempts) giveUp(`${attempt} attempts made`)

      const delayMs =
        failure.retryAfterMs !== undefined
          ? Math.min(failure.retryAfterMs, maxRetryAfterMs)
          : equalJitter(initialDelayMs, maxDelayMs, attempt, random)
      if (waitedMs + delayMs > maxTotalWaitMs)
        giveUp(`waiting ${seconds(delayMs)} more would pass the ${seconds(maxTotalWaitMs)} retry budget`)

      const after = failure.retryAfterMs !== undefined ? `, Retry-After ${seconds(failure.retryAfterMs)}` : ''
      logger?.debug(
        `retrying ${describe} in ${seconds(delayMs)} (attempt ${attempt + 1} of ${maxAttempts}): ${failure.kind} failure, ${failure.reason}${after}`
      )
      try {
        await clock.sleep(delayMs, signal)
      } catch (sleepError) {
        if (signal?.aborted) throw signal.reason
        throw sleepError
      }
      waitedMs += delayMs
    }
  }
}

/** How many attempts withRetries made before it gave up with this error; undefined for other errors. */
export function attemptsOf(error: unknown): number | undefined {
  const attempts =
    typeof error === 'object' && error !== null ? (error as { attempts?: unknown }).attempts : undefined
  return typeof attempts === 'number' ? attempts : undefined
}

/**
 * Backoff before retry number `retry` (1 for the first): half of the ceiling
 * min(max, initial·2^(retry-1)) fixed, the other half random.
 */
function equalJitter(initialMs: number, maxMs: number, retry: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** (retry - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/**
 * Marks the error with the attempt count without wrapping it, so `instanceof`, `code` and
 * `reason` stay what the caller branches on. Not enumerable: it stays out of JSON and logs.
 */
function withAttempts(error: unknown, attempts: number): unknown {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, 'attempts', {
      value: attempts,
      configurable: true,
      writable: true,
      enumerable: false
    })
  }
  return error
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}

/** The error, its `cause`s, and an AggregateError's `errors` (Node's happy-eyeballs connect), cycle-safe. */
function causeChain(error: unknown): object[] {
  const links: object[] = []
  const queue: unknown[] = [error]
  while (queue.length > 0 && links.length < 16) {
    const next = queue.shift()
    if (typeof next !== 'object' || next === null || links.includes(next)) continue
    links.push(next)
    const { cause, errors } = next as { cause?: unknown; errors?: unknown }
    queue.push(cause)
    if (Array.isArray(errors)) queue.push(...errors)
  }
  return links
}

/**
 * A numeric HTTP status on the error: client-node's ApiException and our KubernetesApiError
 * have `code` (0 there means no response), others `statusCode`. A DOMException's numeric
 * `code` (20 ABORT_ERR, 23 TIMEOUT_ERR) is not a status, hence the range.
 */
function httpStatusOf(link: object): number | undefined {
  const { code, statusCode } = link as { code?: unknown; statusCode?: unknown }
  for (const value of [code, statusCode]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value
  }
  return undefined
}

function stringCodeOf(link: object): string | undefined {
  const code = (link as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

function nameOf(link: object): string | undefined {
  const name = (link as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

function messageOf(link: object): string | undefined {
  const message = (link as { message?: unknown }).message
  return typeof message === 'string' ? message : undefined
}

/** `Retry-After` from the first headers along the chain (seconds or an HTTP date), else a Status body's details. */
function retryAfterOf(links: object[], now: number): number | undefined {
  for (const link of links) {
    const value = headerOf((link as { headers?: unknown }).headers, 'retry-after')
    if (value === undefined) continue
    const parsed = parseRetryAfter(value, now)
    if (parsed !== undefined) return parsed
  }
  for (const link of links) {
    const seconds = (statusBodyOf(link)?.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds
    if (typeof seconds === 'number' && seconds >= 0) return seconds * 1000
  }
  return undefined
}

/** Delta-seconds (RFC 9110 §10.2.3), or an HTTP date: the wait until then, never negative. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // Date.parse reads "-1" as the year -1; an HTTP date always names its weekday and month.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  const get = (headers as { get?: unknown }).get
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name)
    return typeof value === 'string' ? value : undefined
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue
    if (typeof value === 'string') return value
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0]
  }
  return undefined
}

function statusReasonOf(links: object[]): string | undefined {
  for (const link of links) {
    const reason = (link as { reason?: unknown }).reason
    if (typeof reason === 'string' && reason !== '') return reason
    const bodyReason = statusBodyOf(link)?.reason
    if (typeof bodyReason === 'string' && bodyReason !== '') return bodyReason
  }
  return undefined
}

/** client-node's ApiException carries the Status as a JSON string, sometimes already parsed. */
function statusBodyOf(link: object): Record<string, unknown> | undefined {
  const body = (link as { body?: unknown }).body
  let parsed: unknown = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      return undefined
    }
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined
}
