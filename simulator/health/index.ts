import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A scriptable health endpoint for tests, the demo and the bench: each path follows a script that
 * says what it answers on each hit, and the script can be swapped at runtime (`route` again) so a
 * test can make an endpoint healthy at a moment it measures.
 *
 * Healthy answers are JSON `{"status":"ok"}`, plus `"version"` when the script names one.
 * Unrouted paths answer 404.
 */
export type HealthScript =
  /** 200 (or `status`) with `body`, or the JSON above. */
  | { kind: 'up'; version?: string; status?: number; body?: string }
  /**
   * Down for the first `downForHits` hits and/or `downForMs` after routing (down while either
   * holds), then `then` (default `{kind:'up'}`). Down means `downStatus` (default 503), or
   * 'hang-up' to close the connection without answering. For refused connections use
   * `unusedPortUrl()` and later start a server on that port.
   */
  | {
      kind: 'down-then-up'
      downForMs?: number
      downForHits?: number
      downStatus?: number | 'hang-up'
      then?: HealthScript
    }
  /** Hit i is up (200) when pattern[i % length], else 503. */
  | { kind: 'flapping'; pattern: boolean[] }
  /** Waits `delayMs` before answering like `then` (default up). */
  | { kind: 'slow'; delayMs: number; then?: HealthScript }
  /** 200 `{"status":"ok","version":...}`; a function is asked on every hit. */
  | { kind: 'version'; version: string | (() => string) }
  | { kind: 'status'; code: number; body?: string }
  /** 302 (or `status`) to `to` (absolute, or a path on this server). */
  | { kind: 'redirect'; to: string; status?: number }
  /** /p redirects to /p?loop=1, which redirects back to /p. */
  | { kind: 'redirect-loop' }
  /** Closes the connection without answering ("socket hang up"). */
  | { kind: 'hang-up' }
  /** 200 with the request's headers as JSON, e.g. to prove secrets are redacted from results. */
  | { kind: 'echo-headers' }
  /**
   * Hit i follows steps[i]; the last step then repeats. A stateful last step counts hits from when
   * it began, but time (downForMs) from when the route was set.
   */
  | { kind: 'sequence'; steps: HealthScript[] }

export interface RecordedRequest {
  method: string
  /** Path and query as requested. */
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  /** Date.now() when the request arrived. */
  at: number
}

export interface HealthServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234. */
  url: string
  port: number
  /** Sets (or replaces, resetting its hit count and timer) the script for `path`. */
  route(path: string, script: HealthScript): void
  /** Requests to `path` (query ignored) since the server started, across route changes. */
  hits(path: string): number
  requests(path: string): RecordedRequest[]
  close(): Promise<void>
}

export interface HealthServerOptions {
  https?: { key: string; cert: string }
  /** Listen on this port (default: any free one), e.g. one handed out by unusedPortUrl(). */
  port?: number
  host?: string
}

interface RouteState {
  script: HealthScript
  hits: number
  routedAt: number
}

interface Hit {
  /** 0-based hit number since the (sub)script began. */
  index: number
  /** ms since the (sub)script began. */
  elapsedMs: number
}

export async function startHealthServer(options: HealthServerOptions = {}): Promise<HealthServer> {
  const routes = new Map<string, RouteState>()
  const recorded = new Map<string, RecordedRequest[]>()
  const timers = new Set<NodeJS.Timeout>()

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const entry: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now()
      }
      recorded.set(path, [...(recorded.get(path) ?? []), entry])
      const state = routes.get(path)
      if (!state) {
        sendJson(res, 404, { status: 'not found', path })
        return
      }
      const hit = { index: state.hits++, elapsedMs: Date.now() - state.routedAt }
      serve(state.script, hit, req, res, path, timers)
    })
  }

  const server = options.https ? https.createServer(options.https, handler) : http.createServer(handler)
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `${options.https ? 'https' : 'http'}://${host}:${port}`

  return {
    url,
    port,
    route(path, script) {
      routes.set(path, { script, hits: 0, routedAt: Date.now() })
    },
    hits: (path) => recorded.get(path)?.length ?? 0,
    requests: (path) => [...(recorded.get(path) ?? [])],
    close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Probers may hold a slow request open; the server must still shut down promptly.
        server.closeAllConnections()
      })
    }
  }
}

function serve(
  script: HealthScript,
  hit: Hit,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  timers: Set<NodeJS.Timeout>
): void {
  switch (script.kind) {
    case 'up':
      if (script.body !== undefined) {
        res.writeHead(script.status ?? 200, { 'content-type': 'text/plain' }).end(script.body)
      } else {
        sendJson(res, script.status ?? 200, okBody(script.version))
      }
      return
    case 'down-then-up': {
      const downByHits = script.downForHits !== undefined && hit.index < script.downForHits
      const downByTime = script.downForMs !== undefined && hit.elapsedMs < script.downForMs
      if (downByHits || downByTime) {
        const down = script.downStatus ?? 503
        if (down === 'hang-up') req.socket.destroy()
        else sendJson(res, down, { status: 'unavailable' })
        return
      }
      const upIndex = script.downForHits !== undefined ? hit.index - script.downForHits : hit.index
      serve(script.then ?? { kind: 'up' }, { ...hit, index: Math.max(0, upIndex) }, req, res, path, timers)
      return
    }
    case 'flapping': {
      const up = script.pattern.length > 0 && script.pattern[hit.index % script.pattern.length]
      if (up) sendJson(res, 200, okBody())
      else sendJson(res, 503, { status: 'unavailable' })
      return
    }
    case 'slow': {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (res.destroyed || res.writableEnded) return
        serve(script.then ?? { kind: 'up' }, hit, req, res, path, timers)
      }, script.delayMs)
      timers.add(timer)
      return
    }
    case 'version': {
      const version = typeof script.version === 'function' ? script.version() : script.version
      sendJson(res, 200, okBody(version))
      return
    }
    case 'status':
      if (script.body !== undefined)
        res.writeHead(script.code, { 'content-type': 'text/plain' }).end(script.body)
      else sendJson(res, script.code, { status: script.code < 400 ? 'ok' : 'error' })
      return
    case 'redirect':
      res.writeHead(script.status ?? 302, { location: script.to }).end()
      return
    case 'redirect-loop': {
      const looped = new URL(req.url ?? '/', 'http://x').searchParams.has('loop')
      res.writeHead(302, { location: looped ? path : `${path}?loop=1` }).end()
      return
    }
    case 'hang-up':
      req.socket.destroy()
      return
    case 'echo-headers':
      sendJson(res, 200, { status: 'ok', headers: req.headers })
      return
    case 'sequence': {
      if (script.steps.length === 0) {
        sendJson(res, 500, { status: 'empty sequence' })
        return
      }
      const last = script.steps.length - 1
      const step = script.steps[Math.min(hit.index, last)]!
      serve(step, { ...hit, index: Math.max(0, hit.index - last) }, req, res, path, timers)
      return
    }
  }
}

function okBody(version?: string): Record<string, string> {
  return version === undefined ? { status: 'ok' } : { status: 'ok', version }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** A local port nothing listens on (just released by the OS), for "connection refused". */
export async function unusedPort(host = '127.0.0.1'): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen(0, host, () => resolve())
  })
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/**
 * A base URL on a port nothing listens on, so requests are refused. Another process could take
 * the port in between, which is unlikely enough for tests. To bring the endpoint "up" later,
 * start a server with `port: Number(new URL(url).port)`.
 */
export async function unusedPortUrl(host = '127.0.0.1'): Promise<string> {
  return `http://${host}:${await unusedPort(host)}`
}
