import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { disruption } from '../../src/gates/disruption.js'
import { environment, startGateHarness, type GateHarness } from './support/gate-harness.js'
import { readsSince, startGateCluster, webDeployment, type GateCluster } from './support/cluster.js'

function budget(name: string, spec: object, app = 'web') {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: { app } }, ...spec }
  }
}

describe('disruption gate (Kubernetes simulator)', () => {
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
    h.run(disruption, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true, ...overrides })
  const web = (replicas: number, strategy?: object) => {
    const d = webDeployment('shop', 'ghcr.io/acme/shop-web:1', replicas) as { spec: Record<string, unknown> }
    if (strategy) d.spec['strategy'] = strategy
    cluster.sim.create(d)
  }

  it("passes with the seed's budget: minAvailable 2 of 3 replicas", async () => {
    web(3)
    cluster.sim.create(budget('web-pdb', { minAvailable: 2 }))
    const result = await run()
    expect(result).toMatchObject({
      status: 'passed',
      summary:
        'every target workload in production (1) has a PodDisruptionBudget that drains can honour, keeping at least 2 pod(s)',
      evidence: [
        {
          label: 'default/shop/deployment/web',
          value: '✓ web-pdb: 2 of 3 kept available, 1 disruption(s) allowed'
        }
      ]
    })
  })

  it.each([
    ['no budget', undefined, [], 'no PodDisruptionBudget selects its pods'],
    [
      'a budget that blocks every drain',
      3,
      [budget('web-pdb', { minAvailable: 3 })],
      'allows 0 disruptions with 3 replicas'
    ],
    [
      'a budget below the floor',
      3,
      [budget('web-pdb', { maxUnavailable: 2 })],
      'keeps 1 pod available with 3 replicas; at least 2 required'
    ],
    [
      'two budgets',
      3,
      [budget('a', { minAvailable: 1 }), budget('b', { minAvailable: 2 })],
      '2 PodDisruptionBudgets select its pods (a, b)'
    ],
    [
      'an unsatisfiable budget',
      2,
      [budget('web-pdb', { minAvailable: 3 })],
      'wants 3 healthy pods but the workload runs 2'
    ]
  ])('fails with %s', async (_what, replicas, budgets, message) => {
    web(replicas ?? 3)
    for (const b of budgets) cluster.sim.create(b)
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toContain(message)
  })

  it('warns, without failing, when the rollout strategy may go below the budget', async () => {
    web(3, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } })
    cluster.sim.create(budget('web-pdb', { minAvailable: 2 }))
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.warnings).toEqual([
      'deployment/web: the RollingUpdate rollout may take it down to 1 available pod, below the 2 PodDisruptionBudget web-pdb keeps; node drains stall while a rollout runs'
    ])
  })

  it('takes the floor from its settings', async () => {
    web(2)
    cluster.sim.create(budget('web-pdb', { minAvailable: 1 }))
    expect((await run()).status).toBe('failed')
    expect((await run({ floor: 1 })).status).toBe('passed')
  })

  it('reads one PodDisruptionBudget list per namespace for all its workloads', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      cluster.sim.create(webDeployment('shop', 'ghcr.io/acme/shop-web:1', 3, name))
      cluster.sim.create(budget(`${name}-pdb`, { minAvailable: 2 }, name))
    }
    const from = cluster.sim.requestLog.length
    const targets = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }))
    const result = await run({}, { environment: environment({ targets }) })
    expect(result.status).toBe('passed')
    expect(readsSince(cluster.sim, from).sort()).toEqual([
      '/apis/apps/v1/namespaces/shop/deployments',
      '/apis/policy/v1/namespaces/shop/poddisruptionbudgets'
    ])
  })
})
