import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'
import { createTestPki, type TestPki } from '../../support/test-pki.js'
import { watchToEnd } from '../support/watch-to-end.js'

/**
 * The connection a kubeconfig describes, over real TLS: the API server verified against the
 * kubeconfig's CA, a client certificate presented, and the request path that client-node
 * uses for a cluster with no TLS options at all (its own fetch, the system's roots).
 */
let pki: TestPki
let server: Server
let url: string
const clients: Array<string | undefined> = []

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'prod', generation: 1 }
}

beforeAll(async () => {
  pki = createTestPki()
  server = createServer(
    { key: pki.key, cert: pki.cert, ca: pki.caPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket
      const subject = socket.authorized ? socket.getPeerCertificate().subject : undefined
      clients.push(subject ? String(subject.CN) : undefined)
      res.writeHead(200, { 'content-type': 'application/json' })
      if (req.url?.includes('watch=true'))
        res.end(`${JSON.stringify({ type: 'ADDED', object: deployment })}\n`)
      else res.end(JSON.stringify(deployment))
    }
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  pki.remove()
})

const base64 = (text: string) => Buffer.from(text).toString('base64')

function api(cluster: Record<string, string | boolean>, user: Record<string, string>): KubernetesWorkloadApi {
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: url, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x'
  })
  return new KubernetesWorkloadApi(createKubeConfig({ kubeconfig, env: {} }).kubeConfig)
}

const ref = { kind: 'Deployment' as const, namespace: 'prod', name: 'api' }

describe('TLS connections from a kubeconfig', () => {
  it("verifies the server against the kubeconfig's CA and presents its client certificate, for calls and watches", async () => {
    const client = api(
      { 'certificate-authority-data': base64(pki.caPem) },
      { 'client-certificate-data': base64(pki.clientCert), 'client-key-data': base64(pki.clientKey) }
    )
    clients.length = 0
    expect(await client.getWorkload(ref)).toEqual(deployment)
    expect(await watchToEnd(client, { resource: 'Deployment', namespace: 'prod' })).toEqual(['ADDED'])
    expect(clients).toEqual(['promote-action', 'promote-action'])
  })

  it('refuses a server whose certificate another CA signed, saying it could not reach the API', async () => {
    const failure = await api({ 'certificate-authority-data': base64(pki.otherCaPem) }, { token: 't0ken' })
      .getWorkload(ref)
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 0 })
    expect((failure as Error).message).toMatch(
      /^could not reach the Kubernetes API to get deployments.apps "api" in namespace prod: .*certificate/
    )
    // Sent on the Agent client-node attached (Dispatcher.request), not through fetch.
    expect((failure as Error).message).not.toContain('fetch failed')
  })

  it("verifies a cluster with no TLS options against the system's roots (client-node's own fetch)", async () => {
    const failure = await api({}, { token: 't0ken' })
      .getWorkload(ref)
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 0 })
    expect((failure as Error).message).toMatch(
      /: fetch failed: self-signed certificate in certificate chain$/
    )
  })

  it('skips verification only when the kubeconfig says insecure-skip-tls-verify', async () => {
    expect(await api({ 'insecure-skip-tls-verify': true }, { token: 't0ken' }).getWorkload(ref)).toEqual(
      deployment
    )
  })
})
