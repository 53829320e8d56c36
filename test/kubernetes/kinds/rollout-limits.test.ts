import { describe, expect, it } from '@jest/globals'
import { scaledIntOrPercent } from '../../../src/kubernetes/kinds/rollout-limits.js'
import { rolloutLimits } from '../../../src/kubernetes/kinds/workload-kinds.js'
import type { Workload, WorkloadKind } from '../../../src/kubernetes/api/workload-types.js'
import { daemonSet, deployment, statefulSet } from '../../environment-checks/support/workloads.js'

describe('rolloutLimits', () => {
  it.each<[string, WorkloadKind, Workload, { maxSurge: number; maxUnavailable: number; replicas: number }]>([
    [
      'a Deployment with the 25%/25% defaults (surge rounds up, unavailable down)',
      'Deployment',
      deployment({ replicas: 3 }),
      { replicas: 3, maxSurge: 1, maxUnavailable: 0 }
    ],
    [
      '10 replicas at 25%',
      'Deployment',
      deployment({ replicas: 10 }),
      { replicas: 10, maxSurge: 3, maxUnavailable: 2 }
    ],
    [
      'maxSurge 0 and a percentage that rounds to 0 (unavailable becomes 1)',
      'Deployment',
      deployment({
        replicas: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } }
      }),
      { replicas: 3, maxSurge: 0, maxUnavailable: 1 }
    ],
    [
      'a Recreate Deployment',
      'Deployment',
      deployment({ replicas: 4, strategy: { type: 'Recreate' } }),
      { replicas: 4, maxSurge: 0, maxUnavailable: 4 }
    ],
    [
      'a StatefulSet (one pod at a time, never a surge)',
      'StatefulSet',
      statefulSet(),
      { replicas: 3, maxSurge: 0, maxUnavailable: 1 }
    ],
    [
      'a StatefulSet with maxUnavailable 50% (rounds up)',
      'StatefulSet',
      statefulSet({ replicas: 3, maxUnavailable: '50%' }),
      { replicas: 3, maxSurge: 0, maxUnavailable: 2 }
    ],
    [
      'an OnDelete StatefulSet',
      'StatefulSet',
      statefulSet({ onDelete: true }),
      { replicas: 3, maxSurge: 0, maxUnavailable: 0 }
    ],
    [
      'a DaemonSet with the defaults',
      'DaemonSet',
      daemonSet({ desired: 4 }),
      { replicas: 4, maxSurge: 0, maxUnavailable: 1 }
    ],
    [
      'a surging DaemonSet (25% of 5 rounds up)',
      'DaemonSet',
      daemonSet({ desired: 5, maxSurge: '25%', maxUnavailable: 0 }),
      { replicas: 5, maxSurge: 2, maxUnavailable: 0 }
    ]
  ])('%s', (_case, kind, workload, expected) => {
    expect(rolloutLimits(kind, workload)).toMatchObject({ ...expected, problems: [] })
  })

  it('reports a value that is neither an int nor a percentage and falls back to the default', () => {
    const limits = rolloutLimits(
      'Deployment',
      deployment({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'two' } } })
    )
    expect(limits.maxSurge).toBe(1)
    expect(limits.problems).toEqual([
      'maxSurge "two" is not a non-negative integer or a percentage such as "25%"'
    ])
  })
})

describe('scaledIntOrPercent', () => {
  it.each<[number | string, number, boolean, number | undefined]>([
    [2, 10, true, 2],
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['100%', 3, true, 3],
    ['5', 10, true, undefined],
    ['1.5%', 10, true, undefined]
  ])('%j of %d (round up %s)', (value, total, up, expected) => {
    expect(scaledIntOrPercent(value, total, up)).toBe(expected)
  })
})
