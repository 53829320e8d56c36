import { describe, expect, it } from '@jest/globals'
import type { V1PodDisruptionBudget, V1PodDisruptionBudgetSpec } from '@kubernetes/client-node'
import { assessDisruptionBudget } from '../../src/environment-checks/disruption-budget.js'
import type { Workload, WorkloadKind } from '../../src/kubernetes/api/workload-types.js'
import { APP_LABELS, daemonSet, deployment, statefulSet } from './support/workloads.js'

function pdb(
  name: string,
  spec: Partial<V1PodDisruptionBudgetSpec>,
  namespace = 'production'
): V1PodDisruptionBudget {
  return { metadata: { name, namespace }, spec: { selector: { matchLabels: APP_LABELS }, ...spec } }
}

/** The seed's PDB: minAvailable 2 over app=my-app. */
const SEED_PDB = pdb('my-app-pdb', { minAvailable: 2 })

const problems = (kind: WorkloadKind, workload: Workload, budgets: V1PodDisruptionBudget[], floor?: number) =>
  assessDisruptionBudget({ kind, workload, budgets, floor }).findings.map((f) => f.problem)

describe('assessDisruptionBudget', () => {
  it('passes the seed PDB over a 3-replica Deployment: one disruption allowed, floor 2 met', () => {
    const assessment = assessDisruptionBudget({
      kind: 'Deployment',
      workload: deployment({ replicas: 3 }),
      budgets: [SEED_PDB]
    })
    expect(assessment).toMatchObject({
      workload: 'deployment/my-app',
      budgets: ['my-app-pdb'],
      replicas: 3,
      desiredHealthy: 2,
      allowedDisruptions: 1,
      rolloutMinimum: 3,
      findings: []
    })
  })

  it.each<[string, V1PodDisruptionBudget[], Workload, string[]]>([
    ['no PDB at all', [], deployment(), ['no-budget']],
    [
      'a PDB in another namespace',
      [pdb('my-app-pdb', { minAvailable: 2 }, 'staging')],
      deployment(),
      ['no-budget']
    ],
    [
      'a PDB whose selector does not match',
      [pdb('other', { minAvailable: 1, selector: { matchLabels: { app: 'other' } } })],
      deployment(),
      ['no-budget']
    ],
    [
      'a PDB without a selector (selects nothing)',
      [{ metadata: { name: 'none', namespace: 'production' }, spec: { minAvailable: 1 } }],
      deployment(),
      ['no-budget']
    ],
    [
      'two PDBs selecting the pods',
      [SEED_PDB, pdb('tier-pdb', { maxUnavailable: 1, selector: { matchLabels: { tier: 'web' } } })],
      deployment(),
      ['several-budgets']
    ],
    [
      'minAvailable equal to the replicas',
      [pdb('p', { minAvailable: 3 })],
      deployment({ replicas: 3 }),
      ['blocks-drains']
    ],
    ['maxUnavailable 0', [pdb('p', { maxUnavailable: 0 })], deployment({ replicas: 3 }), ['blocks-drains']],
    [
      'minAvailable 100%',
      [pdb('p', { minAvailable: '100%' })],
      deployment({ replicas: 3 }),
      ['blocks-drains']
    ],
    [
      'neither minAvailable nor maxUnavailable (the controller allows nothing)',
      [pdb('p', {})],
      deployment({ replicas: 3 }),
      ['blocks-drains']
    ],
    [
      'minAvailable above the replicas',
      [pdb('p', { minAvailable: 4 })],
      deployment({ replicas: 3 }),
      ['unsatisfiable']
    ],
    [
      'minAvailable 1, below the floor of 2',
      [pdb('p', { minAvailable: 1 })],
      deployment({ replicas: 3 }),
      ['below-floor']
    ],
    [
      'maxUnavailable 50% of 3 rounds up to 2, leaving 1',
      [pdb('p', { maxUnavailable: '50%' })],
      deployment({ replicas: 3 }),
      ['below-floor']
    ],
    ['an invalid minAvailable', [pdb('p', { minAvailable: 'two' })], deployment(), ['invalid-budget']],
    [
      'a rollout that may go below the budget (10 replicas, 25% unavailable, minAvailable 9)',
      [pdb('p', { minAvailable: 9 })],
      deployment({ replicas: 10 }),
      ['rollout-below-budget']
    ],
    [
      'a Recreate Deployment (every pod down during the rollout)',
      [SEED_PDB],
      deployment({ replicas: 3, strategy: { type: 'Recreate' } }),
      ['rollout-below-budget']
    ]
  ])('reports %s', (_case, budgets, workload, expected) => {
    expect(problems('Deployment', workload, budgets)).toEqual(expected)
  })

  it('matches selectors with matchExpressions', () => {
    const byExpression = pdb('p', {
      minAvailable: 2,
      selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }
    })
    expect(problems('Deployment', deployment(), [byExpression])).toEqual([])
  })

  it('selects every pod with an empty selector (policy/v1)', () => {
    expect(problems('Deployment', deployment(), [pdb('all', { minAvailable: 2, selector: {} })])).toEqual([])
  })

  it('uses a configured floor', () => {
    expect(problems('Deployment', deployment({ replicas: 5 }), [pdb('p', { minAvailable: 3 })], 4)).toEqual([
      'below-floor'
    ])
  })

  it('judges a StatefulSet one pod at a time', () => {
    const budget = pdb('db', { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } })
    expect(
      assessDisruptionBudget({
        kind: 'StatefulSet',
        workload: statefulSet({ replicas: 3 }),
        budgets: [budget]
      })
    ).toMatchObject({
      desiredHealthy: 2,
      allowedDisruptions: 1,
      rolloutMinimum: 2,
      findings: []
    })
  })

  it('counts a DaemonSet by its desired number scheduled', () => {
    const budget = pdb('agent', { maxUnavailable: 1, selector: { matchLabels: { app: 'agent' } } })
    expect(
      assessDisruptionBudget({ kind: 'DaemonSet', workload: daemonSet({ desired: 4 }), budgets: [budget] })
    ).toMatchObject({
      replicas: 4,
      desiredHealthy: 3,
      allowedDisruptions: 1,
      findings: []
    })
  })

  it('names the budgets and says why in the messages', () => {
    const [finding] = assessDisruptionBudget({
      kind: 'Deployment',
      workload: deployment({ replicas: 2 }),
      budgets: [SEED_PDB]
    }).findings
    expect(finding).toEqual({
      problem: 'blocks-drains',
      severity: 'error',
      budget: 'my-app-pdb',
      message:
        'deployment/my-app: PodDisruptionBudget my-app-pdb (minAvailable: 2) allows 0 disruptions with 2 replicas, so every node drain blocks on these pods'
    })
  })
})
