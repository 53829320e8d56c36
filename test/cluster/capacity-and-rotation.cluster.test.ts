/**
 * Against the real control plane, as the least-privilege ServiceAccount: a rollout whose pods a
 * real ResourceQuota or Pod Security `restricted` refuses fails in seconds with the API server's
 * message and is rolled back (the real ReplicaSet controller's ReplicaFailure, the real
 * StatefulSet controller's FailedCreate events); and a rotation's lock makes a promotion wait.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { deploymentManifest, statefulSetManifest } from '../kubernetes/support/fixtures.js'
import { apply, createTestNamespace, getJson, kubectl, rolloutStatus, type TestNamespace } from './support/cluster.js'
import { clusterConfig, REPO, startClusterWorld, type ClusterWorld } from './support/promote-world.js'

const OLD = `${REPO}:1.0.0`
const NEW = `${REPO}:2.0.0`

let world: ClusterWorld | undefined
const spaces: TestNamespace[] = []

afterEach(async () => {
  world?.github.assertNoViolations()
  await world?.close()
  world = undefined
})
afterAll(async () => {
  await Promise.all(spaces.map((n) => n.dispose()))
})

async function namespace(prefix: string): Promise<TestNamespace> {
  const ns = await createTestNamespace(prefix)
  spaces.push(ns)
  return ns
}

const target = (name: string, kind = 'Deployment') => `      - name: ${name}\n        kind: ${kind}`
const withQuotaGrace = (config: string) =>
  config.replace('restart-threshold: 2', 'restart-threshold: 2\n        quota-grace: 2s')

/** stdout + stderr without the ::add-mask:: lines. */
function log(r: { stdout: string; stderr: string }): string {
  return (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
}

async function image(resource: string, name: string, ns: string): Promise<string> {
  return (await getJson(resource, ns, name)).spec.template.spec.containers[0].image
}

describe('capacity fail-fast on the real control plane', () => {
  it('a ResourceQuota without room for the surge pod fails the rollout in seconds, with its message, and rolls back', async () => {
    const ns = await namespace('quota')
    await apply(deploymentManifest({ name: 'api', namespace: ns.name, image: OLD }))
    await rolloutStatus('deployment', 'api', ns.name)
    await apply({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: ns.name },
      spec: { hard: { pods: '2' } }
    })
    world = await startClusterWorld(withQuotaGrace(clusterConfig(ns.name, target('api'))), ns.saKubeconfig)
    const started = Date.now()
    const main = await world.launch('promote', { image: NEW })
    const took = Date.now() - started
    expect(main.exitCode).not.toBe(0)
    expect(took).toBeLessThan(30_000)
    expect(log(main)).toMatch(
      /replicaset\/api-[a-z0-9]+ cannot create pods: pods "api-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2/
    )
    expect(main.outputs['result']).toBe('rolled-back')
    expect(main.summary).toContain('FailedCreate')
    expect(await image('deployment', 'api', ns.name)).toBe(OLD)
  })

  it('a namespace that now enforces Pod Security restricted: a Deployment fails at once and is rolled back', async () => {
    const ns = await namespace('psa')
    await apply(deploymentManifest({ name: 'web', namespace: ns.name, image: OLD }))
    await rolloutStatus('deployment', 'web', ns.name)
    // Running pods stay (Pod Security only warns about them); new ones are refused.
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted'])
    world = await startClusterWorld(clusterConfig(ns.name, target('web')), ns.saKubeconfig)
    const started = Date.now()
    const main = await world.launch('promote', { image: NEW })
    expect(main.exitCode).not.toBe(0)
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(log(main)).toMatch(
      /replicaset\/web-[a-z0-9]+ cannot create pods: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest"/
    )
    expect(main.outputs['result']).toBe('rolled-back')
    expect(await image('deployment', 'web', ns.name)).toBe(OLD)
    const d = await getJson('deployment', ns.name, 'web')
    expect(d.status.availableReplicas).toBe(2)
  })

  it('a StatefulSet in that namespace: the real controller reports FailedCreate on it; the run says in seconds that not even the rollback can create pods', async () => {
    const ns = await namespace('psa-sts')
    await apply(statefulSetManifest({ name: 'db', namespace: ns.name, image: OLD }))
    await rolloutStatus('statefulset', 'db', ns.name)
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted'])
    world = await startClusterWorld(clusterConfig(ns.name, target('db', 'StatefulSet')), ns.saKubeconfig)
    const started = Date.now()
    const main = await world.launch('promote', { image: NEW })
    expect(main.exitCode).not.toBe(0)
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(log(main)).toContain(
      'statefulset/db: its controller cannot create pods: Create Pod db-1 in StatefulSet db failed error: pods "db-1" is forbidden: violates PodSecurity "restricted:latest"'
    )
    expect(log(main)).toMatch(/ROLLBACK DID NOT COMPLETE: .*its controller cannot create pods/)
    expect(await image('statefulset', 'db', ns.name)).toBe(OLD)
  })
})

describe('a rotation lock on the real control plane', () => {
  it('lock makes a promotion wait with the reason; unlock lets it through', async () => {
    const ns = await namespace('rotate')
    await apply(deploymentManifest({ name: 'api', namespace: ns.name, image: OLD }))
    await rolloutStatus('deployment', 'api', ns.name)
    world = await startClusterWorld(clusterConfig(ns.name, target('api')), ns.saKubeconfig)
    const locked = await world.launch('lock', { reason: 'rotating the database password' }, { runId: '3001' })
    expect(locked.exitCode).toBe(0)
    const lease = await getJson('lease', ns.name, 'promote-action.staging')
    expect(lease.spec.holderIdentity).toBe('acme/shop/3001/1')
    expect(lease.spec.leaseDurationSeconds).toBe(1800)
    expect(lease.metadata.annotations).toMatchObject({
      'promote-action.io/purpose': 'rotation',
      'promote-action.io/reason': 'rotating the database password'
    })
    const promotion = world.launch('promote', { image: NEW }, { runId: '3002' })
    await new Promise((resolve) => setTimeout(resolve, 4000))
    expect(await image('deployment', 'api', ns.name)).toBe(OLD)
    const unlocked = await world.launch('unlock', {}, { runId: '3001' })
    expect(unlocked.exitCode).toBe(0)
    expect(unlocked.outputs['released']).toBe('true')
    const promoted = await promotion
    expect(promoted.exitCode).toBe(0)
    expect(log(promoted)).toMatch(
      /Waiting for the lock .*held by acme\/shop\/3001\/1 .*for a secret rotation: rotating the database password/
    )
    expect(await image('deployment', 'api', ns.name)).toBe(NEW)
    const post = await world.launch('lock', { reason: 'rotating the database password' }, { runId: '3001', state: locked.state })
    expect(post.exitCode).toBe(0)
    expect(log(post)).toContain('is no longer ours; nothing to release')
  })
})
