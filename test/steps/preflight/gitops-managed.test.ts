import { afterEach, describe, expect, it } from '@jest/globals'
import { readCustomResourceDefinitions } from '../../../simulator/kubernetes/index.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  imageOf,
  NAMESPACE,
  NEW,
  OLD,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from '../../stages/promote/support/promotion-world.js'

const application = (selfHeal: boolean) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'argocd' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: NAMESPACE },
    source: { repoURL: 'https://github.com/acme/manifests.git', path: 'staging', targetRevision: 'main' },
    syncPolicy: { automated: { prune: true, selfHeal } }
  }
})

describe('kubernetes mode on a workload that Argo CD or Flux applies from Git', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  async function start(
    metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
    options: { policy?: 'warn'; app?: object } = {}
  ): Promise<void> {
    const config = environmentConfig().replace(
      '    rollout:\n',
      `    rollout:\n${options.policy ? `      gitops-managed: ${options.policy}\n` : ''}`
    )
    world = await startPromotionWorld(config, {
      namespaces: [NAMESPACE, 'argocd'],
      customResourceDefinitions: readCustomResourceDefinitions('cluster/crds')
    })
    if (options.app) world.sim.create(options.app)
    const manifest = deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD })
    Object.assign(manifest.metadata, {
      labels: { ...manifest.metadata.labels, ...metadata.labels },
      ...(metadata.annotations ? { annotations: metadata.annotations } : {})
    })
    world.sim.create(manifest)
    await settle(world.sim, 'deployments', 'api')
  }

  const patches = () => world.sim.writeLog.filter((w) => w.resource === 'deployments' && w.verb === 'patch')

  it('refuses an Argo CD-tracked workload whose Application self-heals, before any patch, pointing to mode: gitops', async () => {
    await start(
      { annotations: { 'argocd.argoproj.io/tracking-id': `web:apps/Deployment:${NAMESPACE}/api` } },
      { app: application(true) }
    )
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toMatchObject({
      name: 'OperationalError',
      details: { title: 'Target managed by GitOps' }
    })
    const message = (run.error as Error).message
    expect(message).toContain(
      `default/${NAMESPACE}/deployment/api: managed by Argo CD Application argocd/web (the annotation argocd.argoproj.io/tracking-id=web:apps/Deployment:${NAMESPACE}/api; syncPolicy.automated.selfHeal: true)`
    )
    expect(message).toContain(
      'mode: gitops, with gitops.sync.argocd: { application: web, namespace: argocd }'
    )
    expect(message).toContain('rollout.gitops-managed: warn')
    expect(patches()).toEqual([])
    expect(world.sim.requestLog.some((r) => r.dryRun)).toBe(false)
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    const id = Number(run.io.outputs['deployment-id'])
    expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual(['in_progress', 'failure'])
  })

  it('refuses a workload Flux applies (its kustomize-controller labels)', async () => {
    await start({
      labels: {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system'
      }
    })
    const run = await world.inProcess({ image: NEW })
    expect((run.error as Error).message).toContain('managed by Flux Kustomization flux-system/apps')
    expect((run.error as Error).message).toContain('gitops.sync.flux: { name: apps, namespace: flux-system }')
    expect(patches()).toEqual([])
  })

  it('patches anyway, with a warning, when rollout.gitops-managed is warn', async () => {
    await start(
      { annotations: { 'argocd.argoproj.io/tracking-id': `web:apps/Deployment:${NAMESPACE}/api` } },
      { app: application(true), policy: 'warn' }
    )
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    expect(run.logger.messages('warning')).toContainEqual(
      expect.stringContaining('is managed by Argo CD Application argocd/web')
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
  })

  it('only warns when the Application does not self-heal', async () => {
    await start(
      { annotations: { 'argocd.argoproj.io/tracking-id': `web:apps/Deployment:${NAMESPACE}/api` } },
      { app: application(false) }
    )
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    expect(run.logger.messages('warning')).toContainEqual(
      expect.stringContaining('it will report OutOfSync and revert the patch at its next sync')
    )
  })

  it('takes the instance label for Helm’s release label when no Application of that name exists', async () => {
    await start({ labels: { 'app.kubernetes.io/instance': 'api-release' } })
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    expect(run.logger.messages('warning').filter((w) => w.includes('managed by'))).toEqual([])
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
  })

  it('refuses the instance label when it names a self-healing Application', async () => {
    await start({ labels: { 'app.kubernetes.io/instance': 'web' } }, { app: application(true) })
    const run = await world.inProcess({ image: NEW })
    expect((run.error as Error).message).toContain(
      'the label app.kubernetes.io/instance=web, which names an existing Application; syncPolicy.automated.selfHeal: true'
    )
  })
})
