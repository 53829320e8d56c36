import { describe, expect, it } from '@jest/globals'
import type {
  V1DaemonSet,
  V1Deployment,
  V1StatefulSet,
  V1StatefulSetUpdateStrategy
} from '@kubernetes/client-node'
import { daemonSetRolloutStatus } from '../../../src/kubernetes/kinds/daemonset.js'
import { deploymentRolloutStatus } from '../../../src/kubernetes/kinds/deployment.js'
import { statefulSetRolloutStatus } from '../../../src/kubernetes/kinds/statefulset.js'
import { rolloutStatus } from '../../../src/kubernetes/kinds/workload-kinds.js'

function deployment(fields: {
  generation?: number
  observedGeneration?: number
  replicas?: number
  statusReplicas?: number
  updated?: number
  available?: number
  revision?: string
  progressingReason?: string
}): V1Deployment {
  return {
    metadata: {
      name: 'api',
      generation: fields.generation ?? 2,
      annotations: fields.revision ? { 'deployment.kubernetes.io/revision': fields.revision } : {}
    },
    spec: { replicas: fields.replicas ?? 3, selector: {}, template: {} },
    status: {
      observedGeneration: fields.observedGeneration ?? 2,
      replicas: fields.statusReplicas ?? 3,
      updatedReplicas: fields.updated ?? 3,
      availableReplicas: fields.available ?? 3,
      conditions: fields.progressingReason
        ? [{ type: 'Progressing', status: 'False', reason: fields.progressingReason }]
        : []
    }
  }
}

describe('deploymentRolloutStatus', () => {
  it.each([
    [
      'spec change not yet observed',
      deployment({ generation: 3 }),
      undefined,
      { done: false, message: 'Waiting for deployment spec update to be observed...' }
    ],
    [
      'progress deadline exceeded',
      deployment({ progressingReason: 'ProgressDeadlineExceeded', updated: 1 }),
      undefined,
      { done: false, failed: true, message: 'deployment "api" exceeded its progress deadline' }
    ],
    [
      'progress deadline is read only from the reason',
      deployment({ progressingReason: 'NewReplicaSetAvailable' }),
      undefined,
      { done: true, message: 'deployment "api" successfully rolled out' }
    ],
    [
      'not all replicas updated',
      deployment({ updated: 1, statusReplicas: 4 }),
      undefined,
      {
        done: false,
        message:
          'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...'
      }
    ],
    [
      'old replicas pending termination',
      deployment({ statusReplicas: 5 }),
      undefined,
      {
        done: false,
        message: 'Waiting for deployment "api" rollout to finish: 2 old replicas are pending termination...'
      }
    ],
    [
      'updated replicas not yet available',
      deployment({ available: 1 }),
      undefined,
      {
        done: false,
        message: 'Waiting for deployment "api" rollout to finish: 1 of 3 updated replicas are available...'
      }
    ],
    [
      'everything updated and available',
      deployment({}),
      undefined,
      { done: true, message: 'deployment "api" successfully rolled out' }
    ],
    [
      'the requested revision is running',
      deployment({ revision: '4' }),
      4,
      { done: true, message: 'deployment "api" successfully rolled out' }
    ],
    [
      'a different revision is running',
      deployment({ revision: '3' }),
      4,
      {
        done: false,
        failed: true,
        message: 'desired revision (4) is different from the running revision (3)'
      }
    ],
    [
      'the revision annotation is missing',
      deployment({}),
      4,
      {
        done: false,
        failed: true,
        message:
          'cannot get the revision of deployment "api": invalid or missing deployment.kubernetes.io/revision annotation'
      }
    ],
    [
      'revision 0 means any revision',
      deployment({}),
      0,
      { done: true, message: 'deployment "api" successfully rolled out' }
    ],
    [
      'the revision is checked before the generation',
      deployment({ generation: 5, revision: '1' }),
      2,
      {
        done: false,
        failed: true,
        message: 'desired revision (2) is different from the running revision (1)'
      }
    ]
  ])('%s', (_case, object, revision, expected) => {
    expect(deploymentRolloutStatus(object, revision)).toEqual(expected)
  })

  it('is what rolloutStatus returns for a Deployment', () => {
    expect(rolloutStatus('Deployment', deployment({ available: 2 })).message).toContain(
      '2 of 3 updated replicas are available'
    )
  })
})

function statefulSet(fields: {
  generation?: number
  observedGeneration?: number
  replicas?: number
  ready?: number
  updated?: number
  current?: number
  strategy?: V1StatefulSetUpdateStrategy
  currentRevision?: string
  updateRevision?: string
}): V1StatefulSet {
  return {
    metadata: { name: 'db', generation: fields.generation ?? 2 },
    spec: {
      replicas: fields.replicas ?? 3,
      selector: {},
      serviceName: 'db',
      template: {},
      updateStrategy: fields.strategy ?? { type: 'RollingUpdate' }
    },
    status: {
      observedGeneration: fields.observedGeneration ?? 2,
      replicas: 3,
      readyReplicas: fields.ready ?? 3,
      updatedReplicas: fields.updated ?? 3,
      currentReplicas: fields.current ?? 3,
      currentRevision: fields.currentRevision ?? 'db-abc',
      updateRevision: fields.updateRevision ?? 'db-abc'
    }
  }
}

describe('statefulSetRolloutStatus', () => {
  it.each([
    [
      'OnDelete strategy',
      statefulSet({ strategy: { type: 'OnDelete' } }),
      {
        done: false,
        failed: true,
        message: 'rollout status is only available for RollingUpdate strategy type'
      }
    ],
    [
      'never observed (observedGeneration 0)',
      statefulSet({ observedGeneration: 0, generation: 0 }),
      { done: false, message: 'Waiting for statefulset spec update to be observed...' }
    ],
    [
      'spec change not yet observed',
      statefulSet({ generation: 3 }),
      { done: false, message: 'Waiting for statefulset spec update to be observed...' }
    ],
    [
      'pods not ready',
      statefulSet({ ready: 1 }),
      { done: false, message: 'Waiting for 2 pods to be ready...' }
    ],
    [
      'partition not yet reached',
      statefulSet({ strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } }, updated: 1 }),
      {
        done: false,
        message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...'
      }
    ],
    [
      'partition reached',
      statefulSet({
        strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
        updated: 2,
        updateRevision: 'db-new'
      }),
      { done: true, message: 'partitioned roll out complete: 2 new pods have been updated...' }
    ],
    [
      'rollingUpdate set without partition is done once ready (kubectl quirk)',
      statefulSet({
        strategy: { type: 'RollingUpdate', rollingUpdate: {} },
        updated: 0,
        updateRevision: 'db-new'
      }),
      { done: true, message: 'partitioned roll out complete: 0 new pods have been updated...' }
    ],
    [
      'no rollingUpdate: revisions differ',
      statefulSet({ updateRevision: 'db-new', updated: 2 }),
      {
        done: false,
        message: 'waiting for statefulset rolling update to complete 2 pods at revision db-new...'
      }
    ],
    [
      'no rollingUpdate: revisions equal',
      statefulSet({}),
      { done: true, message: 'statefulset rolling update complete 3 pods at revision db-abc...' }
    ],
    [
      'missing strategy type counts as RollingUpdate',
      statefulSet({ strategy: {} }),
      { done: true, message: 'statefulset rolling update complete 3 pods at revision db-abc...' }
    ]
  ])('%s', (_case, object, expected) => {
    expect(statefulSetRolloutStatus(object)).toEqual(expected)
    expect(rolloutStatus('StatefulSet', object)).toEqual(expected)
  })
})

function daemonSet(fields: {
  generation?: number
  observedGeneration?: number
  desired?: number
  updated?: number
  available?: number
  type?: string
}): V1DaemonSet {
  return {
    metadata: { name: 'agent', generation: fields.generation ?? 2 },
    spec: { selector: {}, template: {}, updateStrategy: { type: fields.type ?? 'RollingUpdate' } },
    status: {
      observedGeneration: fields.observedGeneration ?? 2,
      desiredNumberScheduled: fields.desired ?? 3,
      updatedNumberScheduled: fields.updated ?? 3,
      numberAvailable: fields.available ?? 3,
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 3
    }
  }
}

describe('daemonSetRolloutStatus', () => {
  it.each([
    [
      'OnDelete strategy',
      daemonSet({ type: 'OnDelete' }),
      {
        done: false,
        failed: true,
        message: 'rollout status is only available for RollingUpdate strategy type'
      }
    ],
    [
      'spec change not yet observed',
      daemonSet({ generation: 3 }),
      { done: false, message: 'Waiting for daemon set spec update to be observed...' }
    ],
    [
      'not all nodes updated',
      daemonSet({ updated: 1 }),
      {
        done: false,
        message: 'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...'
      }
    ],
    [
      'updated pods not available',
      daemonSet({ available: 2 }),
      {
        done: false,
        message: 'Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...'
      }
    ],
    [
      'all updated and available',
      daemonSet({}),
      { done: true, message: 'daemon set "agent" successfully rolled out' }
    ]
  ])('%s', (_case, object, expected) => {
    expect(daemonSetRolloutStatus(object)).toEqual(expected)
    expect(rolloutStatus('DaemonSet', object)).toEqual(expected)
  })
})
