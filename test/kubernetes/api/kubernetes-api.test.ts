import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { V1Deployment } from '@kubernetes/client-node'
import { KubernetesApiError } from '../../../src/kubernetes/api/api-error.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import { parseWorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'
import { deploymentManifest } from '../support/fixtures.js'

let cluster: TestCluster

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ['prod'] })
  cluster.sim.create(
    deploymentManifest({
      name: 'api',
      namespace: 'prod',
      image: 'ghcr.io/acme/api:v1',
      sidecars: { proxy: 'envoy:1.30' }
    })
  )
})
afterAll(async () => {
  await cluster.close()
})

const ref = { kind: 'Deployment' as const, name: 'api', namespace: 'prod' }

describe('KubernetesWorkloadApi', () => {
  it('reads a workload and lists it by field selector with a resourceVersion', async () => {
    const deployment = await cluster.api.getWorkload(ref)
    expect(deployment.spec?.template?.spec?.containers.map((c) => c.name)).toEqual(['app', 'proxy'])
    const list = await cluster.api.listWorkloads('Deployment', 'prod', { fieldSelector: 'metadata.name=api' })
    expect(list.items.map((d) => [d.kind, d.metadata?.name])).toEqual([['Deployment', 'api']])
    expect(list.resourceVersion).not.toBe('')
  })

  it('sends set-image as a strategic merge patch that keeps the other containers', async () => {
    const plan = planSetImage('Deployment', await cluster.api.getWorkload(ref), {
      image: 'ghcr.io/acme/api:v2',
      promotedAt: new Date()
    })
    if (plan.status !== 'patch') throw new Error('expected a patch')
    const patched = await cluster.api.patchWorkload(ref, plan.patch)
    expect(patched.spec?.template?.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      'app=ghcr.io/acme/api:v2',
      'proxy=envoy:1.30'
    ])
    const request = cluster.sim.requestLog.filter((r) => r.method === 'PATCH').at(-1)!
    expect(request.contentType).toContain('application/strategic-merge-patch+json')
    expect(request.query['fieldManager']).toBe('promote-action')
  })

  it('changes nothing in a dry run, yet returns the object as it would be', async () => {
    const before = cluster.sim.get('deployments', 'prod', 'api') as V1Deployment
    const writes = cluster.sim.writeLog.length
    const patched = await cluster.api.patchWorkload(
      ref,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/api:dry' }] } } } },
      { dryRun: true }
    )
    expect(patched.spec?.template?.spec?.containers[0]?.image).toBe('ghcr.io/acme/api:dry')
    expect(cluster.sim.writeLog.length).toBe(writes)
    const after = cluster.sim.get('deployments', 'prod', 'api') as V1Deployment
    expect(after.metadata?.generation).toBe(before.metadata?.generation)
    expect(after.spec?.template?.spec?.containers[0]?.image).toBe('ghcr.io/acme/api:v2')
    expect(cluster.sim.requestLog.at(-1)).toMatchObject({ method: 'PATCH', dryRun: true })
  })

  it('applies a JSON patch', async () => {
    const patched = await cluster.api.jsonPatchWorkload(ref, [
      { op: 'add', path: '/metadata/labels/tier', value: 'web' }
    ])
    expect(patched.metadata?.labels?.['tier']).toBe('web')
  })

  it('explains a 403 with the verb, resource, group, namespace and the Role rule to add', async () => {
    cluster.sim.denyRequests({ verb: 'patch', resource: 'deployments' })
    try {
      const error = await cluster.api.patchWorkload(ref, { metadata: { labels: { x: 'y' } } }).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(KubernetesApiError)
      const apiError = error as KubernetesApiError
      expect(apiError).toMatchObject({ code: 403, reason: 'Forbidden' })
      expect(apiError.message).toMatch(
        /^the token may not patch deployments\.apps in namespace prod: add this rule to the Role: \{ apiGroups: \["apps"\], resources: \["deployments"\], verbs: \["patch"\] \} \(API server: .*forbidden/
      )
    } finally {
      cluster.sim.allowAllRequests()
    }
  })

  it('names a missing object', async () => {
    await expect(
      cluster.api.getWorkload({ kind: 'StatefulSet', name: 'db', namespace: 'prod' })
    ).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: expect.stringMatching(/^statefulsets\.apps "db" not found in namespace prod/)
    })
  })

  it('returns undefined for an absent Lease and 409 for a stale update', async () => {
    expect(await cluster.api.getLease('prod', 'none')).toBeUndefined()
    const created = await cluster.api.createLease('prod', {
      metadata: { name: 'l1', namespace: 'prod' },
      spec: { holderIdentity: 'a' }
    })
    await cluster.api.replaceLease('prod', { ...created, spec: { holderIdentity: 'b' } })
    await expect(
      cluster.api.replaceLease('prod', { ...created, spec: { holderIdentity: 'c' } })
    ).rejects.toMatchObject({ code: 409 })
    await expect(
      cluster.api.createLease('prod', { metadata: { name: 'l1', namespace: 'prod' }, spec: {} })
    ).rejects.toMatchObject({ code: 409, reason: 'AlreadyExists' })
  })

  it('lists pods by label selector, events of an object, and PodDisruptionBudgets', async () => {
    const pods = await cluster.api.listPods('prod', { labelSelector: 'app=api' })
    expect(pods.items.length).toBeGreaterThan(0)
    const pod = pods.items[0]!
    const events = await cluster.api.listEvents('prod', { kind: 'Pod', name: pod.metadata!.name! })
    expect(events.every((e) => e.involvedObject.name === pod.metadata!.name)).toBe(true)
    expect(await cluster.api.listPodDisruptionBudgets('prod')).toEqual([])
  })
})

describe('parseWorkloadRef', () => {
  it.each([
    ['deployment/api', 'Deployment'],
    ['deploy/api', 'Deployment'],
    ['sts/db', 'StatefulSet'],
    ['DaemonSet/agent', 'DaemonSet']
  ])('parses %s', (value, kind) => {
    expect(parseWorkloadRef(value, 'prod')).toEqual({ kind, name: value.split('/')[1], namespace: 'prod' })
  })

  it.each([
    ['api', 'expected KIND/NAME'],
    ['job/api', 'unknown kind "job"'],
    ['deployment/API', 'name "API" is not a valid Kubernetes object name']
  ])('rejects %s', (value, message) => {
    expect(() => parseWorkloadRef(value, 'prod')).toThrow(message)
  })
})
