/**
 * The GitOps sync wait against the real control plane: the CRDs of cluster/crds installed, Argo
 * CD's and Flux's status sequences played as the admin (Argo CD's status by ordinary updates of
 * the whole object: its CRD has no status subresource; Flux's through /status), the workloads
 * rolled out by the real deployment controller, and the action's side authenticated ONLY as the
 * least-privilege ServiceAccount of cluster/rbac/promote-action-role.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { readdirSync } from 'node:fs'
import { ArgoCdPlayer } from '../../simulator/gitops/argocd-player.js'
import { FluxPlayer } from '../../simulator/gitops/flux-player.js'
import { parsePromotionConfig } from '../../src/config/parse-config.js'
import { systemClock } from '../../src/runtime/clock.js'
import { RecordingLogger } from '../../src/runtime/logger.js'
import { waitForGitOpsSync } from '../../src/steps/gitops/gitops-sync-wait.js'
import { ClusterConnector } from '../../src/targets/connect-clusters.js'
import { ImageReference } from '../../src/image/image-reference.js'
import { deploymentManifest } from '../kubernetes/support/fixtures.js'
import { adminKubeconfig, apply, createTestNamespace, kubectl, rolloutStatus, type TestNamespace } from './support/cluster.js'

const REPO = 'registry.example/acme/api'
const OLD = `${REPO}:1.0.0`
const NEW = `${REPO}:2.0.0`
const CRASH = `${REPO}:crashloop`
const BEFORE = '1'.repeat(40)

let ns: TestNamespace
let admin: k8s.KubeConfig
let apps: k8s.AppsV1Api
let counter = 0

beforeAll(async () => {
  // CRDs are cluster-scoped: installed as the admin, as a cluster operator would.
  for (const file of readdirSync('cluster/crds').filter((f) => f.endsWith('.yaml')))
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', `cluster/crds/${file}`])
  await kubectl([
    'wait',
    '--for=condition=Established',
    'crd/applications.argoproj.io',
    'crd/kustomizations.kustomize.toolkit.fluxcd.io',
    '--timeout=60s'
  ])
  ns = await createTestNamespace('gitops')
  admin = new k8s.KubeConfig()
  admin.loadFromFile(adminKubeconfig())
  apps = admin.makeApiClient(k8s.AppsV1Api)
})
afterAll(async () => {
  await ns?.dispose()
})

/** A Deployment on OLD, rolled out by the real controller; returns its name. */
async function deployment(extra: Record<string, unknown> = {}): Promise<string> {
  const name = `api-${++counter}`
  const manifest = deploymentManifest({ name, namespace: ns.name, image: OLD })
  Object.assign(manifest.spec, extra)
  await apply(manifest)
  await rolloutStatus('deployment', name, ns.name)
  return name
}

/** What Argo CD's or Flux's apply does: the Deployment gets the image the manifests now name (as the admin). */
const setImage = (name: string, image: string) => async () => {
  await apps.patchNamespacedDeployment(
    { name, namespace: ns.name, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
  )
}

/** The action's side: the environment from a config, its cluster reached with the ServiceAccount kubeconfig only. */
function wait(options: { sync: string; target?: string; image?: string; commit: string; timeout?: string }) {
  const config = parsePromotionConfig(
    `version: 1
environments:
  staging:
    mode: gitops
    namespace: ${ns.name}
    clusters: [{ name: kwok, credentials: input }]
${options.target ? `    targets: [{ name: ${options.target} }]\n` : ''}    rollout: { fail-fast: { restart-threshold: 2 } }
    gitops:
      path: environments/staging/kustomization.yaml
      image-name: api
      sync: { ${options.sync}, timeout: ${options.timeout ?? '90s'} }
`,
    'promotion.yml'
  )
  const environment = config.environments.get('staging')!
  const logger = new RecordingLogger()
  const clusters = new ClusterConnector({ kubeconfig: ns.saKubeconfig, env: {}, logger }).clusters(environment)
  const result = waitForGitOpsSync({
    environment,
    sync: environment.gitops!.sync!,
    clusters,
    commit: options.commit,
    deliveredAt: Date.now(),
    image: options.image ? ImageReference.parse(options.image) : undefined,
    ancestry: undefined,
    timeoutMs: environment.gitops!.sync!.timeout,
    clock: systemClock,
    logger
  })
  return { result, logger }
}

const commit = (n: number) => n.toString(16).padStart(40, 'c')

describe('waiting for Argo CD and Flux on the real control plane, as the ServiceAccount', () => {
  it('the ServiceAccount may watch and patch Applications and Kustomizations, and nothing more of them', async () => {
    const can = (verb: string, resource: string, ...extra: string[]) =>
      kubectl(['auth', 'can-i', verb, resource, '-n', ns.name, ...extra], undefined, ns.saKubeconfigPath).then(
        (o) => o.trim(),
        (e: { stdout?: string }) => (e.stdout ?? '').trim()
      )
    expect(await can('watch', 'applications.argoproj.io')).toBe('yes')
    expect(await can('patch', 'applications.argoproj.io')).toBe('yes')
    expect(await can('update', 'applications.argoproj.io')).toBe('no')
    expect(await can('delete', 'applications.argoproj.io')).toBe('no')
    expect(await can('patch', 'kustomizations.kustomize.toolkit.fluxcd.io')).toBe('yes')
    expect(await can('patch', 'kustomizations.kustomize.toolkit.fluxcd.io', '--subresource=status')).toBe('no')
    expect(await can('watch', 'helmreleases.helm.toolkit.fluxcd.io')).toBe('yes')
    expect(await can('patch', 'gitrepositories.source.toolkit.fluxcd.io')).toBe('no')
  })

  it('Argo CD: OutOfSync -> Synced, Progressing -> Healthy while the real deployment controller rolls out', async () => {
    const name = await deployment()
    const app = `web-${counter}`
    const player = new ArgoCdPlayer({ kubeConfig: admin, namespace: ns.name, name: app })
    await player.create(BEFORE, ns.name)
    const sha = commit(counter)
    const { result, logger } = wait({ sync: `argocd: { application: ${app}, namespace: ${ns.name} }`, target: name, image: NEW, commit: sha })
    const played = await player.playSync(sha, { apply: setImage(name, NEW), deployment: { namespace: ns.name, name }, timeoutMs: 60_000 })
    const outcome = await result
    expect(played).toBe('Healthy')
    expect(outcome.status).toBe('succeeded')
    expect(outcome.message).toBe(
      `Argo CD Application ${ns.name}/${app}: Synced at ${sha.slice(0, 7)} and Healthy; 1 target(s) rolled out on ${NEW}`
    )
    const lines = logger.messages('info').filter((l) => l.startsWith(`Argo CD Application ${ns.name}/${app}:`))
    expect(lines.some((l) => l.includes('OutOfSync'))).toBe(true)
    expect(lines.some((l) => l.includes('Progressing'))).toBe(true)
    // The refresh annotation reached the real apiserver (and the player removed it, as Argo CD does).
    expect(player.refreshSeenAt).toBeDefined()
    expect((await player.get()).metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined()
  })

  it('Argo CD: Degraded after the sync fails with its message (the real ProgressDeadlineExceeded)', async () => {
    const name = await deployment({ progressDeadlineSeconds: 3 })
    const app = `web-${counter}`
    const player = new ArgoCdPlayer({ kubeConfig: admin, namespace: ns.name, name: app })
    await player.create(BEFORE, ns.name)
    const sha = commit(counter)
    // No targets: the verdict is Argo CD's own health, not the pods'.
    const { result } = wait({ sync: `argocd: { application: ${app}, namespace: ${ns.name} }`, commit: sha })
    const played = await player.playSync(sha, { apply: setImage(name, CRASH), deployment: { namespace: ns.name, name }, timeoutMs: 60_000 })
    const outcome = await result
    expect(played).toBe('Degraded')
    expect(outcome).toMatchObject({ status: 'failed' })
    expect(outcome.message).toContain(`Degraded: Deployment "${name}" exceeded its progress deadline`)
  })

  it('Argo CD: with targets, the crash-looping pods fail the wait before Argo CD says Degraded', async () => {
    const name = await deployment({ progressDeadlineSeconds: 600 })
    const app = `web-${counter}`
    const player = new ArgoCdPlayer({ kubeConfig: admin, namespace: ns.name, name: app })
    await player.create(BEFORE, ns.name)
    const sha = commit(counter)
    const { result } = wait({ sync: `argocd: { application: ${app}, namespace: ${ns.name} }`, target: name, image: CRASH, commit: sha })
    await player.refreshRequested()
    await player.outOfSync(sha)
    await player.operationRunning(sha)
    await setImage(name, CRASH)()
    await player.operationSucceeded(sha, [{ kind: 'Deployment', name, namespace: ns.name }])
    const outcome = await result
    expect(outcome.status).toBe('failed')
    expect(outcome.message).toContain('CrashLoopBackOff')
    expect((await player.get()).status.health.status).toBe('Progressing')
  })

  it('Argo CD: a failed sync operation fails with its message and resource', async () => {
    const name = await deployment()
    const app = `web-${counter}`
    const player = new ArgoCdPlayer({ kubeConfig: admin, namespace: ns.name, name: app })
    await player.create(BEFORE, ns.name)
    const sha = commit(counter)
    const { result } = wait({ sync: `argocd: { application: ${app}, namespace: ${ns.name} }`, commit: sha })
    await player.playSync(sha, {
      apply: setImage(name, NEW),
      deployment: { namespace: ns.name, name },
      failOperation: 'one or more synchronization tasks are not valid'
    })
    const outcome = await result
    expect(outcome.status).toBe('failed')
    expect(outcome.message).toContain('the sync operation failed: one or more synchronization tasks are not valid')
    expect(outcome.resources).toEqual([expect.objectContaining({ kind: 'Deployment', name, status: 'SyncFailed' })])
  })

  it('Flux: Ready=True at main@sha1:<commit> through the status subresource, then the real rollout', async () => {
    const name = await deployment()
    const ks = `apps-${counter}`
    const player = new FluxPlayer({ kubeConfig: admin, namespace: ns.name, name: ks })
    await player.create(BEFORE)
    const sha = commit(counter)
    const { result, logger } = wait({ sync: `flux: { name: ${ks}, namespace: ${ns.name} }`, target: name, image: NEW, commit: sha })
    await player.playReconcile(sha, { apply: setImage(name, NEW), timeoutMs: 30_000 })
    const outcome = await result
    expect(outcome.status).toBe('succeeded')
    expect(outcome.message).toContain(`Ready at main@sha1:${sha}`)
    const object = await player.get()
    expect(object.status.lastHandledReconcileAt).toBe(object.metadata.annotations['reconcile.fluxcd.io/requestedAt'])
    // The ServiceAccount may not patch GitRepositories: only the shortcut is lost, with a line saying so.
    expect(logger.messages('info').some((l) => l.includes('could not request a fetch'))).toBe(true)
  })

  it('Flux: HealthCheckFailed for the commit fails the wait', async () => {
    const ks = `apps-${++counter}`
    const player = new FluxPlayer({ kubeConfig: admin, namespace: ns.name, name: ks })
    await player.create(BEFORE)
    const sha = commit(counter)
    const { result } = wait({ sync: `flux: { name: ${ks}, namespace: ${ns.name} }`, commit: sha })
    await player.playReconcile(sha, {
      apply: async () => undefined,
      fail: { reason: 'HealthCheckFailed', message: 'health check failed after 1m0s: timeout waiting for: [Deployment/x status: InProgress]' }
    })
    const outcome = await result
    expect(outcome).toMatchObject({ status: 'failed' })
    expect(outcome.message).toContain('HealthCheckFailed: health check failed after 1m0s')
  })
})
