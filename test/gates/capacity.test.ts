import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { capacity } from '../../src/gates/capacity.js'
import { environment, startGateHarness, type GateHarness } from './support/gate-harness.js'
import { readsSince, rolledOut, startGateCluster, type GateCluster } from './support/cluster.js'

function app(name: string, replicas: number, resources: object | undefined, strategy?: object) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      ...(strategy ? { strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'ghcr.io/acme/shop-web:1', ...(resources ? { resources } : {}) }]
        }
      }
    }
  }
}

const small = { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }

describe('capacity gate (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger)
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const run = (settings: unknown = {}, overrides = {}) =>
    h.run(capacity, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true, ...overrides })

  function quota(hard: Record<string, string>, name = 'compute') {
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name, namespace: 'shop' },
      spec: { hard }
    })
  }
  /** Waits for the quota controller to count what runs. */
  async function counted(resource: string, value: string, name = 'compute') {
    const until = Date.now() + 5000
    for (;;) {
      const q = cluster.sim.get('resourcequotas', 'shop', name) as {
        status?: { used?: Record<string, string> }
      }
      if (q.status?.used?.[resource] === value) return
      if (Date.now() > until) throw new Error(`quota used ${resource} is ${JSON.stringify(q.status?.used)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('passes when the quota leaves room for the surge pods', async () => {
    quota({ 'requests.cpu': '1', 'limits.memory': '1Gi', pods: '10' })
    cluster.sim.create(app('web', 2, small))
    await rolledOut(cluster.sim, 'shop')
    await counted('requests.cpu', '500m')
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.evidence).toEqual([
      {
        label: 'default/shop/deployment/web',
        value:
          '✓ RollingUpdate, 2 replicas, 1 surge pod(s); per pod requests.cpu 250m, limits.memory 256Mi, pods 1'
      }
    ])
  })

  it('fails when the surge pods would exceed the quota, saying by how much', async () => {
    quota({ 'requests.cpu': '700m' })
    cluster.sim.create(app('web', 2, small))
    await rolledOut(cluster.sim, 'shop')
    await counted('requests.cpu', '500m')
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      'the rollout in production would not fit its quota: deployment/web: quota compute leaves 200m of requests.cpu (hard 700m, used 500m); the rollout needs 250m more (RollingUpdate, 2 replicas, 1 surge pod)'
    )
  })

  it('judges the targets of one namespace together, as they roll out at once', async () => {
    quota({ 'requests.cpu': '1250m' })
    cluster.sim.create(app('a', 2, small))
    cluster.sim.create(app('b', 2, small))
    await counted('requests.cpu', '1')
    const alone = await run({}, { environment: environment({ targets: [{ name: 'a' }] }) })
    expect(alone.status).toBe('passed')
    const together = await run({}, { environment: environment({ targets: [{ name: 'a' }, { name: 'b' }] }) })
    expect(together.status).toBe('failed')
    expect(together.summary).toContain(
      'deployment/b: quota compute leaves 0 of requests.cpu (hard 1250m, used 1250m); the rollout needs 250m more (RollingUpdate, 2 replicas, 1 surge pod); used counts 250m for the surge pods of the targets rolled out with it'
    )
  })

  it('fails on the pod count, and on a tracked resource the containers do not state', async () => {
    quota({ pods: '2', 'requests.memory': '1Gi' })
    cluster.sim.create(app('web', 2, { requests: { cpu: '100m', memory: '64Mi' } }))
    await counted('pods', '2')
    const tight = await run()
    expect(tight.status).toBe('failed')
    expect(tight.summary).toContain('quota compute leaves 0 of pods (hard 2, used 2)')

    cluster.sim.delete('resourcequotas', 'shop', 'compute')
    cluster.sim.delete('deployments', 'shop', 'web')
    quota({ 'requests.memory': '1Gi' }, 'memory')
    cluster.sim.create(app('web', 0, undefined))
    await counted('requests.memory', '0', 'memory')
    const unstated = await run()
    expect(unstated.status).toBe('failed')
    expect(unstated.summary).toContain('must specify requests.memory for: app')
  })

  it("applies the namespace's LimitRange defaults to containers that state nothing", async () => {
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults', namespace: 'shop' },
      spec: {
        limits: [{ type: 'Container', defaultRequest: { memory: '64Mi' }, default: { memory: '128Mi' } }]
      }
    })
    quota({ 'requests.memory': '1Gi' }, 'memory')
    cluster.sim.create(app('web', 0, undefined))
    await counted('requests.memory', '0', 'memory')
    expect((await run()).status).toBe('passed')
    expect((await run({ 'limit-ranges': false })).status).toBe('failed')
  })

  it('passes, saying so, when no quota counts the pods', async () => {
    cluster.sim.create(app('web', 2, small))
    const result = await run()
    expect(result).toMatchObject({
      status: 'passed',
      summary: "no ResourceQuota in production counts the target workloads' pods"
    })
  })

  it('reads the quotas and limit ranges once per namespace', async () => {
    quota({ 'requests.cpu': '100' })
    const names = Array.from({ length: 8 }, (_, i) => `svc-${i}`)
    for (const name of names) cluster.sim.create(app(name, 1, small))
    const from = cluster.sim.requestLog.length
    await run({}, { environment: environment({ targets: names.map((name) => ({ name })) }) })
    expect(readsSince(cluster.sim, from).sort()).toEqual([
      '/api/v1/namespaces/shop/limitranges',
      '/api/v1/namespaces/shop/resourcequotas',
      '/apis/apps/v1/namespaces/shop/deployments'
    ])
  })
})
