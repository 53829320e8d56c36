import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { ArgoCdPlayer } from '../../../simulator/gitops/argocd-player.js'
import { FluxPlayer } from '../../../simulator/gitops/flux-player.js'
import { readCustomResourceDefinitions } from '../../../simulator/kubernetes/index.js'
import type { GitOpsSyncConfig } from '../../../src/config/schema.js'
import type { CommitAncestry } from '../../../src/github/commit-ancestry.js'
import { rolloutsOnImage } from '../../../src/gitops/sync/rollouts-on-image.js'
import { syncEngineFor } from '../../../src/gitops/sync/sync-engine.js'
import { waitForSync, type SyncWaitRequest } from '../../../src/gitops/sync/wait-for-sync.js'
import { ImageReference } from '../../../src/image/image-reference.js'
import { systemClock } from '../../../src/runtime/clock.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { startTestCluster, type TestCluster } from '../../kubernetes/support/cluster.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'

const OLD_COMMIT = '1'.repeat(40)
const COMMIT = 'c0ffee'.padEnd(40, 'a')
const OLD = 'ghcr.io/acme/api:1.0.0'
const NEW = 'ghcr.io/acme/api:2.0.0'
const argo: GitOpsSyncConfig = {
  argocd: { application: 'web', namespace: 'argocd' },
  timeout: 10_000,
  'wait-for-sync': true
}
const flux: GitOpsSyncConfig = {
  flux: { kind: 'Kustomization', name: 'apps', namespace: 'flux-system' },
  timeout: 10_000,
  'wait-for-sync': true
}

let cluster: TestCluster
let kubeConfig: k8s.KubeConfig
let apps: k8s.AppsV1Api

beforeEach(async () => {
  cluster = await startTestCluster({
    namespaces: ['argocd', 'flux-system', 'shop'],
    controllerTickMs: 2,
    customResourceDefinitions: readCustomResourceDefinitions('cluster/crds')
  })
  kubeConfig = new k8s.KubeConfig()
  kubeConfig.loadFromString(cluster.sim.kubeconfig())
  apps = kubeConfig.makeApiClient(k8s.AppsV1Api)
  cluster.sim.setImageBehaviour('ghcr.io/acme/api:crash', { kind: 'crash-loop', afterMs: 5 })
  cluster.sim.create(deploymentManifest({ name: 'api', namespace: 'shop', image: OLD, replicas: 2 }))
})
afterEach(async () => {
  await cluster.close()
})

/** What Argo CD's apply does for this commit: the Deployment gets the image the manifests now name. */
const setImage = (image: string) => async () => {
  await apps.patchNamespacedDeployment(
    {
      name: 'api',
      namespace: 'shop',
      body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
  )
}

function request(
  config: GitOpsSyncConfig,
  extra: Partial<SyncWaitRequest> = {}
): SyncWaitRequest & { logger: RecordingLogger } {
  return {
    api: cluster.api,
    engine: syncEngineFor(config),
    commit: COMMIT,
    deliveredAt: Date.now(),
    timeoutMs: 10_000,
    clock: systemClock,
    logger: new RecordingLogger(),
    ...extra
  } as SyncWaitRequest & { logger: RecordingLogger }
}

const workloadsOn = (image: string | undefined, logger: RecordingLogger) => (signal: AbortSignal) =>
  rolloutsOnImage(
    [
      {
        key: 'default/shop/deployment/api',
        api: cluster.api,
        ref: { kind: 'Deployment', name: 'api', namespace: 'shop' },
        containers: undefined
      }
    ],
    {
      image: image ? ImageReference.parse(image) : undefined,
      timeoutMs: 10_000,
      clock: systemClock,
      logger,
      signal
    }
  )

describe('waiting for Argo CD to sync the promotion commit', () => {
  it('requests a refresh, follows OutOfSync -> Running -> Synced/Progressing -> Healthy, and waits for the rollout', async () => {
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    const logger = new RecordingLogger()
    const waited = waitForSync(request(argo, { logger, workloads: workloadsOn(NEW, logger) }))
    const played = await player.playSync(COMMIT, {
      apply: setImage(NEW),
      deployment: { namespace: 'shop', name: 'api' }
    })
    const result = await waited
    expect(played).toBe('Healthy')
    expect(result.status).toBe('succeeded')
    expect(result.message).toBe(
      'Argo CD Application argocd/web: Synced at c0ffeea and Healthy; 1 target(s) rolled out on ghcr.io/acme/api:2.0.0'
    )
    expect(result.revision).toBe(COMMIT)
    const lines = logger.messages('info').filter((l) => l.startsWith('Argo CD Application argocd/web'))
    expect(lines[0]).toBe('Argo CD Application argocd/web: refresh requested')
    expect(lines).toContain('Argo CD Application argocd/web: Synced at c0ffeea and Healthy')
    expect(lines.some((l) => l.includes('OutOfSync at c0ffeea'))).toBe(true)
    expect(lines.some((l) => l.includes('sync operation Running'))).toBe(true)
    // The refresh is an ordinary merge patch of the Application, never of /status.
    const patches = cluster.sim.requestLog.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/applications/')
    )
    expect(patches.map((p) => [p.path, p.contentType])).toEqual([
      ['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web', 'application/merge-patch+json']
    ])
    // Watch-driven: one list and one watch of the Application, no polling GETs.
    const reads = cluster.sim.requestLog.filter(
      (r) =>
        r.user !== undefined &&
        r.path === '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications' &&
        r.method === 'GET'
    )
    expect(reads.length).toBeLessThanOrEqual(3)
  })

  it('fails fast on a failed sync operation with Argo CD’s message and the resource', async () => {
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    const waited = waitForSync(request(argo))
    await player.playSync(COMMIT, {
      apply: setImage(NEW),
      deployment: { namespace: 'shop', name: 'api' },
      failOperation: 'one or more objects failed to apply, reason: Deployment.apps "api" is invalid'
    })
    const result = await waited
    expect(result.status).toBe('failed')
    expect(result.message).toBe(
      'Argo CD Application argocd/web: the sync operation failed: one or more objects failed to apply, reason: Deployment.apps "api" is invalid; Deployment shop/api: SyncFailed (one or more objects failed to apply, reason: Deployment.apps "api" is invalid)'
    )
    expect(result.resources).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'api', status: 'SyncFailed' })
    ])
  })

  it('fails from the pods’ own reasons while Argo CD still says Progressing', async () => {
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    const logger = new RecordingLogger()
    const started = Date.now()
    const waited = waitForSync(
      request(argo, { logger, workloads: workloadsOn('ghcr.io/acme/api:crash', logger) })
    )
    await player.refreshRequested()
    await player.outOfSync(COMMIT)
    await player.operationRunning(COMMIT)
    await setImage('ghcr.io/acme/api:crash')()
    await player.operationSucceeded(COMMIT, [{ kind: 'Deployment', name: 'api', namespace: 'shop' }])
    const result = await waited
    expect(result.status).toBe('failed')
    expect(result.message).toContain('default/shop/deployment/api: rollout failed')
    expect(result.message).toContain('CrashLoopBackOff')
    // Long before any progress deadline.
    expect(Date.now() - started).toBeLessThan(5000)
    expect((await player.get()).status.health.status).toBe('Progressing')
  })

  it('fails on Degraded after the sync, naming Argo CD’s message', async () => {
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    const waited = waitForSync(request(argo))
    await player.refreshRequested()
    await player.outOfSync(COMMIT)
    await player.operationRunning(COMMIT)
    await player.operationSucceeded(COMMIT, [{ kind: 'Deployment', name: 'api', namespace: 'shop' }])
    await player.health('Degraded', 'Deployment "api" exceeded its progress deadline', [
      { kind: 'Deployment', name: 'api', namespace: 'shop' }
    ])
    const result = await waited
    expect(result).toMatchObject({
      status: 'failed',
      message:
        'Argo CD Application argocd/web: Degraded: Deployment "api" exceeded its progress deadline; Deployment shop/api: Degraded (Deployment "api" exceeded its progress deadline)'
    })
  })

  it('asks GitHub once whether a later revision contains the commit', async () => {
    const LATER = 'beef'.padEnd(40, 'b')
    const asked: string[] = []
    const ancestry: CommitAncestry = {
      contains: async (descendant, commit) => {
        asked.push(`${commit}...${descendant}`)
        return true
      }
    }
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    await player.status(() => ({ sync: { status: 'Synced', revision: OLD_COMMIT } }))
    const waited = waitForSync(
      request(argo, {
        ancestry: { contains: async (d, c) => (d === OLD_COMMIT ? false : ancestry.contains(d, c)) }
      })
    )
    await player.refreshRequested()
    await player.outOfSync(LATER)
    await player.operationRunning(LATER)
    await player.operationSucceeded(LATER, [])
    await player.health('Healthy')
    const result = await waited
    expect(result).toMatchObject({ status: 'succeeded', revision: LATER })
    expect(asked).toEqual([`${COMMIT}...${LATER}`])
  })

  it('times out with the last state it saw when Argo CD never syncs', async () => {
    const player = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
    await player.create(OLD_COMMIT, 'shop')
    const result = await waitForSync(
      request(argo, { timeoutMs: 300, ancestry: { contains: async () => false } })
    )
    expect(result.status).toBe('timed-out')
    expect(result.message).toBe(
      'timed out after 0s waiting for Argo CD Application argocd/web: Synced at 1111111, Healthy: waiting for it to compare against c0ffeea'
    )
  })

  it('fails at once when the Application does not exist', async () => {
    const result = await waitForSync(request(argo))
    expect(result).toMatchObject({ status: 'failed' })
    expect(result.message).toContain('Argo CD Application argocd/web was not found')
  })
})

describe('waiting for Flux to reconcile the promotion commit', () => {
  it('requests a reconcile with the time, and is done when Ready=True at main@sha1:<commit>', async () => {
    const player = new FluxPlayer({ kubeConfig, namespace: 'flux-system', name: 'apps' })
    await player.create(OLD_COMMIT)
    const logger = new RecordingLogger()
    const waited = waitForSync(request(flux, { logger, workloads: workloadsOn(NEW, logger) }))
    const handledBefore = (await player.get()).status.lastHandledReconcileAt
    expect(handledBefore).toBeUndefined()
    await player.playReconcile(COMMIT, { apply: setImage(NEW) })
    const result = await waited
    expect(result.status).toBe('succeeded')
    expect(result.message).toContain(`Flux Kustomization flux-system/apps: Ready at main@sha1:${COMMIT}`)
    const object = await player.get()
    expect(Date.parse(object.metadata.annotations['reconcile.fluxcd.io/requestedAt'])).toBeGreaterThan(0)
    expect(object.status.lastHandledReconcileAt).toBe(
      object.metadata.annotations['reconcile.fluxcd.io/requestedAt']
    )
    // The GitRepository is asked too; without its CRD here, that is only a log line.
    expect(
      logger
        .messages('info')
        .some((l) => l.includes('Flux GitRepository flux-system/manifests: could not request a fetch'))
    ).toBe(true)
  })

  it('fails fast on HealthCheckFailed for the commit', async () => {
    const player = new FluxPlayer({ kubeConfig, namespace: 'flux-system', name: 'apps' })
    await player.create(OLD_COMMIT)
    const waited = waitForSync(request(flux))
    await player.playReconcile(COMMIT, {
      apply: setImage(NEW),
      fail: {
        reason: 'HealthCheckFailed',
        message: 'health check failed after 30s: Deployment/shop/api status: InProgress'
      }
    })
    const result = await waited
    expect(result).toMatchObject({
      status: 'failed',
      message:
        'Flux Kustomization flux-system/apps: HealthCheckFailed: health check failed after 30s: Deployment/shop/api status: InProgress'
    })
  })
})
