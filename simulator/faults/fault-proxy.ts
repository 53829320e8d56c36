/**
 * A fault-injecting reverse proxy for the Kubernetes API: a real HTTP(S) server on 127.0.0.1
 * in front of the simulator (or a real kube-apiserver) that forwards requests, streams
 * included, and injects the failures of a flaky network or a busy API server into the
 * requests its rules pick. Every request is recorded with the fault it got and whether the
 * upstream applied it. Usage and fault kinds: simulator/faults/README.md.
 */
import { createServer as createHttpServer, request as httpRequest } from 'node:http'
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { FaultRules, type ActiveRule, type Fault, type FaultKind, type FaultRule } from './fault-rules.js'

export type { ActiveRule, Fault, FaultKind, FaultRule, ServerErrorCode } from './fault-rules.js'

export interface UpstreamOptions {
  /** The API server's URL, e.g. the simulator's `sim.url` or `https://127.0.0.1:6443`. */
  url: string
  /** PEM of the CA that signed an https upstream's certificate. */
  ca?: string
  /** Skips verifying an https upstream's certificate (a throwaway local cluster only). */
  insecureSkipTlsVerify?: boolean
  /** A client certificate and key the proxy presents upstream (the client's own cannot pass a TLS-terminating proxy). */
  clientCert?: string
  clientKey?: string
}

export interface FaultProxyOptions {
  upstream: string | UpstreamOptions
  /**
   * Serve https with this key and certificate (for 127.0.0.1); `ca` is the PEM of the CA that
   * signed it, which the proxy's kubeconfig carries. Plain http when omitted.
   */
  tls?: { key: string; cert: string; ca: string }
}

/** One request as the proxy saw it. Fields fill in as the exchange progresses; `done` when it is over. */
export interface ProxiedRequest {
  /** 1-based arrival order. */
  seq: number
  method: string
  /** The URL path without the query string. */
  path: string
  query: Record<string, string>
  fault?: FaultKind
  /** The name of the rule that fired (its fault kind unless named). */
  rule?: string
  /** Whether the request was sent on to the upstream. */
  forwarded: boolean
  upstreamStatus?: number
  /** Forwarded and answered 2xx by the upstream: the server applied it (or, for a read, served it). */
  applied: boolean
  /** The status the client was answered; absent when it got a reset or no answer at all. */
  clientStatus?: number
  /** Watch events passed through to the client (watch requests only). */
  events?: number
  done: boolean
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  url: string
  /** The CA PEM to trust when the proxy serves https. */
  caPem?: string
  /** The same, base64-encoded: a kubeconfig's `certificate-authority-data`. */
  caData?: string
  /**
   * A kubeconfig (JSON, which is YAML) for a client of the proxy with this bearer token, which the
   * proxy forwards unchanged: the CA when serving https, `insecure-skip-tls-verify` for http
   * (client-node accepts a plain-http server only with that set).
   */
  kubeconfig(options: { token: string; user?: string; namespace?: string }): string
  rules: {
    add(rule: FaultRule): ActiveRule
    clear(): void
    readonly list: readonly ActiveRule[]
  }
  requests: ProxiedRequest[]
  /** Resolves once every request so far is done (answered, reset, or abandoned by its client). */
  settled(): Promise<void>
  close(): Promise<void>
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream: UpstreamOptions =
    typeof options.upstream === 'string' ? { url: options.upstream } : options.upstream
  const upstreamUrl = new URL(upstream.url)
  const secureUpstream = upstreamUrl.protocol === 'https:'
  const httpsAgent = secureUpstream
    ? new HttpsAgent({
        keepAlive: true,
        ...(upstream.ca ? { ca: upstream.ca } : {}),
        ...(upstream.clientCert ? { cert: upstream.clientCert } : {}),
        ...(upstream.clientKey ? { key: upstream.clientKey } : {}),
        rejectUnauthorized: upstream.insecureSkipTlsVerify !== true
      })
    : undefined

  const rules = new FaultRules()
  const requests: ProxiedRequest[] = []
  const open = new Set<{ req: IncomingMessage; res: ServerResponse; upstream?: ClientRequest }>()
  const settleWaiters: Array<() => void> = []
  const finish = (record: ProxiedRequest): void => {
    if (record.done) return
    record.done = true
    if (requests.every((r) => r.done)) for (const wake of settleWaiters.splice(0)) wake()
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://proxy')
    const record: ProxiedRequest = {
      seq: requests.length + 1,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      forwarded: false,
      applied: false,
      done: false
    }
    requests.push(record)
    const exchange: { req: IncomingMessage; res: ServerResponse; upstream?: ClientRequest } = { req, res }
    open.add(exchange)
    const isWatch = ['true', '1'].includes(url.searchParams.get('watch') ?? '')
    if (isWatch) record.events = 0
    res.on('close', () => {
      open.delete(exchange)
      // The client went away (or was reset) mid-answer: stop the upstream side too, so a
      // watch ends there as well.
      if (!res.writableFinished) exchange.upstream?.destroy()
      finish(record)
    })

    const chosen = rules.choose({ method: record.method, path: url.pathname, query: url.searchParams })
    const fault = chosen?.rule.fault
    if (chosen && fault) {
      record.fault = fault.kind
      record.rule = chosen.name
    }

    const forward = (onResponse: (response: IncomingMessage) => void): void => {
      record.forwarded = true
      const send = secureUpstream ? httpsRequest : httpRequest
      const outgoing = send(
        new URL(`${url.pathname}${url.search}`, upstreamUrl),
        {
          method: record.method,
          headers: { ...withoutHopByHop(req.headers), host: upstreamUrl.host },
          ...(httpsAgent ? { agent: httpsAgent } : {})
        },
        (response) => {
          record.upstreamStatus = response.statusCode
          record.applied = (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300
          onResponse(response)
        }
      )
      exchange.upstream = outgoing
      outgoing.on('error', (error) => {
        if (res.headersSent || res.destroyed) {
          resetConnection(req.socket)
          return
        }
        answerStatus(res, record, 502, `the fault proxy could not reach the upstream: ${error.message}`)
      })
      req.pipe(outgoing)
    }

    switch (fault?.kind) {
      case undefined:
        forward((response) => passThrough(response, res, record, isWatch))
        return
      case 'status': {
        req.resume()
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}
        answerStatus(res, record, fault.code, fault.message, headers, fault.retryAfterSeconds)
        return
      }
      case 'throttle':
        req.resume()
        answerStatus(
          res,
          record,
          429,
          fault.message,
          { 'retry-after': String(fault.retryAfterSeconds) },
          fault.retryAfterSeconds
        )
        return
      case 'reset':
        resetConnection(req.socket)
        return
      case 'reset-after-apply':
        forward((response) => {
          // A watch never ends on its own: its headers are the server's answer.
          if (isWatch) return resetConnection(req.socket)
          response.resume()
          response.on('end', () => resetConnection(req.socket))
        })
        return
      case 'status-after-apply':
        forward((response) => {
          response.resume()
          response.on('end', () => answerStatus(res, record, fault.code ?? 500, fault.message))
        })
        return
      case 'hang':
        req.resume()
        return
      case 'cut-watch':
        forward((response) => passThrough(response, res, record, isWatch, fault))
        return
    }
  }

  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : createHttpServer(handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
  const caPem = options.tls?.ca
  const caData = caPem !== undefined ? Buffer.from(caPem).toString('base64') : undefined

  return {
    url,
    ...(caPem !== undefined ? { caPem, caData } : {}),
    kubeconfig: ({ token, user = 'fault-proxy-user', namespace }) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'fault-proxy',
            cluster: {
              server: url,
              ...(caData !== undefined
                ? { 'certificate-authority-data': caData }
                : { 'insecure-skip-tls-verify': true })
            }
          }
        ],
        users: [{ name: user, user: { token } }],
        contexts: [
          {
            name: 'fault-proxy',
            context: { cluster: 'fault-proxy', user, ...(namespace ? { namespace } : {}) }
          }
        ],
        'current-context': 'fault-proxy'
      }),
    rules: {
      add: (rule) => rules.add(rule),
      clear: () => rules.clear(),
      get list() {
        return rules.list
      }
    },
    requests,
    settled: () =>
      requests.every((r) => r.done)
        ? Promise.resolve()
        : new Promise<void>((resolve) => settleWaiters.push(resolve)),
    close: async () => {
      for (const { req, upstream: outgoing } of [...open]) {
        outgoing?.destroy()
        req.socket.destroy()
      }
      httpsAgent?.destroy()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}

/**
 * Streams the upstream's answer to the client. For a watch it counts the events (one JSON
 * document a line) and, under a cut-watch fault, cuts the stream after `afterEvents` whole
 * events or `afterMs` ms.
 */
function passThrough(
  response: IncomingMessage,
  res: ServerResponse,
  record: ProxiedRequest,
  isWatch: boolean,
  cut?: Extract<Fault, { kind: 'cut-watch' }>
): void {
  const status = response.statusCode ?? 502
  res.writeHead(status, withoutHopByHop(response.headers))
  res.flushHeaders()
  record.clientStatus = status
  let cutDone = false
  const cutNow = (): void => {
    if (cutDone) return
    cutDone = true
    clearTimeout(timer)
    response.destroy()
    if (cut?.how === 'end') res.end()
    else if (cut?.how === 'reset') resetConnection(res.socket)
    // end() on the socket, not the response: what was written is flushed, then FIN, with no
    // terminating chunk, so the client sees the stream break off.
    else res.socket?.end()
  }
  const timer = cut?.afterMs !== undefined ? setTimeout(cutNow, cut.afterMs) : undefined
  if (cut?.afterEvents === 0) cutNow()

  response.on('data', (chunk: Buffer) => {
    if (cutDone) return
    let passed = chunk
    let reachedLimit = false
    if (isWatch) {
      let from = 0
      for (;;) {
        const newline = chunk.indexOf(0x0a, from)
        if (newline < 0) break
        record.events = (record.events ?? 0) + 1
        from = newline + 1
        if (cut?.afterEvents !== undefined && record.events >= cut.afterEvents) {
          passed = chunk.subarray(0, from)
          reachedLimit = true
          break
        }
      }
    }
    const flowing = res.write(passed)
    if (reachedLimit) return cutNow()
    if (!flowing) {
      response.pause()
      res.once('drain', () => response.resume())
    }
  })
  response.on('end', () => {
    if (cutDone) return
    clearTimeout(timer)
    res.end()
  })
  response.on('error', () => {
    if (!cutDone) resetConnection(res.socket)
  })
}

function answerStatus(
  res: ServerResponse,
  record: ProxiedRequest,
  code: number,
  message?: string,
  headers: Record<string, string> = {},
  retryAfterSeconds?: number
): void {
  const body = JSON.stringify(statusBody(code, message, retryAfterSeconds))
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
  record.clientStatus = code
}

/** A `Status` as kube-apiserver writes it for these codes (reason per k8s.io/apimachinery's StatusReason). */
function statusBody(code: number, message: string | undefined, retryAfterSeconds?: number): object {
  const defaults: Record<number, { reason?: string; message: string }> = {
    429: { reason: 'TooManyRequests', message: 'Too many requests, please try again later.' },
    500: { reason: 'InternalError', message: 'Internal error occurred: injected by the fault proxy' },
    502: { message: 'Bad Gateway: injected by the fault proxy' },
    503: { reason: 'ServiceUnavailable', message: 'The server is currently unable to handle the request' },
    504: { reason: 'Timeout', message: 'Gateway Timeout: injected by the fault proxy' }
  }
  const known = defaults[code] ?? { message: `HTTP ${code}` }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: message ?? known.message,
    ...(known.reason ? { reason: known.reason } : {}),
    ...(retryAfterSeconds !== undefined ? { details: { retryAfterSeconds } } : {}),
    code
  }
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer'
])

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name.toLowerCase())))
}

/**
 * Resets the TCP connection (RST, not a polite FIN), as a dropped NAT entry or a crashed load
 * balancer does. A TLS socket's own handle cannot be reset; the TCP socket under it can.
 */
function resetConnection(socket: Socket | null): void {
  if (!socket || socket.destroyed) return
  const tcp = (socket as Socket & { _parent?: Socket })._parent ?? socket
  try {
    tcp.resetAndDestroy()
  } catch {
    tcp.destroy()
  }
  socket.destroy()
}
