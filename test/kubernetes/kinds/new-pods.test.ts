import { describe, expect, it } from '@jest/globals'
import type { V1DaemonSet, V1Deployment, V1Pod, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node'
import { findNewReplicaSet, replicaSetsByController } from '../../../src/kubernetes/kinds/replica-sets.js'
import { newPodMatcher } from '../../../src/kubernetes/kinds/workload-kinds.js'

const owner = (uid: string, kind = 'ReplicaSet') => [
  { apiVersion: 'apps/v1', kind, name: 'x', uid, controller: true }
]

function replicaSet(uid: string, revision: number, hash: string, ownerUid = 'deploy-uid'): V1ReplicaSet {
  return {
    metadata: {
      name: `api-${hash}`,
      uid,
      labels: { app: 'api', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: owner(ownerUid, 'Deployment')
    },
    spec: { selector: {} }
  }
}

function pod(
  name: string,
  ownerUid: string,
  labels: Record<string, string>,
  images: Record<string, string> = { app: 'app:v2' }
): V1Pod {
  return {
    metadata: { name, labels, ownerReferences: owner(ownerUid) },
    spec: { containers: Object.entries(images).map(([n, image]) => ({ name: n, image })) }
  }
}

const deployment = (generation: number, observed: number): V1Deployment => ({
  metadata: { name: 'api', uid: 'deploy-uid', generation },
  spec: { selector: {}, template: {} },
  status: { observedGeneration: observed }
})

describe('findNewReplicaSet', () => {
  it('picks the owned ReplicaSet with the highest revision, ignoring others', () => {
    const sets = [
      replicaSet('rs-1', 1, 'aaa'),
      replicaSet('rs-3', 3, 'ccc'),
      replicaSet('rs-2', 2, 'bbb'),
      replicaSet('other', 9, 'zzz', 'someone-else')
    ]
    expect(findNewReplicaSet(deployment(3, 3), sets)?.metadata?.uid).toBe('rs-3')
  })
})

describe('replicaSetsByController', () => {
  it("gives each Deployment the ReplicaSets it controls, in list order, and none of another's", () => {
    const orphan: V1ReplicaSet = { metadata: { name: 'orphan', uid: 'rs-o', ownerReferences: [] } }
    const byController = replicaSetsByController([
      replicaSet('rs-1', 1, 'aaa'),
      replicaSet('other', 9, 'zzz', 'someone-else'),
      orphan,
      replicaSet('rs-2', 2, 'bbb')
    ])
    expect(byController(deployment(1, 1)).map((rs) => rs.metadata?.uid)).toEqual(['rs-1', 'rs-2'])
    expect(byController({ metadata: { uid: 'someone-else' } }).map((rs) => rs.metadata?.uid)).toEqual([
      'other'
    ])
    expect(byController({ metadata: { uid: 'nobody' } })).toEqual([])
  })
})

describe('newPodMatcher', () => {
  const sets = [replicaSet('rs-old', 1, 'old'), replicaSet('rs-new', 2, 'new')]

  it("judges no pod while the newest ReplicaSet seen is not the Deployment's own revision (a lagging stream)", () => {
    const stamped = (revision: number): V1Deployment => ({
      ...deployment(2, 2),
      metadata: {
        ...deployment(2, 2).metadata,
        annotations: { 'deployment.kubernetes.io/revision': String(revision) }
      }
    })
    // The ReplicaSet stream has not delivered revision 3 yet: revision 2's pods are not the new ones.
    expect(newPodMatcher('Deployment', stamped(3), sets)).toBeUndefined()
    expect(newPodMatcher('Deployment', stamped(2), sets)).toBeDefined()
  })

  it('matches only pods of the new ReplicaSet with its pod-template-hash', () => {
    const matcher = newPodMatcher('Deployment', deployment(2, 2), sets)!
    expect(matcher(pod('new', 'rs-new', { 'pod-template-hash': 'new' }))).toBe(true)
    expect(matcher(pod('old', 'rs-old', { 'pod-template-hash': 'old' }))).toBe(false)
    expect(matcher(pod('odd', 'rs-new', { 'pod-template-hash': 'old' }))).toBe(false)
  })

  it('judges no pod before the controller has observed the new generation', () => {
    expect(newPodMatcher('Deployment', deployment(3, 2), sets)).toBeUndefined()
  })

  it('judges no pod before the new ReplicaSet exists', () => {
    expect(newPodMatcher('Deployment', deployment(1, 1), [])).toBeUndefined()
  })

  it('matches StatefulSet pods at the update revision', () => {
    const sts: V1StatefulSet = {
      metadata: { name: 'db', uid: 'sts-uid', generation: 4 },
      spec: { selector: {}, serviceName: 'db', template: {} },
      status: { observedGeneration: 4, replicas: 2, updateRevision: 'db-new', currentRevision: 'db-old' }
    }
    const matcher = newPodMatcher('StatefulSet', sts)!
    expect(matcher(pod('db-1', 'sts-uid', { 'controller-revision-hash': 'db-new' }))).toBe(true)
    expect(matcher(pod('db-0', 'sts-uid', { 'controller-revision-hash': 'db-old' }))).toBe(false)
  })

  it('matches DaemonSet pods running the template images, sidecars allowed', () => {
    const ds: V1DaemonSet = {
      metadata: { name: 'agent', uid: 'ds-uid', generation: 2 },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } },
      status: {
        observedGeneration: 2,
        currentNumberScheduled: 1,
        desiredNumberScheduled: 1,
        numberMisscheduled: 0,
        numberReady: 0
      }
    }
    const matcher = newPodMatcher('DaemonSet', ds)!
    expect(matcher(pod('new', 'ds-uid', {}, { app: 'app:v2', 'istio-proxy': 'proxy:1' }))).toBe(true)
    expect(matcher(pod('old', 'ds-uid', {}, { app: 'app:v1' }))).toBe(false)
    expect(matcher(pod('foreign', 'other', {}, { app: 'app:v2' }))).toBe(false)
  })
})
