import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { KubeConfig, RequestContext } from '@kubernetes/client-node'
import { startKubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import type { KubernetesSimulator } from '../../../simulator/kubernetes/simulator-types.js'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { reuseConnections } from '../../../src/kubernetes/api/connection-reuse.js'
import { cuttableApi, eventually } from '../support/cluster.js'
import { deploymentManifest } from '../support/fixtures.js'

let sim: KubernetesSimulator

beforeAll(async () => {
  sim = await startKubernetesSimulator({ namespaces: ['prod'] })
  sim.create(deploymentManifest({ name: 'api', namespace: 'prod', image: 'ghcr.io/acme/api:v1' }))
})
afterAll(async () => {
  await sim.close()
})

/** The dispatcher client-node would hand to fetch for one request of this KubeConfig. */
async function dispatcherOf(kubeConfig: KubeConfig): Promise<unknown> {
  const context = new RequestContext(`${kubeConfig.getCurrentCluster()!.server}/version`, 'GET' as never)
  await kubeConfig.applySecurityAuthentication(context)
  return context.getDispatcher()
}

describe('connection reuse', () => {
  it('sends the requests of one cluster connection over reused keep-alive connections', async () => {
    // The simulator's kubeconfig sets insecure-skip-tls-verify, so client-node builds an
    // undici Agent per request: without reuse every request below would open a connection.
    const proxied = await cuttableApi(sim)
    try {
      for (let i = 0; i < 10; i++) await proxied.api.listWorkloads('Deployment', 'prod')
      await proxied.api.getWorkload({ kind: 'Deployment', name: 'api', namespace: 'prod' })
      // undici hands a socket back to the pool a moment after the response is read, so a
      // request sent at once may still open a second connection; never one per request.
      expect(proxied.connections()).toBeLessThanOrEqual(2)
    } finally {
      await proxied.close()
    }
  })

  it('opens a new connection after the old one was cut', async () => {
    const proxied = await cuttableApi(sim)
    try {
      await proxied.api.listWorkloads('Deployment', 'prod')
      proxied.cut()
      await eventually(() => proxied.connections() === 1)
      // The pool notices the closed socket; the next request connects again and succeeds.
      let list: Awaited<ReturnType<typeof proxied.api.listWorkloads>> | undefined
      for (let attempt = 0; attempt < 3 && !list; attempt++) {
        try {
          list = await proxied.api.listWorkloads('Deployment', 'prod')
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
      expect(list?.items.map((d) => d.metadata?.name)).toEqual(['api'])
      expect(proxied.connections()).toBeGreaterThanOrEqual(2)
    } finally {
      await proxied.close()
    }
  })

  it('gives every request of a KubeConfig the same pool while its connection options stay the same', async () => {
    const { kubeConfig } = createKubeConfig({ kubeconfig: sim.kubeconfig(), env: {} })
    const first = await dispatcherOf(kubeConfig)
    expect(first).toBeDefined()
    expect(await dispatcherOf(kubeConfig)).toBe(first)
  })

  it('builds a new pool when the connection options change', async () => {
    const kubeConfig = new KubeConfig()
    kubeConfig.loadFromString(sim.kubeconfig())
    reuseConnections(kubeConfig)
    const before = await dispatcherOf(kubeConfig)
    // What a rotated CA (or an exec plugin's new client certificate) looks like to client-node.
    const cluster = kubeConfig.getCurrentCluster()!
    kubeConfig.clusters = kubeConfig.clusters.map((c) =>
      c.name === cluster.name ? { ...c, caData: Buffer.from('another CA').toString('base64') } : c
    )
    const after = await dispatcherOf(kubeConfig)
    expect(after).toBeDefined()
    expect(after).not.toBe(before)
  })
})
