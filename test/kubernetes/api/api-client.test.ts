import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { makeApiClient, USER_AGENT } from '../../../src/kubernetes/api/api-client.js'
import { DispatcherHttpLibrary } from '../../../src/kubernetes/api/dispatcher-transport.js'
import { KubernetesApiError } from '../../../src/kubernetes/api/api-error.js'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'
import { watchToEnd } from '../support/watch-to-end.js'

/** A stand-in API server over real HTTP that records each request and answers from `reply`. */
interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}
let server: Server
let url: string
const seen: Seen[] = []
let reply: (request: Seen) => { status: number; headers?: Record<string, string | string[]>; body: string }

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
      seen.push(request)
      const answer = reply(request)
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** A kubeconfig for the stand-in; `tls` adds insecure-skip-tls-verify, which makes client-node attach an undici Agent. */
function kubeconfig(tls: boolean): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: c, cluster: { server: "${url}"${tls ? ', insecure-skip-tls-verify: true' : ''} } }]`,
    'users: [{ name: u, user: { token: "t0ken-for-tests" } }]',
    'contexts: [{ name: x, context: { cluster: c, user: u } }]',
    'current-context: x'
  ].join('\n')
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'prod', creationTimestamp: '2026-11-26T10:00:00Z', generation: 3 },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/api:2' }] } } }
}

describe('API clients', () => {
  it('sends the request client-node built, with its auth, over the Agent the kubeconfig chose', async () => {
    reply = () => ({
      status: 200,
      headers: { warning: ['299 - "first"', '299 - "second"'] },
      body: JSON.stringify(deployment)
    })
    const { kubeConfig } = createKubeConfig({ kubeconfig: kubeconfig(true), env: {} })
    const apps = makeApiClient(kubeConfig, k8s.AppsV1Api)
    const response = await apps.patchNamespacedDeploymentWithHttpInfo(
      { name: 'api', namespace: 'prod', body: { spec: { replicas: 2 } }, dryRun: 'All' },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
    )
    const request = seen.at(-1)!
    expect(request.method).toBe('PATCH')
    expect(request.url).toBe('/apis/apps/v1/namespaces/prod/deployments/api?dryRun=All')
    expect(request.headers['authorization']).toBe('Bearer t0ken-for-tests')
    expect(request.headers['content-type']).toBe('application/strategic-merge-patch+json')
    expect(request.headers['user-agent']).toBe(USER_AGENT)
    expect(JSON.parse(request.body)).toEqual({ spec: { replicas: 2 } })
    // fetch would have sent its default Accept-Encoding; Dispatcher.request sends none.
    expect(request.headers['accept-encoding']).toBeUndefined()
    expect(response.httpStatusCode).toBe(200)
    expect(response.headers['warning']).toBe('299 - "first", 299 - "second"')
    // The typed processor still turns the JSON into model classes when asked to.
    expect(response.data.metadata?.creationTimestamp).toBeInstanceOf(Date)
  })

  it("hands a request without an Agent to client-node's own library", async () => {
    // client-node attaches no Agent to an https cluster with no TLS options at all.
    const sent: k8s.RequestContext[] = []
    const fallback: k8s.HttpLibrary = {
      send: (request) => {
        sent.push(request)
        return new k8s.Observable(
          Promise.resolve(
            new k8s.ResponseContext(204, {}, new k8s.SelfDecodingBody(Promise.resolve(Buffer.from(''))))
          )
        )
      }
    }
    const request = new k8s.RequestContext('https://kubernetes.example/version', k8s.HttpMethod.GET)
    const response = await new DispatcherHttpLibrary(fallback).send(request).toPromise()
    expect(sent).toEqual([request])
    expect(response.httpStatusCode).toBe(204)
  })

  it('returns workloads as the server sent them, timestamps and unknown fields included', async () => {
    const withNewField = { ...deployment, spec: { ...deployment.spec, fieldFromANewerServer: true } }
    reply = () => ({ status: 200, body: JSON.stringify(withNewField) })
    const api = new KubernetesWorkloadApi(
      createKubeConfig({ kubeconfig: kubeconfig(true), env: {} }).kubeConfig
    )
    const read = await api.getWorkload({ kind: 'Deployment', namespace: 'prod', name: 'api' })
    expect(read).toEqual(withNewField)
  })

  it('turns an error Status into a KubernetesApiError carrying the code, reason and server message', async () => {
    reply = () => ({
      status: 422,
      body: JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        reason: 'Invalid',
        code: 422,
        message: 'Deployment.apps "api" is invalid: spec.template.spec.containers[0].image: Required value'
      })
    })
    const api = new KubernetesWorkloadApi(
      createKubeConfig({ kubeconfig: kubeconfig(true), env: {} }).kubeConfig
    )
    const failure = await api
      .patchWorkload({ kind: 'Deployment', namespace: 'prod', name: 'api' }, { spec: {} }, { dryRun: true })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(KubernetesApiError)
    expect(failure).toMatchObject({
      code: 422,
      reason: 'Invalid',
      serverMessage:
        'Deployment.apps "api" is invalid: spec.template.spec.containers[0].image: Required value'
    })
  })

  it('sends the token an exec credential plugin prints, on API calls and on watches', async () => {
    // What aws eks get-token, gke-gcloud-auth-plugin and kubelogin do: print an ExecCredential.
    const dir = mkdtempSync(join(tmpdir(), 'exec-plugin-'))
    const plugin = join(dir, 'get-token.mjs')
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-' + process.env.CLUSTER_NAME } }))`
    )
    const content = [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
      `users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(plugin)}], env: [{ name: CLUSTER_NAME, value: prod }], interactiveMode: Never } } }]`,
      'contexts: [{ name: x, context: { cluster: c, user: u } }]',
      'current-context: x'
    ].join('\n')
    reply = (request) =>
      request.url.includes('watch=true')
        ? { status: 200, body: `${JSON.stringify({ type: 'ADDED', object: deployment })}\n` }
        : { status: 200, body: JSON.stringify(deployment) }
    const api = new KubernetesWorkloadApi(createKubeConfig({ kubeconfig: content, env: {} }).kubeConfig)
    await api.patchWorkload(
      { kind: 'Deployment', namespace: 'prod', name: 'api' },
      { spec: {} },
      { dryRun: true }
    )
    expect(seen.at(-1)!.headers['authorization']).toBe('Bearer exec-prod')
    const events = await watchToEnd(api, { resource: 'Deployment', namespace: 'prod' })
    expect(seen.at(-1)!.url).toContain('/apis/apps/v1/namespaces/prod/deployments?watch=true')
    expect(seen.at(-1)!.headers['authorization']).toBe('Bearer exec-prod')
    expect(events).toEqual(['ADDED'])
  })

  it('reports an unreachable API server with the connection error', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const { kubeConfig } = createKubeConfig({
      kubeconfig: kubeconfig(true).replace(url, `http://127.0.0.1:${port}`),
      env: {}
    })
    // Connection failures are retried first (fast-forwarded here): the error is the last attempt's.
    const failure = await new KubernetesWorkloadApi(kubeConfig, { clock: new FastForwardClock() })
      .getWorkload({ kind: 'Deployment', namespace: 'prod', name: 'api' })
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 0 })
    expect((failure as Error).message).toMatch(
      /^could not reach the Kubernetes API to get deployments.apps "api" in namespace prod: .*ECONNREFUSED/
    )
  })
})
