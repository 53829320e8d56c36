import { readFile } from 'node:fs/promises'
import type { Agent, ClientRequest } from 'node:http'
import type { AgentOptions, RequestOptions } from 'node:https'
import type { HttpCheck, HttpMethod } from './http-check.js'
import { bodyMismatches, describeStatuses, expectedStatuses, statusMatches } from './expectations.js'
import { displayProxy, proxyFor, proxyPasswordsIn } from './proxy-env.js'
import { displayUrl, redact, secretValues } from './redact.js'

/** The outcome of one attempt: one request, plus the redirects it followed. */
export interface ProbeAttempt {
  ok: boolean
  /** Absent when no HTTP response arrived (refused, reset, timed out, TLS failure, ...). */
  status?: number
  /** From starting the attempt to the end of the final body, redirects included. */
  latencyMs: number
  /** "passed" when ok; otherwise what went wrong, precisely enough to act on. */
  reason: string
  /** Whether trying again may help; false means the check cannot pass as configured. */
  retryable: boolean
  /** The start of the final response body, whitespace collapsed, for diagnosis. */
  bodySnippet?: string
}

export interface ProbeDeps {
  /** Aborting ends the attempt at once with reason "cancelled". */
  signal?: AbortSignal
  /**
   * Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lowercase first) are read from, as in
   * proxy-env.ts; default process.env. An https URL goes through the proxy in a CONNECT tunnel
   * and its certificate is still verified, against tls.ca-file / tls.ca-pem when set.
   */
  env?: NodeJS.ProcessEnv
}

/** A health body larger than this is cut; assertions see only the first part. */
export const maxBodyBytes = 1024 * 1024
const maxBodyLabel = '1 MiB'
const snippetChars = 200

/** Every per-attempt timeout reason starts with this. */
export const timedOutPrefix = 'timed out after'

const redirectStatuses = new Set([301, 302, 303, 307, 308])
/** Headers not to carry to another origin on redirect, besides the check's secret headers (as curl and fetch do). */
const credentialHeaders = ['authorization', 'proxy-authorization', 'cookie']

/** A failure decided before or between requests, carrying its classification. */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message)
  }
}

interface FinalResponse {
  status: number
  body: string
  truncated: boolean
}

type Phase = 'connecting' | 'in the TLS handshake' | 'waiting for response headers' | 'reading the body'

interface Progress {
  phase: Phase
  url: string
  /** The proxy the current request goes through, if any. */
  proxy?: URL
}

/**
 * Makes one attempt at `check` and classifies the outcome. Never throws: every failure becomes a
 * ProbeAttempt whose reason and retryable flag say what happened and whether waiting can fix it.
 */
export async function probeOnce(check: HttpCheck, deps: ProbeDeps = {}): Promise<ProbeAttempt> {
  const started = performance.now()
  const env = deps.env ?? process.env
  const secrets = [...secretValues(check), ...proxyPasswordsIn(env)].sort((a, b) => b.length - a.length)
  const finish = (outcome: Omit<ProbeAttempt, 'latencyMs'>): ProbeAttempt => {
    const attempt: ProbeAttempt = {
      ...outcome,
      reason: redact(outcome.reason, secrets),
      latencyMs: Math.round((performance.now() - started) * 10) / 10
    }
    if (outcome.bodySnippet !== undefined) attempt.bodySnippet = redact(outcome.bodySnippet, secrets)
    return attempt
  }
  if (deps.signal?.aborted) return finish({ ok: false, reason: 'cancelled', retryable: false })

  let ca: string | undefined
  try {
    ca = await loadCa(check.tls)
  } catch (error) {
    const reason = `cannot read tls.ca-file ${check.tls.caFile}: ${(error as Error).message}`
    return finish({ ok: false, reason, retryable: false })
  }

  // One timer for the whole attempt, so a server that dribbles bytes or redirects slowly still
  // cannot hold an attempt longer than timeoutMs.
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), check.timeoutMs)
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout.signal]) : timeout.signal
  const progress: Progress = { phase: 'connecting', url: check.url }
  // Said of every failure that went through a proxy: the proxy may be what failed.
  const via = (outcome: Omit<ProbeAttempt, 'latencyMs'>): Omit<ProbeAttempt, 'latencyMs'> =>
    outcome.ok || !progress.proxy || outcome.reason.includes(displayProxy(progress.proxy))
      ? outcome
      : { ...outcome, reason: `${outcome.reason} (through proxy ${displayProxy(progress.proxy)})` }
  try {
    const response = await requestFollowingRedirects(check, ca, signal, progress, env)
    return finish(via(evaluate(check, response)))
  } catch (error) {
    if (deps.signal?.aborted) return finish({ ok: false, reason: 'cancelled', retryable: false })
    if (timeout.signal.aborted) {
      const where = progress.url === check.url ? '' : ` (at redirect target ${displayUrl(progress.url)})`
      const reason = `${timedOutPrefix} ${check.timeoutMs} ms ${progress.phase}${where}`
      return finish(via({ ok: false, reason, retryable: true }))
    }
    if (error instanceof AttemptFailure) {
      return finish({ ok: false, reason: error.message, retryable: error.retryable })
    }
    return finish(
      via({ ok: false, ...classifyError(error, new URL(progress.url), ca !== undefined, progress.proxy) })
    )
  } finally {
    clearTimeout(timer)
  }
}

async function loadCa(tls: HttpCheck['tls']): Promise<string | undefined> {
  const parts: string[] = []
  if (tls.caFile) parts.push(await readFile(tls.caFile, 'utf8'))
  if (tls.caPem) parts.push(tls.caPem)
  return parts.length > 0 ? parts.join('\n') : undefined
}

async function requestFollowingRedirects(
  check: HttpCheck,
  ca: string | undefined,
  signal: AbortSignal,
  progress: Progress,
  env: NodeJS.ProcessEnv
): Promise<FinalResponse> {
  let url = parseHttpUrl(check.url, 'url')
  let method: HttpMethod = check.method
  let body = check.body
  let headers: Record<string, string> = { ...check.headers }
  const secretNames = new Set(check.secretHeaders.map((n) => n.toLowerCase()))
  const visited = [url.href]
  for (let hops = 0; ; hops++) {
    progress.url = url.href
    const response = await requestOnce(url, method, headers, body, ca, signal, progress, env)
    if (!check.redirects.follow || !redirectStatuses.has(response.status) || !response.location) {
      return response
    }
    const next = parseHttpUrl(
      new URL(response.location, url).href,
      `redirect target of ${displayUrl(url.href)}`
    )
    if (visited.includes(next.href)) {
      const chain = [...visited, next.href].map(displayUrl).join(' -> ')
      throw new AttemptFailure(`redirect loop: ${chain}`, false)
    }
    if (hops >= check.redirects.max) {
      const chain = [...visited, next.href].map(displayUrl).join(' -> ')
      throw new AttemptFailure(`more than ${check.redirects.max} redirects (redirects.max): ${chain}`, false)
    }
    if (next.origin !== url.origin) {
      // Credentials were meant for the configured origin, not wherever it points us.
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => {
          const lower = name.toLowerCase()
          return !secretNames.has(lower) && !credentialHeaders.includes(lower)
        })
      )
    }
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === 'POST')
    ) {
      // What browsers and curl do: the follow-up is a GET without the original body.
      if (method !== 'HEAD') method = 'GET'
      body = undefined
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => !/^content-(type|length)$/i.test(name))
      )
    }
    visited.push(next.href)
    url = next
  }
}

function parseHttpUrl(text: string, what: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new AttemptFailure(`${what} ${JSON.stringify(displayUrl(text))} is not a valid URL`, false)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AttemptFailure(`${what} ${displayUrl(text)} is not http or https`, false)
  }
  return url
}

interface Transport {
  request(url: URL, options: RequestOptions): ClientRequest
  Agent: new (options: AgentOptions) => Agent
}

/**
 * node:http and node:https (and with them TLS) are loaded by the first probe, not when a stage
 * starts: a gate run that probes nothing does not pay for them.
 */
async function transportFor(url: URL): Promise<Transport> {
  return url.protocol === 'https:' ? await import('node:https') : await import('node:http')
}

/**
 * The agent for one request through `proxy`: Node 24's own proxy support (the `proxyEnv` agent
 * option) sends a plain-HTTP request to the proxy in absolute form and tunnels an https one with
 * CONNECT, then runs TLS to the endpoint over the tunnel with the request's own `ca` and host
 * name, and sends the URL's credentials as Proxy-Authorization. It is handed only the proxy
 * chosen by proxyFor, so NO_PROXY is matched by our rules (proxy-env.ts), not Node's.
 */
function proxyAgent(transport: Transport, url: URL, proxy: URL): Agent {
  const variable = url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'
  return new transport.Agent({ proxyEnv: { [variable]: proxy.href }, keepAlive: false })
}

async function requestOnce(
  url: URL,
  method: HttpMethod,
  headers: Record<string, string>,
  body: string | undefined,
  ca: string | undefined,
  signal: AbortSignal,
  progress: Progress,
  env: NodeJS.ProcessEnv
): Promise<FinalResponse & { location?: string }> {
  const choice = proxyFor(url, env)
  if (choice.kind === 'invalid') throw new AttemptFailure(choice.reason, false)
  const transport = await transportFor(url)
  if (choice.kind === 'proxy') progress.proxy = choice.url
  else delete progress.proxy
  const agent = choice.kind === 'proxy' ? proxyAgent(transport, url, choice.url) : undefined
  return new Promise<FinalResponse & { location?: string }>((resolve, reject) => {
    const secure = url.protocol === 'https:'
    const requestHeaders: Record<string, string> = { ...headers }
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      requestHeaders['content-length'] = String(Buffer.byteLength(body))
    }
    const options: RequestOptions = {
      method,
      headers: requestHeaders,
      signal,
      // A fresh connection per attempt (no agent, or a one-request proxy agent destroyed after
      // it): each probe should prove the endpoint accepts connections, and no pooled socket may
      // outlive the check.
      agent: agent ?? false
    }
    if (secure && ca !== undefined) options.ca = ca
    progress.phase = 'connecting'
    const request = transport.request(url, options)
    let settled = false
    const settle = (value: FinalResponse & { location?: string }): void => {
      if (settled) return
      settled = true
      resolve(value)
    }
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      reject(error)
    }
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        if (progress.phase === 'connecting') {
          progress.phase = secure ? 'in the TLS handshake' : 'waiting for response headers'
        }
      })
      socket.once('secureConnect', () => {
        if (progress.phase !== 'reading the body') progress.phase = 'waiting for response headers'
      })
    })
    request.on('error', fail)
    request.on('response', (response) => {
      progress.phase = 'reading the body'
      const chunks: Buffer[] = []
      let size = 0
      const done = (truncated: boolean): void => {
        const value: FinalResponse & { location?: string } = {
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated
        }
        if (typeof response.headers.location === 'string') value.location = response.headers.location
        settle(value)
      }
      response.on('data', (chunk: Buffer) => {
        if (settled) return
        const room = maxBodyBytes - size
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room))
          done(true)
          request.destroy()
          return
        }
        chunks.push(chunk)
        size += chunk.length
      })
      response.on('end', () => done(false))
      response.on('error', fail)
      response.on('close', () => {
        if (!response.complete)
          fail(Object.assign(new Error('the connection closed mid-body'), { code: 'ECONNRESET' }))
      })
    })
    if (body !== undefined) request.write(body)
    request.end()
  }).finally(() => agent?.destroy())
}

function evaluate(check: HttpCheck, response: FinalResponse): Omit<ProbeAttempt, 'latencyMs'> {
  const status = response.status
  const snippet = response.body.replace(/\s+/g, ' ').trim().slice(0, snippetChars)
  const base = { status, ...(snippet ? { bodySnippet: snippet } : {}) }
  const expected = expectedStatuses(check)
  if (!statusMatches(status, expected)) {
    const reason = `status ${status}, expected ${describeStatuses(expected)}`
    if (status >= 500) return { ...base, ok: false, reason, retryable: true }
    if (status >= 400) {
      if (check.retryableStatuses.includes(status)) return { ...base, ok: false, reason, retryable: true }
      const why = `${reason} (a 4xx is not retried unless listed in retryable-statuses)`
      return { ...base, ok: false, reason: why, retryable: false }
    }
    if (status >= 300) {
      const why = check.redirects.follow
        ? `${reason} (a redirect without a Location header)`
        : `${reason} (redirects.follow is off)`
      return { ...base, ok: false, reason: why, retryable: false }
    }
    // An unexpected 1xx/2xx (say 202 while warming up) may well become the expected one.
    return { ...base, ok: false, reason, retryable: true }
  }
  const mismatches = bodyMismatches(check, response.body, response.truncated, maxBodyLabel)
  if (mismatches.length > 0) {
    // A mismatch usually means the old version is still being served: worth waiting for,
    // unless the assertion itself is malformed.
    const retryable = !mismatches.some((m) => m.misconfigured)
    return { ...base, ok: false, reason: mismatches.map((m) => m.message).join('; '), retryable }
  }
  return { ...base, ok: true, reason: 'passed', retryable: true }
}

const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending the request',
  ECONNABORTED: 'connection aborted'
}

const untrustedCertificateCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT'
])

/** Failures to reach a host at all: through a proxy, the only host the probe connects to is the proxy. */
const connectCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH'
])

function classifyError(
  error: unknown,
  url: URL,
  customCa: boolean,
  proxy?: URL
): { reason: string; retryable: boolean } {
  const err = error as NodeJS.ErrnoException & { statusCode?: number }
  const code = err.code ?? ''
  if (proxy && connectCodes.has(code))
    return {
      reason: `${networkReasons[code]} (${code}) at the proxy ${displayProxy(proxy)}`,
      retryable: true
    }
  if (code === 'ERR_PROXY_TUNNEL') {
    // The proxy answered CONNECT with an error: 407 and 403 are its policy, a 5xx may be the
    // endpoint not accepting connections yet.
    const status = err.statusCode
    const advice =
      status === 407 ? ' (proxy authentication required: check the user and password in the proxy URL)' : ''
    return {
      reason: `the proxy ${displayProxy(proxy ?? url)} did not open a tunnel to ${url.host}${status ? `: status ${status}` : ''}${advice}`,
      retryable: status === undefined || status >= 500
    }
  }
  // Node 24 appends advice about --use-system-ca, which an action's user cannot act on.
  const message = (err.message ?? String(error)).replace(/; if the root CA is installed locally.*$/s, '')
  const host = url.host
  if (code === 'ECONNRESET' && message === 'socket hang up') {
    return { reason: 'socket hang up (the server closed the connection without answering)', retryable: true }
  }
  if (networkReasons[code]) return { reason: `${networkReasons[code]} (${code}) at ${host}`, retryable: true }
  if (untrustedCertificateCodes.has(code)) {
    const advice = customCa
      ? 'the configured tls.ca-file / tls.ca-pem does not contain the CA that signed it'
      : 'if a private CA signed it, set tls.ca-file (or tls.ca-pem) to that CA certificate'
    return {
      reason: `TLS certificate of ${host} is not trusted: ${message} (${code}); ${advice}`,
      retryable: false
    }
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { reason: `TLS certificate is not valid for ${url.hostname}: ${message}`, retryable: false }
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      reason: `TLS certificate of ${host} is outside its validity period: ${message} (${code})`,
      retryable: false
    }
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) {
    const hint = /wrong version number|packet length too long/i.test(message)
      ? '; is the server speaking plain HTTP on an https URL?'
      : ''
    return { reason: `TLS handshake with ${host} failed: ${message}${hint}`, retryable: false }
  }
  if (code.startsWith('HPE_')) {
    return {
      reason: `the answer from ${host} is not valid HTTP (${code}); is the server speaking HTTPS on an http URL?`,
      retryable: false
    }
  }
  if (code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || /certificate/i.test(message)) {
    return {
      reason: `TLS verification of ${host} failed: ${message}${code ? ` (${code})` : ''}`,
      retryable: false
    }
  }
  // Unknown transport trouble: the deadline bounds the cost of retrying, and giving up early on
  // something transient would fail a good promotion.
  return { reason: `request to ${host} failed: ${message}${code ? ` (${code})` : ''}`, retryable: true }
}
