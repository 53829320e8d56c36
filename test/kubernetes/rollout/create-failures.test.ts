import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { systemClock } from '../../../src/runtime/clock.js'
import {
  classifyCreateFailure,
  CreateFailureTracker
} from '../../../src/kubernetes/rollout/create-failures.js'
import {
  waitForRollout,
  type WaitForRolloutOptions
} from '../../../src/kubernetes/rollout/rollout-watcher.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import type { WorkloadKind, WorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'
import { daemonSetManifest, deploymentManifest, statefulSetManifest } from '../support/fixtures.js'

const PSA_REFUSAL =
  'pods "api-7d9c-x2x4z" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)'
const QUOTA_REFUSAL =
  'pods "api-7d9c-x2x4z" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2'

describe('classifying refused pod creates', () => {
  it.each([
    [PSA_REFUSAL, 'definitive'],
    [
      'admission webhook "policy.example.com" denied the request: images must come from registry.example (timeout policy: strict)',
      'definitive'
    ],
    [
      "pods \"x\" is forbidden: ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest' denied request: tag latest",
      'definitive'
    ],
    ['pods "x" is forbidden: [maximum cpu usage per Container is 500m, but limit is 1]', 'definitive'],
    [
      'pods "x" is forbidden: error looking up service account shop/api: serviceaccount "api" not found',
      'definitive'
    ],
    [QUOTA_REFUSAL, 'quota'],
    [
      'Internal error occurred: failed calling webhook "policy.example.com": failed to call webhook: Post "https://policy.svc:443/validate?timeout=10s": dial tcp 10.0.0.1:443: connect: connection refused',
      'transient'
    ],
    [
      'the server was unable to return a response in the time allotted, but may still be processing',
      'transient'
    ],
    ['something nobody has seen before', 'transient']
  ])('%s: %s', (message, expected) => {
    expect(classifyCreateFailure(message)).toBe(expected)
  })
})

describe('CreateFailureTracker', () => {
  const rs = (message: string) => ({ kind: 'ReplicaSet', name: 'api-7d9c', message })
  const tracker = () => new CreateFailureTracker({ quotaGraceMs: 10_000, transientGraceMs: 60_000 })

  it('fails at once on a definitive refusal, naming the object and the hint', () => {
    const verdict = tracker().update([rs(PSA_REFUSAL)], 0, false)
    expect(verdict.failed).toBe(true)
    expect(verdict.message).toBe(
      `replicaset/api-7d9c cannot create pods: ${PSA_REFUSAL} (the namespace enforces a Pod Security level the pod template does not meet: fix the template's securityContext)`
    )
  })

  it('counts a quota refusal after its grace, and not while pods of the workload terminate', () => {
    const t = tracker()
    expect(t.update([rs(QUOTA_REFUSAL)], 0, false)).toMatchObject({ failed: false, recheckInMs: 10_000 })
    // An old pod starts terminating: it frees quota when it is gone, so the grace starts again after.
    expect(t.update([rs(QUOTA_REFUSAL)], 8_000, true)).toMatchObject({ failed: false })
    expect(t.update([rs(QUOTA_REFUSAL)], 9_000, false)).toMatchObject({ failed: false, recheckInMs: 9_000 })
    expect(t.update([rs(QUOTA_REFUSAL)], 18_000, false).failed).toBe(true)
  })

  it('forgets a refusal that went away, and waits the transient grace for an outage', () => {
    const t = tracker()
    t.update([rs(QUOTA_REFUSAL)], 0, false)
    expect(t.update([], 5_000, false).failed).toBe(false)
    expect(t.update([rs(QUOTA_REFUSAL)], 6_000, false)).toMatchObject({ failed: false, recheckInMs: 10_000 })
    const outage = rs('Internal error occurred: failed calling webhook "x": context deadline exceeded')
    expect(t.update([outage], 7_000, false)).toMatchObject({ failed: false, recheckInMs: 60_000 })
    expect(t.update([outage], 67_000, false).failed).toBe(true)
  })
})

describe('waitForRollout fails fast when the controller cannot create the new pods', () => {
  let cluster: TestCluster
  let counter = 0
  beforeAll(async () => {
    cluster = await startTestCluster({
      namespaces: ['quota', 'room', 'tightened', 'full'],
      controllerTickMs: 2
    })
  })
  afterAll(async () => {
    await cluster.close()
  })

  const manifests = {
    Deployment: deploymentManifest,
    StatefulSet: statefulSetManifest,
    DaemonSet: daemonSetManifest
  }

  function options(overrides: Partial<WaitForRolloutOptions> = {}): WaitForRolloutOptions {
    return {
      api: cluster.api,
      timeoutMs: 20_000,
      logger: new RecordingLogger(),
      clock: systemClock,
      ...overrides
    }
  }

  async function createReady(
    kind: WorkloadKind,
    namespace: string,
    extra: { replicas?: number; strategy?: object } = {}
  ): Promise<WorkloadRef> {
    const name = `${kind.toLowerCase()}-${++counter}`
    const manifest = manifests[kind]({ name, namespace, image: 'ghcr.io/acme/app:v1', ...extra })
    if (extra.strategy) Object.assign(manifest.spec, { strategy: extra.strategy })
    cluster.sim.create(manifest)
    const ref = { kind, name, namespace }
    expect((await waitForRollout(ref, options())).status).toBe('succeeded')
    return ref
  }

  async function promote(ref: WorkloadRef, image: string): Promise<void> {
    const plan = planSetImage(ref.kind, await cluster.api.getWorkload(ref), { image, promotedAt: new Date() })
    if (plan.status !== 'patch') throw new Error('expected a patch')
    await cluster.api.patchWorkload(ref, plan.patch)
  }

  function quota(namespace: string, pods: number): void {
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace },
      spec: { hard: { pods: String(pods) } }
    })
  }

  it('a Deployment whose surge pod the ResourceQuota refuses fails after quota-grace, with the refusal and its event', async () => {
    const ref = await createReady('Deployment', 'quota', { replicas: 2 })
    quota('quota', 2)
    await promote(ref, 'ghcr.io/acme/app:v2')
    const started = Date.now()
    const result = await waitForRollout(ref, options({ failFast: { quotaGraceMs: 500 } }))
    expect(result.status).toBe('failed')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(result.message).toMatch(
      new RegExp(
        `^deployment/${ref.name}: replicaset/${ref.name}-[a-z0-9]+ cannot create pods: pods "${ref.name}-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2 \\(the namespace's ResourceQuota has no room`
      )
    )
    expect(result.failures).toEqual([])
    expect(result.events).toContainEqual(
      expect.objectContaining({
        object: expect.stringMatching(/^replicaset\//),
        reason: 'FailedCreate',
        message: expect.stringContaining('exceeded quota: compute')
      })
    )
  })

  it('a Deployment that has room once its old pods go (maxUnavailable) is not failed by a passing refusal', async () => {
    const ref = await createReady('Deployment', 'room', {
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }
    })
    quota('room', 4)
    await promote(ref, 'ghcr.io/acme/app:v2')
    const result = await waitForRollout(ref, options({ failFast: { quotaGraceMs: 2000 } }))
    expect(result.status).toBe('succeeded')
  })

  it.each<WorkloadKind>(['Deployment', 'StatefulSet', 'DaemonSet'])(
    'a %s in a namespace that now enforces Pod Security restricted fails at once with the PodSecurity message',
    async (kind) => {
      const ref = await createReady(kind, 'tightened', { replicas: 2 })
      // The platform tightens the namespace: running pods stay, new ones are refused.
      const ns = cluster.sim.get('namespaces', '', 'tightened') as {
        metadata: { labels?: Record<string, string> }
      }
      ns.metadata.labels = { ...ns.metadata.labels, 'pod-security.kubernetes.io/enforce': 'restricted' }
      cluster.sim.update(ns as never)
      try {
        await promote(ref, 'ghcr.io/acme/app:v2')
        const started = Date.now()
        const result = await waitForRollout(ref, options())
        expect(result.status).toBe('failed')
        expect(Date.now() - started).toBeLessThan(5000)
        expect(result.message).toContain(`${kind.toLowerCase()}/`)
        expect(result.message).toContain('violates PodSecurity "restricted:latest"')
        expect(result.message).toContain('fix the template')
      } finally {
        delete ns.metadata.labels!['pod-security.kubernetes.io/enforce']
        cluster.sim.update(ns as never)
      }
    }
  )

  it('an old rollout’s FailedCreate events do not fail a rollout that can create its pods', async () => {
    const ref = await createReady('StatefulSet', 'tightened', { replicas: 1 })
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name}.old`, namespace: 'tightened' },
      involvedObject: {
        kind: 'StatefulSet',
        name: ref.name,
        namespace: 'tightened',
        uid: (cluster.sim.get('statefulsets', 'tightened', ref.name) as { metadata: { uid: string } })
          .metadata.uid
      },
      type: 'Warning',
      reason: 'FailedCreate',
      message: `Create Pod ${ref.name}-0 in StatefulSet ${ref.name} failed error: ${PSA_REFUSAL}`,
      count: 3
    })
    await promote(ref, 'ghcr.io/acme/app:v3')
    expect((await waitForRollout(ref, options())).status).toBe('succeeded')
  })

  it('does not fail fast on refused creates when fail-fast is disabled', async () => {
    const ref = await createReady('Deployment', 'full', { replicas: 1 })
    quota('full', 1)
    await promote(ref, 'ghcr.io/acme/app:v2')
    const result = await waitForRollout(
      ref,
      options({ timeoutMs: 700, failFast: { enabled: false, quotaGraceMs: 0 } })
    )
    expect(result.status).toBe('timed-out')
  })
})
