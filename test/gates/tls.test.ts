import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { tls } from '../../src/gates/tls.js'
import { startGateHarness, type GateHarness } from './support/gate-harness.js'
import { readsSince, startGateCluster, type GateCluster } from './support/cluster.js'

function ingress(name: string, hosts: string[], tlsHosts: string[] | undefined) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'shop' },
    spec: {
      ingressClassName: 'nginx',
      rules: hosts.map((host) => ({ host })),
      ...(tlsHosts ? { tls: [{ hosts: tlsHosts, secretName: `${name}-tls` }] } : {})
    }
  }
}

function gateway(listeners: object[]) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'public', namespace: 'infra' },
    spec: { gatewayClassName: 'example', listeners }
  }
}

const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { parentRefs: [{ name: 'public', namespace: 'infra' }], hostnames: ['shop.example.com'] }
}
const everyNamespace = { namespaces: { from: 'All' } }

describe('tls gate (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger, ['shop-staging', 'shop', 'infra'], { crds: true })
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const run = (settings: unknown = {}) =>
    h.run(tls, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true })

  it('passes when every Ingress host is covered by a TLS entry, wildcards included', async () => {
    cluster.sim.create(
      ingress('web', ['shop.example.com', 'api.example.com'], ['shop.example.com', '*.example.com'])
    )
    expect(await run()).toMatchObject({
      status: 'passed',
      summary: 'every host production serves has TLS (1 Ingress(es) and HTTPRoute(s))'
    })
  })

  it('names the hosts served without TLS', async () => {
    cluster.sim.create(ingress('web', ['shop.example.com', 'a.b.example.com'], ['*.example.com']))
    cluster.sim.create(ingress('admin', ['admin.example.com'], undefined))
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toBe('production serves 2 host(s) without TLS: admin.example.com, a.b.example.com')
  })

  it('lets allow-hosts exempt a host', async () => {
    cluster.sim.create(ingress('admin', ['health.internal.example.com'], undefined))
    expect((await run({ 'allow-hosts': ['*.internal.example.com'] })).status).toBe('passed')
  })

  it('judges HTTPRoutes by the Gateway listeners they attach to', async () => {
    cluster.sim.create(gateway([{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: everyNamespace }]))
    cluster.sim.create(route)
    const plain = await run()
    expect(plain.status).toBe('failed')
    expect(plain.evidence[0]).toEqual({
      label: 'httproute/web in shop',
      value: '✗ httproute/web in shop: shop.example.com is served without TLS (listeners http HTTP/80)'
    })

    cluster.sim.delete('gateways', 'infra', 'public')
    cluster.sim.create(
      gateway([
        {
          name: 'https',
          port: 443,
          protocol: 'HTTPS',
          hostname: '*.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ name: 'wildcard-tls' }] },
          allowedRoutes: everyNamespace
        }
      ])
    )
    expect((await run()).status).toBe('passed')
  })

  it('reads each kind once per namespace, and Gateways once per namespace the routes name', async () => {
    cluster.sim.create(gateway([{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: everyNamespace }]))
    for (const name of ['a', 'b', 'c']) {
      cluster.sim.create({ ...route, metadata: { name, namespace: 'shop' } })
      cluster.sim.create(ingress(name, [`${name}.example.com`], [`${name}.example.com`]))
    }
    const from = cluster.sim.requestLog.length
    await run()
    expect(readsSince(cluster.sim, from).sort()).toEqual([
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways',
      '/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes',
      '/apis/networking.k8s.io/v1/namespaces/shop/ingresses'
    ])
  })
})

describe('tls gate on a cluster without the Gateway API', () => {
  it('checks the Ingresses and says the routes were not there to check', async () => {
    const h = await startGateHarness()
    const cluster = await startGateCluster(h.logger)
    try {
      cluster.sim.create(ingress('web', ['shop.example.com'], ['shop.example.com']))
      const result = await h.run(tls, {}, { kubernetes: cluster.kubernetes, kubernetesConfigured: true })
      expect(result.status).toBe('passed')
      expect(result.evidence).toEqual([
        { label: 'checked', value: '1 Ingress(es) and HTTPRoute(s); default does not serve HTTPRoutes' }
      ])
    } finally {
      await cluster.close()
      await h.close()
    }
  })
})
