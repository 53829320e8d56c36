import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node'
import { systemClock } from '../../../src/runtime/clock.js'
import { recordRevision } from '../../../src/kubernetes/rollback/revision-record.js'
import { rollback, RollbackError } from '../../../src/kubernetes/rollback/rollback.js'
import { waitForRollout } from '../../../src/kubernetes/rollout/rollout-watcher.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import type { WorkloadKind, WorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'
import { deploymentManifest, statefulSetManifest, type WorkloadFixture } from '../support/fixtures.js'

let cluster: TestCluster
let counter = 0

beforeAll(async () => {
  cluster = await startTestCluster()
})
afterAll(async () => {
  await cluster.close()
})

async function settle(ref: WorkloadRef): Promise<string> {
  const result = await waitForRollout(ref, {
    api: cluster.api,
    timeoutMs: 5000,
    logger: new RecordingLogger(),
    clock: systemClock
  })
  return result.status
}

async function promote(ref: WorkloadRef, image: string): Promise<void> {
  const plan = planSetImage(ref.kind, await cluster.api.getWorkload(ref), {
    image,
    promotedAt: new Date(),
    sourceSha: image.split(':')[1]!
  })
  if (plan.status !== 'patch') throw new Error(`${image} is already running`)
  await cluster.api.patchWorkload(ref, plan.patch)
}

/** A workload that went through `images` in order, each rollout waited for. */
async function withHistory(
  kind: WorkloadKind,
  images: string[],
  fixture: Partial<WorkloadFixture> = {}
): Promise<WorkloadRef> {
  const name = `${kind.toLowerCase()}-rb-${++counter}`
  const manifest = kind === 'Deployment' ? deploymentManifest : statefulSetManifest
  cluster.sim.create(manifest({ name, image: images[0]!, ...fixture }))
  const ref = { kind, name, namespace: 'default' }
  expect(await settle(ref)).toBe('succeeded')
  for (const image of images.slice(1)) {
    await promote(ref, image)
    expect(await settle(ref)).toBe('succeeded')
  }
  return ref
}

function appImage(ref: WorkloadRef): string | undefined {
  return (cluster.sim.get(ref.kind, ref.namespace, ref.name) as V1Deployment).spec?.template?.spec
    ?.containers[0]?.image
}

function replicaSetsOf(name: string): V1ReplicaSet[] {
  return (cluster.sim.list('replicasets', 'default') as V1ReplicaSet[]).filter(
    (rs) => rs.metadata?.ownerReferences?.[0]?.name === name
  )
}

describe('rollback', () => {
  it('restores exactly the recorded revision when two older revisions exist', async () => {
    const ref = await withHistory('Deployment', [
      'ghcr.io/acme/rb:v1',
      'ghcr.io/acme/rb:v2',
      'ghcr.io/acme/rb:v3'
    ])
    const record = await recordRevision(cluster.api, ref)
    expect(record).toMatchObject({ revision: '3', images: { containers: { app: 'ghcr.io/acme/rb:v3' } } })
    expect(record.replicaSet).toMatch(new RegExp(`^${ref.name}-`))

    cluster.sim.setImageBehaviour('ghcr.io/acme/rb:v4', { kind: 'crash-loop' })
    await promote(ref, 'ghcr.io/acme/rb:v4')
    expect(await settle(ref)).toBe('failed')

    const result = await rollback(cluster.api, record)
    expect(result).toMatchObject({
      method: 'replica-set',
      message: `deployment/${ref.name}: rolled back to revision 3 (ReplicaSet ${record.replicaSet})`
    })
    expect(await settle(ref)).toBe('succeeded')
    expect(appImage(ref)).toBe('ghcr.io/acme/rb:v3')

    const deployment = cluster.sim.get('deployments', 'default', ref.name) as V1Deployment
    // The controller re-adopts the recorded ReplicaSet and gives it the next revision.
    const restored = replicaSetsOf(ref.name).find((rs) => rs.metadata?.name === record.replicaSet)!
    expect(restored.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('5')
    expect(deployment.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('5')
    // Annotations come from the ReplicaSet, as kubectl's undo does: the v3 promotion's record.
    expect(deployment.metadata?.annotations?.['promote-action.io/source-sha']).toBe('v3')
    expect(deployment.spec?.template?.metadata?.labels?.['pod-template-hash']).toBeUndefined()
  })

  it('changes nothing when the promotion changed nothing (where a plain undo would go one release too far)', async () => {
    const ref = await withHistory('Deployment', ['ghcr.io/acme/same:v1', 'ghcr.io/acme/same:v2'])
    const record = await recordRevision(cluster.api, ref)
    const writes = cluster.sim.writeLog.length
    const result = await rollback(cluster.api, record)
    expect(result.method).toBe('unchanged')
    expect(result.message).toBe(
      `deployment/${ref.name}: skipped rollback (current template already matches revision 2)`
    )
    expect(cluster.sim.writeLog.length).toBe(writes)
    expect(appImage(ref)).toBe('ghcr.io/acme/same:v2')
  })

  it('restores the recorded images when the recorded ReplicaSet was garbage-collected', async () => {
    const ref = await withHistory('Deployment', ['ghcr.io/acme/gc:v1'], { revisionHistoryLimit: 0 })
    const record = await recordRevision(cluster.api, ref)
    await promote(ref, 'ghcr.io/acme/gc:v2')
    expect(await settle(ref)).toBe('succeeded')
    const gone = async () => !replicaSetsOf(ref.name).some((rs) => rs.metadata?.name === record.replicaSet)
    for (let i = 0; i < 200 && !(await gone()); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await gone()).toBe(true)

    const result = await rollback(cluster.api, record)
    expect(result.method).toBe('images')
    expect(result.message).toBe(
      `deployment/${ref.name}: revision 1 is gone (old ReplicaSets beyond revisionHistoryLimit are garbage-collected); restored the recorded images instead: app=ghcr.io/acme/gc:v1`
    )
    expect(await settle(ref)).toBe('succeeded')
    expect(appImage(ref)).toBe('ghcr.io/acme/gc:v1')
  })

  it('changes nothing in a dry run', async () => {
    const ref = await withHistory('Deployment', ['ghcr.io/acme/dry:v1', 'ghcr.io/acme/dry:v2'])
    const record = await recordRevision(cluster.api, ref)
    await promote(ref, 'ghcr.io/acme/dry:v3')
    expect(await settle(ref)).toBe('succeeded')
    const writes = cluster.sim.writeLog.length
    const result = await rollback(cluster.api, record, { dryRun: true })
    expect(result.method).toBe('replica-set')
    expect(result.workload.spec?.template?.spec?.containers[0]?.image).toBe('ghcr.io/acme/dry:v2')
    expect(
      cluster.sim.writeLog.slice(writes).filter((w) => w.name === ref.name && w.resource === 'deployments')
    ).toEqual([])
    expect(appImage(ref)).toBe('ghcr.io/acme/dry:v3')
  })

  it('refuses a paused Deployment, as kubectl does', async () => {
    const ref = await withHistory('Deployment', ['ghcr.io/acme/paused:v1'])
    const record = await recordRevision(cluster.api, ref)
    await cluster.api.patchWorkload(ref, { spec: { paused: true } })
    await expect(rollback(cluster.api, record)).rejects.toThrow(RollbackError)
    await expect(rollback(cluster.api, record)).rejects.toThrow('you cannot roll back a paused deployment')
  })

  it('restores the recorded images of a StatefulSet', async () => {
    const ref = await withHistory('StatefulSet', ['ghcr.io/acme/sts:v1'])
    const record = await recordRevision(cluster.api, ref)
    expect(record.revision).toBeTruthy()
    cluster.sim.setImageBehaviour('ghcr.io/acme/sts:v2', { kind: 'image-pull-backoff' })
    await promote(ref, 'ghcr.io/acme/sts:v2')
    expect(await settle(ref)).toBe('failed')
    const result = await rollback(cluster.api, record)
    expect(result).toMatchObject({
      method: 'images',
      message: `statefulset/${ref.name}: restored the recorded images: app=ghcr.io/acme/sts:v1`
    })
    expect(appImage(ref)).toBe('ghcr.io/acme/sts:v1')
  })
})
