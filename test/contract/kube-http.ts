/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/** A minimal raw HTTP client for the Kubernetes API, from a kubeconfig (token or client certificate). */
import * as http from 'node:http'
import * as https from 'node:https'
import { KubeConfig } from '@kubernetes/client-node'

export interface KubeResponse {
  status: number
  body: any
}

export interface WatchEvent {
  type: string
  object: any
}

export interface WatchResult {
  /** HTTP status of the watch request itself. */
  status: number
  /** Error body when status is not 200. */
  body?: any
  events: WatchEvent[]
}

export class KubeHttp {
  private constructor(
    private readonly server: URL,
    private readonly options: https.RequestOptions
  ) {}

  static async fromKubeconfig(content: string): Promise<KubeHttp> {
    const kc = new KubeConfig()
    kc.loadFromString(content)
    const options: https.RequestOptions = {}
    await kc.applyToHTTPSOptions(options)
    return new KubeHttp(new URL(kc.getCurrentCluster()!.server), options)
  }

  private open(method: string, path: string, headers: Record<string, string>): http.ClientRequest {
    const url = new URL(path, this.server)
    const lib = url.protocol === 'https:' ? https : http
    const { agent: _agent, ...rest } = this.options as https.RequestOptions & { agent?: unknown }
    return lib.request(url, {
      ...rest,
      method,
      headers: { ...(this.options.headers as Record<string, string>), Accept: 'application/json', ...headers }
    })
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json'
  ): Promise<KubeResponse> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
      const req = this.open(method, path, data === undefined ? {} : { 'Content-Type': contentType })
      req.on('response', (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => {
          let parsed: unknown = text
          try {
            parsed = text ? JSON.parse(text) : undefined
          } catch {
            // keep text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed })
        })
      })
      req.on('error', reject)
      req.end(data)
    })
  }

  async get(path: string): Promise<any> {
    const r = await this.request('GET', path)
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  /** Watches until `done(events)` is true, the server ends the stream, or timeoutMs passes. */
  watch(path: string, done: (events: WatchEvent[]) => boolean, timeoutMs = 10_000): Promise<WatchResult> {
    return new Promise((resolve, reject) => {
      const req = this.open('GET', path, {})
      const events: WatchEvent[] = []
      let finished = false
      const finish = (result: WatchResult) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        req.destroy()
        resolve(result)
      }
      const timer = setTimeout(() => finish({ status: 200, events }), timeoutMs)
      req.on('response', (res) => {
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          if (res.statusCode !== 200) return
          let nl: number
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim()
            buffer = buffer.slice(nl + 1)
            if (line) events.push(JSON.parse(line) as WatchEvent)
          }
          if (done(events)) finish({ status: 200, events })
        })
        res.on('end', () => {
          if (res.statusCode !== 200) {
            let body: unknown = buffer
            try {
              body = JSON.parse(buffer)
            } catch {
              // text
            }
            finish({ status: res.statusCode ?? 0, body, events })
          } else finish({ status: 200, events })
        })
        res.on('error', () => finish({ status: res.statusCode ?? 0, events }))
      })
      req.on('error', (e) => (finished ? undefined : reject(e)))
      req.end()
    })
  }
}
