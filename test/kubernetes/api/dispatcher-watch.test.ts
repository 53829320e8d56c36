import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type ServerResponse, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { watchWithDispatcher } from '../../../src/kubernetes/api/dispatcher-watch.js'

/** A stand-in API server over real HTTP: each watch request is handed to `serve`. */
let server: Server
let url: string
let serve: (res: ServerResponse, path: string) => void
const paths: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '')
    serve(res, req.url ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

function kubeConfig() {
  return createKubeConfig({
    kubeconfig: [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
      'users: [{ name: u, user: { token: "t0ken" } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u } }]',
      'current-context: x'
    ].join('\n'),
    env: {}
  }).kubeConfig
}

const line = (type: string, name: string) => `${JSON.stringify({ type, object: { metadata: { name } } })}\n`

/** Starts a watch and collects what it delivers until it ends. */
function collect(options: { inactivityMs?: number; throwOn?: string } = {}) {
  const events: string[] = []
  let handle: { abort(): void } | undefined
  const ended = new Promise<Error | null>((resolve) => {
    void watchWithDispatcher(
      kubeConfig(),
      '/api/v1/namespaces/shop/pods',
      { resourceVersion: '7', labelSelector: 'app=api', timeoutSeconds: undefined },
      (type, object) => {
        const name = (object as { metadata: { name: string } }).metadata.name
        if (name === options.throwOn) throw new Error(`handler failed on ${name}`)
        events.push(`${type} ${name}`)
      },
      resolve,
      options
    ).then((h) => (handle = h))
  })
  return { events, ended, abort: () => handle?.abort() }
}

describe('watchWithDispatcher', () => {
  it('delivers every event in order, also a line split across chunks, and ends with null when the server closes', async () => {
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const second = line('MODIFIED', 'b')
      res.write(line('ADDED', 'a') + second.slice(0, 10))
      setTimeout(() => {
        res.write(second.slice(10) + 'not json\n\n')
        res.end(line('DELETED', 'c'))
      }, 20)
    }
    const watch = collect()
    expect(await watch.ended).toBeNull()
    expect(watch.events).toEqual(['ADDED a', 'MODIFIED b', 'DELETED c'])
    expect(paths.at(-1)).toBe(
      '/api/v1/namespaces/shop/pods?watch=true&resourceVersion=7&labelSelector=app%3Dapi'
    )
  })

  it('ends with an error carrying the status code when the server refuses the watch', async () => {
    serve = (res) => {
      res.writeHead(403, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden' }))
    }
    const watch = collect()
    expect(await watch.ended).toMatchObject({ statusCode: 403 })
    expect(watch.events).toEqual([])
  })

  it('ends with a TimeoutError when the stream stays silent too long', async () => {
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(line('ADDED', 'a'))
    }
    const watch = collect({ inactivityMs: 100 })
    expect(await watch.ended).toMatchObject({ name: 'TimeoutError' })
    expect(watch.events).toEqual(['ADDED a'])
  })

  it('ends with the error a handler throws, and delivers nothing after it', async () => {
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(line('ADDED', 'a') + line('ADDED', 'bad') + line('ADDED', 'c'))
    }
    const watch = collect({ throwOn: 'bad' })
    expect(await watch.ended).toMatchObject({ message: 'handler failed on bad' })
    expect(watch.events).toEqual(['ADDED a'])
  })

  it('delivers nothing after abort()', async () => {
    let respond: ((text: string) => void) | undefined
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(line('ADDED', 'a'))
      respond = (text) => res.write(text)
    }
    const watch = collect()
    while (watch.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    watch.abort()
    respond?.(line('MODIFIED', 'a'))
    expect(await watch.ended).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(watch.events).toEqual(['ADDED a'])
  })
})
