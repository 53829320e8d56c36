/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * The bundled promote and verify stages, launched as the runner launches them, against the real
 * control plane (kube-apiserver with RBAC, the real deployment/statefulset/daemonset controllers,
 * kwok nodes), authenticated ONLY as the least-privilege ServiceAccount.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { daemonSetManifest, deploymentManifest, statefulSetManifest } from '../kubernetes/support/fixtures.js'
import {
  apply,
  createTestNamespace,
  eventually,
  getJson,
  kubectl,
  rolloutStatus,
  type TestNamespace
} from './support/cluster.js'
import { clusterConfig, REPO, startClusterWorld, type ClusterWorld } from './support/promote-world.js'

const OLD = `${REPO}:1.0.0`
const NEW = `${REPO}:2.0.0`
const NEWER = `${REPO}:3.0.0`

let ns: TestNamespace
let world: ClusterWorld | undefined
const extra: TestNamespace[] = []

beforeAll(async () => {
  ns = await createTestNamespace('promote')
})
afterAll(async () => {
  await Promise.all([ns, ...extra].map((n) => n.dispose()))
})
afterEach(async () => {
  world?.github.assertNoViolations()
  await world?.close()
  world = undefined
})

const target = (name: string, kind = 'Deployment') => `      - name: ${name}\n        kind: ${kind}`

/** stdout + stderr without the ::add-mask:: lines (the kubeconfig is masked line by line). */
function log(r: { stdout: string; stderr: string }): string {
  return (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
}

async function deployment(name: string, image = OLD, spec: Record<string, unknown> = {}): Promise<void> {
  const m = deploymentManifest({ name, namespace: ns.name, image })
  Object.assign(m.spec, spec)
  await apply(m)
  await rolloutStatus('deployment', name, ns.name)
}

/** Creates a StatefulSet or DaemonSet on OLD, waits for it, and starts a world targeting it. */
async function worldFor(kind: 'StatefulSet' | 'DaemonSet', name: string): Promise<ClusterWorld> {
  const manifest = kind === 'StatefulSet' ? statefulSetManifest : daemonSetManifest
  await apply(manifest({ name, namespace: ns.name, image: OLD }))
  await rolloutStatus(kind.toLowerCase(), name, ns.name)
  return startClusterWorld(clusterConfig(ns.name, target(name, kind)), ns.saKubeconfig)
}

async function image(resource: string, name: string, namespace = ns.name): Promise<string> {
  const o = await getJson(resource, namespace, name)
  return o.spec.template.spec.containers[0].image
}

/** ReplicaSets of a Deployment: revision annotation -> image, straight from the real controller. */
async function replicaSetRevisions(name: string): Promise<Record<string, string>> {
  const list = await getJson<{ items: any[] }>('replicasets', ns.name)
  const out: Record<string, string> = {}
  for (const rs of list.items) {
    if (!rs.metadata.ownerReferences?.some((o: any) => o.kind === 'Deployment' && o.name === name)) continue
    out[rs.metadata.annotations['deployment.kubernetes.io/revision']] = rs.spec.template.spec.containers[0].image
  }
  return out
}

describe('promote bundle against a real cluster, as the ServiceAccount', () => {
  it('the ServiceAccount cannot do more than the Role allows', async () => {
    const can = (verb: string, resource: string) =>
      kubectl(['auth', 'can-i', verb, resource, '-n', ns.name], undefined, ns.saKubeconfigPath).then(
        (o) => o.trim(),
        (e: { stdout?: string }) => (e.stdout ?? '').trim()
      )
    expect(await can('patch', 'deployments')).toBe('yes')
    expect(await can('delete', 'deployments')).toBe('no')
    expect(await can('get', 'secrets')).toBe('no')
    expect(await can('create', 'pods')).toBe('no')
  })

  it('promotes a Deployment: image, real ReplicaSet revisions 1 and 2, outputs', async () => {
    await deployment('api')
    world = await startClusterWorld(clusterConfig(ns.name, target('api')), ns.saKubeconfig)
    const main = await world.launch('promote', { image: NEW })
    expect(log({ stdout: '', stderr: main.stderr })).toBe('')
    expect(main.exitCode).toBe(0)
    expect(main.outputs['result']).toBe('success')
    expect(JSON.parse(main.outputs['revisions']!)).toEqual({
      [`default/${ns.name}/deployment/api`]: { before: '1', after: '2' }
    })
    expect(await image('deployment', 'api')).toBe(NEW)
    expect(await replicaSetRevisions('api')).toEqual({ '1': OLD, '2': NEW })
    const d = await getJson('deployment', ns.name, 'api')
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2')
    expect(d.status.updatedReplicas).toBe(2)
    expect(d.status.availableReplicas).toBe(2)

    // The verify stage's Kubernetes checks (health.kubernetes.rollout) are green after it.
    const verifyConfig = clusterConfig(
      ns.name,
      target('api'),
      `    health:
      kubernetes:
        rollout: true
        no-restarts: true
      policy:
        consecutive-successes: 2
        soak: 500ms
        deadline: 30s
        initial-backoff: 100ms
        max-backoff: 500ms
`
    )
    const { writeFileSync } = await import('node:fs')
    writeFileSync(`${world.workspace}/promotion.yml`, verifyConfig)
    const verify = await world.launch('verify', {
      image: NEW,
      'deployment-id': main.outputs['deployment-id']!
    })
    expect(verify.stderr).toBe('')
    expect(verify.exitCode).toBe(0)
    expect(verify.outputs['healthy']).toBe('true')
  })

  it('promotes a StatefulSet', async () => {
    world = await worldFor('StatefulSet', 'db')
    const main = await world.launch('promote', { image: NEW })
    expect(log({ stdout: '', stderr: main.stderr })).toBe('')
    expect(main.exitCode).toBe(0)
    expect(main.outputs['result']).toBe('success')
    expect(await image('statefulset', 'db')).toBe(NEW)
    const s = await getJson('statefulset', ns.name, 'db')
    expect(s.status.updateRevision).toBe(s.status.currentRevision)
    expect(s.status.updatedReplicas).toBe(2)
  })

  it('rolls a StatefulSet back past its never-Ready pod of the failed revision (kubernetes#67250)', async () => {
    world = await worldFor('StatefulSet', 'stuck')
    // kwok keeps a ':never-ready' container Running but never Ready: the rollout times out.
    const main = await world.launch('promote', { image: `${REPO}:never-ready`, timeout: '15s' })
    expect(main.exitCode).not.toBe(0)
    expect(main.outputs['result']).toBe('rolled-back')
    expect(log(main)).toMatch(/deleting pod stuck-1 .*kubernetes#67250/)
    expect(await image('statefulset', 'stuck')).toBe(OLD)
    // The real StatefulSet controller finished the rollback: kubectl agrees.
    await rolloutStatus('statefulset', 'stuck', ns.name, '30s')
    const s = await getJson('statefulset', ns.name, 'stuck')
    expect(s.status.updateRevision).toBe(s.status.currentRevision)
  })

  it('promotes a DaemonSet', async () => {
    world = await worldFor('DaemonSet', 'agent')
    const main = await world.launch('promote', { image: NEW })
    expect(log({ stdout: '', stderr: main.stderr })).toBe('')
    expect(main.exitCode).toBe(0)
    expect(main.outputs['result']).toBe('success')
    expect(await image('daemonset', 'agent')).toBe(NEW)
    const d = await getJson('daemonset', ns.name, 'agent')
    expect(d.status.updatedNumberScheduled).toBe(d.status.desiredNumberScheduled)
    expect(d.status.numberAvailable).toBe(d.status.desiredNumberScheduled)
  })

  it.each([
    ['crashloop', 'CrashLoopBackOff|RestartThresholdExceeded'],
    ['unpullable', 'ImagePullBackOff|ErrImagePull']
  ])('fails fast on a :%s image and rolls back to the recorded revision', async (tag, reason) => {
    const name = `bad-${tag}`
    await deployment(name, `${REPO}:0.9.0`)
    world = await startClusterWorld(clusterConfig(ns.name, target(name)), ns.saKubeconfig)
    expect((await world.launch('promote', { image: OLD }, { runId: '1' })).exitCode).toBe(0)
    expect(await replicaSetRevisions(name)).toEqual({ '1': `${REPO}:0.9.0`, '2': OLD })

    const started = Date.now()
    const main = await world.launch('promote', { image: `${REPO}:${tag}` }, { runId: '2' })
    expect(Date.now() - started).toBeLessThan(45_000)
    expect(main.exitCode).toBe(1)
    expect(main.outputs['result']).toBe('rolled-back')
    expect(log(main)).toMatch(new RegExp(reason))
    expect(main.summary).toContain('rolled back to revision 2')
    expect(await image('deployment', name)).toBe(OLD)
    // The real controller re-adopts the recorded ReplicaSet: it becomes the newest revision (4).
    const revisions = await replicaSetRevisions(name)
    expect(revisions).toEqual({ '1': `${REPO}:0.9.0`, '3': `${REPO}:${tag}`, '4': OLD })
    await rolloutStatus('deployment', name, ns.name)
  })

  it('dry-run: the server-side dry-run changes nothing (spec and generation unchanged)', async () => {
    await deployment('dry')
    const before = await getJson('deployment', ns.name, 'dry')
    world = await startClusterWorld(clusterConfig(ns.name, target('dry')), ns.saKubeconfig)
    const main = await world.launch('promote', { image: NEW, 'dry-run': 'true' })
    expect(log({ stdout: '', stderr: main.stderr })).toBe('')
    expect(main.exitCode).toBe(0)
    expect(main.outputs['result']).toBe('dry-run')
    const after = await getJson('deployment', ns.name, 'dry')
    // The spec, not the resourceVersion: the real controller may still write status meanwhile.
    expect(after.spec).toEqual(before.spec)
    expect(after.metadata.generation).toBe(before.metadata.generation)
    expect(after.spec.template.spec.containers[0].image).toBe(OLD)
    expect(await replicaSetRevisions('dry')).toEqual({ '1': OLD })
  })

  it('the Lease lock: a second concurrent promotion waits for the first, then proceeds', async () => {
    // minReadySeconds keeps the first rollout busy for several seconds.
    await deployment('locked', OLD, { minReadySeconds: 3 })
    world = await startClusterWorld(clusterConfig(ns.name, target('locked')), ns.saKubeconfig)
    const first = world.launch('promote', { image: NEW }, { runId: '1001' })
    const firstHolds = eventually('the first run to take the lease', async () => {
      const leases = await getJson<{ items: any[] }>('leases', ns.name)
      return leases.items.find((l) => (l.spec.holderIdentity ?? '').includes('1001')) ? true : undefined
    })
    await firstHolds
    const second = world.launch('promote', { image: NEWER }, { runId: '1002' })
    const [a, b] = await Promise.all([first, second])
    expect(a.exitCode).toBe(0)
    expect(b.exitCode).toBe(0)
    expect(log(b)).toMatch(/Waiting for the lock .*held by acme\/shop\/1001\/1/)
    expect(await image('deployment', 'locked')).toBe(NEWER)
    expect(await replicaSetRevisions('locked')).toEqual({ '1': OLD, '2': NEW, '3': NEWER })
    const lease = (await getJson<{ items: any[] }>('leases', ns.name)).items[0]
    expect(lease.spec.holderIdentity ?? '').toBe('')
  })

  it('a Role without patch: our error names the verb and the resource', async () => {
    const limited = await createTestNamespace('nopatch')
    extra.push(limited)
    await kubectl(
      ['patch', 'role', 'promote-action', '-n', limited.name, '--type=json', '-p',
        JSON.stringify([{ op: 'replace', path: '/rules/0/verbs', value: ['get', 'list', 'watch'] }])]
    )
    const m = deploymentManifest({ name: 'api', namespace: limited.name, image: OLD })
    await apply(m)
    await rolloutStatus('deployment', 'api', limited.name)
    world = await startClusterWorld(clusterConfig(limited.name, target('api')), limited.saKubeconfig)
    const main = await world.launch('promote', { image: NEW })
    expect(main.exitCode).toBe(1)
    const text = log(main)
    expect(text).toMatch(/may not patch deployments/)
    expect(text).toMatch(/resources: \["deployments"\], verbs: \["patch"\]/)
    expect(await image('deployment', 'api', limited.name)).toBe(OLD)
  })

  it('the ServiceAccount used against another namespace: our error names the verb and the resource', async () => {
    const other = `other-${Date.now() % 100000}`
    await kubectl(['create', 'namespace', other])
    extra.push({ name: other, saKubeconfig: '', saKubeconfigPath: '', dispose: async () => void (await kubectl(['delete', 'namespace', other, '--wait=false']).catch(() => '')) })
    world = await startClusterWorld(clusterConfig(other, target('api')), ns.saKubeconfig)
    const main = await world.launch('promote', { image: NEW })
    expect(main.exitCode).toBe(1)
    expect(log(main)).toMatch(/may not (get|list|watch|create|update|patch) [a-z.]+/)
  })
})
