import { afterEach, describe, expect, it } from '@jest/globals'
import type { ImageBehaviour } from '../../../simulator/kubernetes/simulator-types.js'
import { deploymentManifest, statefulSetManifest } from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  imageOf,
  NAMESPACE,
  NEW,
  OLD,
  REPO,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from './support/promotion-world.js'

describe('promote stage: failing rollouts (in process, against the simulator)', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  async function withDeployment(
    extra: Parameters<typeof deploymentManifest>[0] = { name: 'api', image: OLD }
  ): Promise<void> {
    world = await startPromotionWorld(environmentConfig())
    world.sim.create(deploymentManifest({ ...extra, namespace: NAMESPACE }))
    await settle(world.sim, 'deployments', 'api')
  }

  /** StatefulSet db (2 replicas) on OLD, rolled out; NEW runs but never becomes Ready. */
  async function withStatefulSetGoingNeverReady(): Promise<void> {
    world = await startPromotionWorld(
      environmentConfig({ targets: '      - name: db\n        kind: StatefulSet' })
    )
    world.sim.create(statefulSetManifest({ name: 'db', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'statefulsets', 'db')
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
  }

  it.each<[string, ImageBehaviour]>([
    ['ImagePullBackOff', { kind: 'image-pull-backoff', afterMs: 10 }],
    ['CrashLoopBackOff|RestartThresholdExceeded', { kind: 'crash-loop', afterMs: 10 }],
    ['CreateContainerConfigError', { kind: 'create-container-config-error' }],
    ['InvalidImageName', { kind: 'invalid-image-name' }]
  ])('fails fast on %s and rolls back', async (reason, behaviour) => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, behaviour)
    const started = Date.now()
    const run = await world.inProcess({ image: NEW })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect((run.error as Error).message).toMatch(new RegExp(reason))
    expect(run.io.outputs['result']).toBe('rolled-back')
    expect(run.io.summary).toMatch(new RegExp(reason))
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  it('fails in seconds when the ResourceQuota refuses the new pods, with the refusal, and rolls back', async () => {
    world = await startPromotionWorld(
      environmentConfig().replace('restart-threshold: 2', 'restart-threshold: 2\n        quota-grace: 1s')
    )
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')
    world.sim.create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: NAMESPACE },
      spec: { hard: { pods: '2' } }
    })
    const started = Date.now()
    const run = await world.inProcess({ image: NEW })
    expect(Date.now() - started).toBeLessThan(8000)
    expect((run.error as Error).message).toMatch(
      /replicaset\/api-[a-z0-9]+ cannot create pods: pods "api-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute/
    )
    expect(run.io.outputs['result']).toBe('rolled-back')
    expect(run.io.summary).toContain('FailedCreate')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  /** The platform tightens the namespace after the workload rolled out: running pods stay, new ones are refused. */
  function enforceRestricted(): void {
    const ns = world.sim.get('namespaces', '', NAMESPACE) as { metadata: { labels?: Record<string, string> } }
    ns.metadata.labels = { ...ns.metadata.labels, 'pod-security.kubernetes.io/enforce': 'restricted' }
    world.sim.update(ns as never)
  }

  it('fails at once when Pod Security admission refuses the new pods, and rolls back (the old pods never left)', async () => {
    await withDeployment()
    enforceRestricted()
    const started = Date.now()
    const run = await world.inProcess({ image: NEW })
    expect(Date.now() - started).toBeLessThan(8000)
    expect((run.error as Error).message).toMatch(
      /replicaset\/api-[a-z0-9]+ cannot create pods: pods "api-[a-z0-9]+-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest"/
    )
    expect(run.io.outputs['result']).toBe('rolled-back')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  it('says in seconds that a StatefulSet cannot be rolled back either when the namespace refuses every pod', async () => {
    world = await startPromotionWorld(
      environmentConfig({ targets: '      - name: db\n        kind: StatefulSet' })
    )
    world.sim.create(statefulSetManifest({ name: 'db', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'statefulsets', 'db')
    enforceRestricted()
    const started = Date.now()
    const run = await world.inProcess({ image: NEW })
    // The rolling update deleted db-1 before creating it anew: the old template is refused as well.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect((run.error as Error).message).toContain(
      'statefulset/db: its controller cannot create pods: Create Pod db-1 in StatefulSet db failed error: pods "db-1" is forbidden: violates PodSecurity "restricted:latest"'
    )
    expect(run.io.outputs['result']).toBe('failure')
    expect(run.logger.messages('error').join('\n')).toMatch(
      /ROLLBACK DID NOT COMPLETE: .*its rollout did not complete: statefulset\/db: its controller cannot create pods/
    )
    expect(imageOf(world.sim, 'statefulsets', 'db')).toBe(OLD)
  })

  it('fails on ProgressDeadlineExceeded', async () => {
    await withDeployment({ name: 'api', image: OLD })
    // The 1 s deadline applies to the promotion only: on a loaded machine the first rollout
    // alone can take longer than a second.
    const deployment = world.sim.get('deployments', NAMESPACE, 'api') as {
      spec: { progressDeadlineSeconds?: number }
    }
    deployment.spec.progressDeadlineSeconds = 1
    world.sim.update(deployment as never)
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
    const run = await world.inProcess({ image: NEW })
    expect((run.error as Error).message).toContain('exceeded its progress deadline')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  it('rolls back to the recorded revision when two older revisions exist', async () => {
    await withDeployment({ name: 'api', image: `${REPO}:0.9.0` })
    expect((await world.inProcess({ image: OLD }, { runId: '1' })).report?.result).toBe('success')
    world.sim.setImageBehaviour(NEW, { kind: 'crash-loop', afterMs: 10 })
    const run = await world.inProcess({ image: NEW }, { runId: '2' })
    expect(run.io.outputs['result']).toBe('rolled-back')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    expect(run.io.summary).toContain('rolled back to revision 2')
  })

  it('rolls a StatefulSet back past its pod of the failed revision that never became Ready (kubernetes#67250)', async () => {
    await withStatefulSetGoingNeverReady()
    const run = await world.inProcess({ image: NEW, timeout: '2s' })
    expect(run.io.outputs['result']).toBe('rolled-back')
    expect(imageOf(world.sim, 'statefulsets', 'db')).toBe(OLD)
    // Without deleting db-1 (new revision, never Ready) the OrderedReady controller waits on it forever.
    expect(run.logger.messages('info').join('\n')).toMatch(/deleting pod db-1 .*kubernetes#67250/)
    await settle(world.sim, 'statefulsets', 'db')
  })

  it('names the stuck StatefulSet pod to delete by hand when the token may not delete pods', async () => {
    await withStatefulSetGoingNeverReady()
    world.sim.denyRequests({ verb: 'delete', resource: 'pods' })
    const run = await world.inProcess({ image: NEW, timeout: '2s' })
    expect(run.io.outputs['result']).toBe('failure')
    const errors = run.logger.messages('error').join('\n')
    expect(errors).toMatch(/could not be deleted .*pods to delete: db-1\).*kubectl delete pod NAME -n shop/)
    expect(errors).toContain('ROLLBACK DID NOT COMPLETE')
  })

  it('from-upstream: promotes the digest the upstream pods run', async () => {
    world = await startPromotionWorld(
      `
version: 1
environments:
  staging:
    namespace: ${NAMESPACE}
    targets: [{ name: api }]
    image: { repository: ${REPO} }
  production:
    from: staging
    namespace: prod
    targets: [{ name: api }]
    image: { repository: ${REPO} }
    rollout: { timeout: 20s }
    lock: { lease-duration: 3s, timeout: 10s }
`,
      { namespaces: [NAMESPACE, 'prod'] }
    )
    const digest = `sha256:${'ab'.repeat(32)}`
    world.sim.setImageDigest(OLD, digest)
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    world.sim.create(deploymentManifest({ name: 'api', namespace: 'prod', image: `${REPO}:0.9.0` }))
    await settle(world.sim, 'deployments', 'api')
    const run = await world.inProcess({ environment: 'production', 'from-upstream': 'true' })
    expect(run.error).toBeUndefined()
    expect(run.io.outputs['digest']).toBe(digest)
    const prod = world.sim.get('deployments', 'prod', 'api') as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } }
    }
    expect(prod.spec.template.spec.containers[0]!.image).toBe(`${OLD}@${digest}`)
  })
})
