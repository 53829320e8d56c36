import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { V1Deployment } from '@kubernetes/client-node'
import { systemClock } from '../../../src/runtime/clock.js'
import { KubernetesApiError } from '../../../src/kubernetes/api/api-error.js'
import { deploymentRolloutStatus } from '../../../src/kubernetes/kinds/deployment.js'
import {
  waitForRollout,
  type WaitForRolloutOptions
} from '../../../src/kubernetes/rollout/rollout-watcher.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import type { WorkloadKind, WorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import type { WorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { cuttableApi, startTestCluster, type TestCluster } from '../support/cluster.js'
import { daemonSetManifest, deploymentManifest, statefulSetManifest } from '../support/fixtures.js'

let cluster: TestCluster
let counter = 0

beforeAll(async () => {
  cluster = await startTestCluster()
})
afterAll(async () => {
  await cluster.close()
})

function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

function options(
  overrides: Partial<WaitForRolloutOptions> = {}
): WaitForRolloutOptions & { logger: RecordingLogger } {
  return {
    api: cluster.api,
    timeoutMs: 5000,
    logger: new RecordingLogger(),
    clock: systemClock,
    ...overrides
  } as WaitForRolloutOptions & { logger: RecordingLogger }
}

const manifests = {
  Deployment: deploymentManifest,
  StatefulSet: statefulSetManifest,
  DaemonSet: daemonSetManifest
}

/** Creates a workload on `image`, waits for it, and returns its ref. */
async function createReady(
  kind: WorkloadKind,
  image: string,
  extra: { replicas?: number } = {}
): Promise<WorkloadRef> {
  const name = uniqueName(kind.toLowerCase())
  cluster.sim.create(manifests[kind]({ name, image, ...extra }))
  const ref = { kind, name, namespace: 'default' }
  const first = await waitForRollout(ref, options())
  expect(first.status).toBe('succeeded')
  return ref
}

async function promote(ref: WorkloadRef, image: string, api: WorkloadApi = cluster.api): Promise<void> {
  const plan = planSetImage(ref.kind, await api.getWorkload(ref), { image, promotedAt: new Date() })
  if (plan.status !== 'patch') throw new Error('expected a patch')
  await api.patchWorkload(ref, plan.patch)
}

describe('waitForRollout', () => {
  it.each<WorkloadKind>(['Deployment', 'StatefulSet', 'DaemonSet'])(
    'reports a %s rollout that completes as succeeded',
    async (kind) => {
      const ref = await createReady(kind, `ghcr.io/acme/${kind.toLowerCase()}:v1`)
      await promote(ref, `ghcr.io/acme/${kind.toLowerCase()}:v2`)
      const opts = options()
      const result = await waitForRollout(ref, opts)
      expect(result).toMatchObject({ status: 'succeeded', failures: [], events: [] })
      const lines = opts.logger.messages('info')
      expect(lines.length).toBeGreaterThan(0)
      // Progress lines only when the message changes.
      for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toBe(lines[i - 1])
    }
  )

  it('reports success within ~50 ms of the completing watch event', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/latency:v1')
    cluster.sim.pause()
    await promote(ref, 'ghcr.io/acme/latency:v2')
    // An independent watch (the same mechanism) notes when the Deployment first counts as done.
    let doneAt = 0
    const handle = await cluster.api.watch(
      { resource: 'Deployment', namespace: 'default', fieldSelector: `metadata.name=${ref.name}` },
      (event) => {
        if (
          !doneAt &&
          event.type === 'MODIFIED' &&
          deploymentRolloutStatus(event.object as V1Deployment).done
        )
          doneAt = Date.now()
      },
      () => undefined
    )
    let reportedAt = 0
    const waiting = waitForRollout(ref, options()).then((result) => {
      reportedAt = Date.now()
      return result
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    cluster.sim.resume()
    const result = await waiting
    await new Promise((resolve) => setTimeout(resolve, 50))
    handle.stop()
    expect(result.status).toBe('succeeded')
    expect(doneAt).toBeGreaterThan(0)
    expect(reportedAt - doneAt).toBeLessThan(50)
  })

  it.each([
    ['crash-loop', 'CrashLoopBackOff'],
    ['image-pull-backoff', 'ImagePullBackOff'],
    ['invalid-image-name', 'InvalidImageName'],
    ['create-container-config-error', 'CreateContainerConfigError']
  ] as const)('fails fast when the new pods show %s', async (behaviour, reason) => {
    const ref = await createReady('Deployment', `ghcr.io/acme/ff-${behaviour}:v1`)
    cluster.sim.setImageBehaviour(`ghcr.io/acme/ff-${behaviour}:v2`, { kind: behaviour })
    await promote(ref, `ghcr.io/acme/ff-${behaviour}:v2`)
    const started = Date.now()
    const result = await waitForRollout(ref, options({ timeoutMs: 10_000 }))
    expect(result.status).toBe('failed')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(result.failures.length).toBeGreaterThan(0)
    expect(result.failures[0]).toMatchObject({ container: 'app', reason })
    expect(result.message).toContain(reason)
    const newPods = (
      cluster.sim.list('pods', 'default') as Array<{
        metadata: { name: string }
        spec: { containers: Array<{ image: string }> }
      }>
    )
      .filter((p) => p.spec.containers[0]!.image.endsWith(':v2'))
      .map((p) => p.metadata.name)
    for (const failure of result.failures) expect(newPods).toContain(failure.pod)
  })

  it('collects Warning events of the failing pods', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/events:v1')
    cluster.sim.setImageBehaviour('ghcr.io/acme/events:v2', { kind: 'crash-loop' })
    await promote(ref, 'ghcr.io/acme/events:v2')
    const result = await waitForRollout(ref, options())
    expect(result.status).toBe('failed')
    expect(result.events.length).toBeGreaterThan(0)
    expect(result.events.every((e) => e.type === 'Warning')).toBe(true)
    expect(result.events.some((e) => e.object === `pod/${result.failures[0]!.pod}`)).toBe(true)
  })

  it('never judges old pods: crash-looping old pods do not fail a good rollout', async () => {
    const name = uniqueName('old-crash')
    cluster.sim.setImageBehaviour('ghcr.io/acme/old-crash:v1', { kind: 'crash-loop' })
    cluster.sim.create(deploymentManifest({ name, image: 'ghcr.io/acme/old-crash:v1' }))
    const ref = { kind: 'Deployment' as const, name, namespace: 'default' }
    await promote(ref, 'ghcr.io/acme/old-crash:v2')
    const result = await waitForRollout(ref, options())
    expect(result.status).toBe('succeeded')
  })

  it('does not fail fast when fail-fast is disabled; it times out instead', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/noff:v1')
    cluster.sim.setImageBehaviour('ghcr.io/acme/noff:v2', { kind: 'crash-loop' })
    await promote(ref, 'ghcr.io/acme/noff:v2')
    const result = await waitForRollout(ref, options({ timeoutMs: 400, failFast: { enabled: false } }))
    expect(result.status).toBe('timed-out')
    expect(result.message).toMatch(
      new RegExp(`^timed out after 400ms waiting for deployment/${ref.name}: Waiting for deployment`)
    )
  })

  it('times out on pods that never become ready, with the last progress message', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/slow:v1')
    cluster.sim.setImageBehaviour('ghcr.io/acme/slow:v2', { kind: 'never-ready' })
    await promote(ref, 'ghcr.io/acme/slow:v2')
    const result = await waitForRollout(ref, options({ timeoutMs: 300 }))
    expect(result).toMatchObject({ status: 'timed-out', failures: [] })
    expect(result.durationMs).toBeGreaterThanOrEqual(300)
  })

  it('fails when the progress deadline is exceeded', async () => {
    const name = uniqueName('deadline')
    cluster.sim.create(deploymentManifest({ name, image: 'ghcr.io/acme/deadline:v1' }))
    const ref = { kind: 'Deployment' as const, name, namespace: 'default' }
    expect((await waitForRollout(ref, options())).status).toBe('succeeded')
    // The 1 s deadline applies to the promotion only: on a loaded machine the first rollout
    // alone can take longer than a second.
    await cluster.api.patchWorkload(ref, { spec: { progressDeadlineSeconds: 1 } })
    cluster.sim.setImageBehaviour('ghcr.io/acme/deadline:v2', { kind: 'never-ready' })
    await promote(ref, 'ghcr.io/acme/deadline:v2')
    const result = await waitForRollout(ref, options({ timeoutMs: 5000 }))
    expect(result).toMatchObject({
      status: 'failed',
      message: `deployment/${name}: deployment "${name}" exceeded its progress deadline`
    })
  })

  it('is cancelled by its signal', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/cancel:v1')
    cluster.sim.setImageBehaviour('ghcr.io/acme/cancel:v2', { kind: 'never-ready' })
    await promote(ref, 'ghcr.io/acme/cancel:v2')
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const result = await waitForRollout(ref, options({ signal: controller.signal }))
    expect(result.status).toBe('cancelled')
  })

  it('fails a target that is deleted during the rollout', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/deleted:v1')
    cluster.sim.setImageBehaviour('ghcr.io/acme/deleted:v2', { kind: 'never-ready' })
    await promote(ref, 'ghcr.io/acme/deleted:v2')
    setTimeout(() => cluster.sim.delete('deployments', 'default', ref.name), 100)
    const result = await waitForRollout(ref, options())
    expect(result).toMatchObject({
      status: 'deleted',
      message: `deployment/${ref.name} was deleted during the rollout`
    })
  })

  it('reports a target that does not exist', async () => {
    const result = await waitForRollout(
      { kind: 'StatefulSet', name: 'nope', namespace: 'default' },
      options()
    )
    expect(result).toMatchObject({
      status: 'deleted',
      message: 'statefulset/nope not found in namespace default'
    })
  })

  it('fails when a different revision is running than the one asked for', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/rev:v1')
    const result = await waitForRollout(ref, options({ revision: 7 }))
    expect(result).toMatchObject({
      status: 'failed',
      message: `deployment/${ref.name}: desired revision (7) is different from the running revision (1)`
    })
  })

  it('rejects with the RBAC rule when pods may not be watched', async () => {
    const ref = await createReady('Deployment', 'ghcr.io/acme/rbac:v1')
    await promote(ref, 'ghcr.io/acme/rbac:v2')
    cluster.sim.pause()
    cluster.sim.denyRequests({ verb: 'list', resource: 'pods' })
    try {
      const error = await waitForRollout(ref, options()).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(KubernetesApiError)
      expect((error as Error).message).toContain(
        'the token may not list pods in namespace default: add this rule to the Role: { apiGroups: [""], resources: ["pods"], verbs: ["list"] }'
      )
    } finally {
      cluster.sim.allowAllRequests()
      cluster.sim.resume()
    }
  })
})

describe('waitForRollout over a flaky connection', () => {
  it('resumes the watch from the last resourceVersion after the connection drops', async () => {
    const flaky = await cuttableApi(cluster.sim)
    try {
      const ref = await createReady('Deployment', 'ghcr.io/acme/flaky:v1')
      cluster.sim.pause()
      await promote(ref, 'ghcr.io/acme/flaky:v2')
      const logStart = cluster.sim.requestLog.length
      const waiting = waitForRollout(ref, options({ api: flaky.api, failFast: { enabled: false } }))
      await new Promise((resolve) => setTimeout(resolve, 100))
      flaky.cut()
      await new Promise((resolve) => setTimeout(resolve, 50))
      cluster.sim.resume()
      const result = await waiting
      expect(result.status).toBe('succeeded')
      const requests = cluster.sim.requestLog.slice(logStart).filter((r) => r.path.endsWith('/deployments'))
      const lists = requests.filter((r) => r.query['watch'] !== 'true')
      const watches = requests.filter((r) => r.query['watch'] === 'true')
      expect(lists).toHaveLength(1)
      expect(watches.length).toBeGreaterThanOrEqual(2)
      expect(watches[1]!.query['resourceVersion']).toBeTruthy()
    } finally {
      await flaky.close()
    }
  })

  it('lists again when the resourceVersion it would resume from has expired (410)', async () => {
    const flaky = await cuttableApi(cluster.sim)
    try {
      const ref = await createReady('Deployment', 'ghcr.io/acme/expired:v1')
      cluster.sim.pause()
      await promote(ref, 'ghcr.io/acme/expired:v2')
      const logStart = cluster.sim.requestLog.length
      const waiting = waitForRollout(ref, options({ api: flaky.api, failFast: { enabled: false } }))
      await new Promise((resolve) => setTimeout(resolve, 100))
      // A change after the watcher's list, then compaction: its resourceVersion is now too old.
      cluster.sim.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${ref.name}-bump`, namespace: 'default' },
        data: {}
      })
      cluster.sim.compactWatchHistory()
      flaky.cut()
      await new Promise((resolve) => setTimeout(resolve, 50))
      cluster.sim.resume()
      const result = await waiting
      expect(result.status).toBe('succeeded')
      const lists = cluster.sim.requestLog
        .slice(logStart)
        .filter((r) => r.path.endsWith('/deployments') && r.query['watch'] !== 'true')
      expect(lists.length).toBeGreaterThanOrEqual(2)
    } finally {
      await flaky.close()
    }
  })
})
