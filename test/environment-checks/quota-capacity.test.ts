import { describe, expect, it } from '@jest/globals'
import type { V1ResourceQuota } from '@kubernetes/client-node'
import {
  neededForRollout,
  quotaCapacity,
  type QuotaCapacityInput
} from '../../src/environment-checks/quota-capacity.js'
import { container, daemonSet, deployment, statefulSet } from './support/workloads.js'

function quota(
  name: string,
  hard: Record<string, string>,
  used: Record<string, string> | undefined,
  spec: Partial<V1ResourceQuota['spec']> = {}
): V1ResourceQuota {
  return {
    metadata: { name, namespace: 'production' },
    spec: { hard, ...spec },
    ...(used ? { status: { hard, used } } : {})
  }
}

/**
 * The pass case: 3 replicas of 250m/256Mi requests (500m/512Mi limits) running; the default
 * 25% surge rounds up to 1 pod, which needs 250m, 256Mi, 500m and 512Mi of limits, 1 pod.
 */
const ROOMY = quota(
  'compute',
  {
    'requests.cpu': '2',
    'requests.memory': '2Gi',
    'limits.cpu': '4',
    'limits.memory': '4Gi',
    pods: '10',
    'count/pods': '10'
  },
  {
    'requests.cpu': '750m',
    'requests.memory': '768Mi',
    'limits.cpu': '1500m',
    'limits.memory': '1536Mi',
    pods: '3',
    'count/pods': '3'
  }
)

const run = (input: Partial<QuotaCapacityInput>) =>
  quotaCapacity({ kind: 'Deployment', workload: deployment({ replicas: 3 }), quotas: [ROOMY], ...input })

describe('quotaCapacity', () => {
  it('passes when the quota leaves room for the surge pod', () => {
    const result = run({})
    expect(result.findings).toEqual([])
    expect(result.rollout).toMatchObject({ maxSurge: 1, replicas: 3 })
    expect(result.perPod).toEqual({
      'requests.cpu': '250m',
      'requests.memory': '256Mi',
      'limits.cpu': '500m',
      'limits.memory': '512Mi',
      pods: '1',
      'count/pods': '1'
    })
  })

  it.each<[string, V1ResourceQuota, string[]]>([
    [
      'requests.cpu short by 50m',
      quota('cpu', { 'requests.cpu': '950m' }, { 'requests.cpu': '750m' }),
      ['insufficient requests.cpu']
    ],
    [
      'bare memory (requests) short',
      quota('mem', { memory: '1Gi' }, { memory: '800Mi' }),
      ['insufficient memory']
    ],
    [
      'limits.memory exactly full',
      quota('lim', { 'limits.memory': '1536Mi' }, { 'limits.memory': '1536Mi' }),
      ['insufficient limits.memory']
    ],
    ['no pod left', quota('pods', { pods: '3' }, { pods: '3' }), ['insufficient pods']],
    [
      'no count/pods left',
      quota('count', { 'count/pods': '3' }, { 'count/pods': '3' }),
      ['insufficient count/pods']
    ],
    [
      'ephemeral-storage the containers do not request (counts 0, needs nothing)',
      quota('eph', { 'requests.ephemeral-storage': '1Gi' }, { 'requests.ephemeral-storage': '1Gi' }),
      []
    ],
    [
      'a quota the controller has not counted yet',
      quota('fresh', { 'requests.cpu': '10' }, undefined),
      ['no-status requests.cpu']
    ],
    [
      'an invalid hard quantity',
      quota('bad', { 'requests.cpu': 'ten' }, { 'requests.cpu': '0' }),
      ['invalid-quantity requests.cpu']
    ]
  ])('reports %s', (_case, q, expected) => {
    expect(
      run({ quotas: [q] }).findings.map((f) => `${f.problem}${f.resource ? ` ${f.resource}` : ''}`)
    ).toEqual(expected)
  })

  it('says how much is left and needed, in the quantity units people write', () => {
    const [finding] = run({
      quotas: [quota('cpu', { 'requests.cpu': '950m' }, { 'requests.cpu': '750m' })]
    }).findings
    expect(finding).toMatchObject({ hard: '950m', used: '750m', needed: '250m' })
    expect(finding!.message).toBe(
      'deployment/my-app: quota cpu leaves 200m of requests.cpu (hard 950m, used 750m); the rollout needs 250m more (RollingUpdate, 3 replicas, 1 surge pod)'
    )
  })

  it('reports containers without a cpu request under a quota that tracks requests.cpu', () => {
    const workload = deployment({
      pod: {
        containers: [container(), container({ name: 'sidecar', resources: { requests: { memory: '10Mi' } } })]
      }
    })
    const result = run({
      workload,
      quotas: [quota('cpu', { 'requests.cpu': '10' }, { 'requests.cpu': '0' })]
    })
    expect(result.findings.map((f) => f.problem)).toEqual(['unspecified'])
    expect(result.findings[0]!.message).toContain('must specify requests.cpu for: sidecar')
  })

  it('counts the surge of 10 replicas at 25% as 3 pods', () => {
    const result = run({
      workload: deployment({ replicas: 10 }),
      quotas: [quota('pods', { pods: '12' }, { pods: '10' })]
    })
    expect(result.findings[0]).toMatchObject({ problem: 'insufficient', needed: '3' })
  })

  it('needs no room for a StatefulSet whose pods keep their size', () => {
    const full = quota('full', { 'requests.cpu': '750m', pods: '3' }, { 'requests.cpu': '750m', pods: '3' })
    expect(quotaCapacity({ kind: 'StatefulSet', workload: statefulSet(), quotas: [full] }).findings).toEqual(
      []
    )
  })

  it('needs room for larger pods even without a surge (Recreate), when told the running template', () => {
    const workload = deployment({ replicas: 3, strategy: { type: 'Recreate' } })
    const current = deployment({
      pod: { containers: [container({ resources: { requests: { cpu: '100m' } } })] }
    }).spec!.template
    const q = quota('cpu', { 'requests.cpu': '500m' }, { 'requests.cpu': '300m' })
    // 3 × (250m − 100m) = 450m more, 200m left.
    expect(
      quotaCapacity({ kind: 'Deployment', workload, quotas: [q], currentTemplate: current }).findings[0]
    ).toMatchObject({
      problem: 'insufficient',
      needed: '450m'
    })
  })

  it('counts a surging DaemonSet against its desired number scheduled', () => {
    const q = quota('pods', { pods: '5' }, { pods: '4' })
    const result = quotaCapacity({
      kind: 'DaemonSet',
      workload: daemonSet({ desired: 4, maxSurge: '50%', maxUnavailable: 0 }),
      quotas: [q]
    })
    expect(result.findings[0]).toMatchObject({ problem: 'insufficient', needed: '2' })
  })

  it.each<[string, Partial<V1ResourceQuota['spec']>, number]>([
    ['a BestEffort-scoped quota (the pods have requests)', { scopes: ['BestEffort'] }, 0],
    ['a Terminating-scoped quota (no activeDeadlineSeconds)', { scopes: ['Terminating'] }, 0],
    ['a NotBestEffort-scoped quota', { scopes: ['NotBestEffort'] }, 1],
    [
      'a quota for another priority class',
      {
        scopeSelector: {
          matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }]
        }
      },
      0
    ],
    [
      'a quota for pods without a priority class',
      { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } },
      1
    ]
  ])('applies scopes: %s', (_case, spec, findings) => {
    const q = quota('scoped', { pods: '3' }, { pods: '3' }, spec)
    expect(run({ quotas: [q] }).findings).toHaveLength(findings)
  })

  it('ignores quotas of other namespaces and resources a rollout does not touch', () => {
    const other = {
      ...quota('pods', { pods: '3' }, { pods: '3' }),
      metadata: { name: 'pods', namespace: 'staging' }
    }
    const services = quota(
      'svc',
      { services: '1', 'count/deployments.apps': '1' },
      { services: '1', 'count/deployments.apps': '1' }
    )
    expect(run({ quotas: [other, services] }).findings).toEqual([])
  })
})

describe('neededForRollout', () => {
  it.each<[string, number, number, bigint, bigint, bigint]>([
    ['same size, one surge pod', 3, 1, 10n, 10n, 10n],
    ['larger pods, one surge pod: all new plus one old', 3, 1, 20n, 10n, 40n],
    ['smaller pods, one surge pod', 3, 1, 5n, 10n, 5n],
    ['larger pods without surge', 3, 0, 20n, 10n, 30n],
    ['smaller pods without surge', 3, 0, 5n, 10n, 0n]
  ])('%s', (_case, replicas, maxSurge, perNew, perOld, expected) => {
    expect(neededForRollout({ replicas, maxSurge }, perNew, perOld)).toBe(expected)
  })
})
