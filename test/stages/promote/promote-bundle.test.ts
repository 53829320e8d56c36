import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  daemonSetManifest,
  deploymentManifest,
  statefulSetManifest
} from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  imageOf,
  NAMESPACE,
  NEW,
  OLD,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from './support/promotion-world.js'

describe('promote stage, bundled and launched as the runner does', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  describe('a Deployment', () => {
    beforeEach(async () => {
      world = await startPromotionWorld(environmentConfig())
      world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
      await settle(world.sim, 'deployments', 'api')
    })

    it('promotes the image, records a successful Deployment and releases the lock in post', async () => {
      const main = await world.launch({ image: NEW })
      expect(main.stderr).toBe('')
      expect(main.exitCode).toBe(0)
      expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
      expect(main.outputs['result']).toBe('success')
      expect(main.outputs['image']).toBe(NEW)
      expect(JSON.parse(main.outputs['previous-images']!)).toEqual({
        [`default/${NAMESPACE}/deployment/api`]: { app: OLD }
      })
      expect(JSON.parse(main.outputs['revisions']!)).toEqual({
        [`default/${NAMESPACE}/deployment/api`]: { before: '1', after: '2' }
      })
      expect(main.outputs['rolled-back']).toBe('false')
      const id = Number(main.outputs['deployment-id'])
      const statuses = world.github.state.deploymentStatuses[id]!.map((s) => s.state)
      expect(statuses).toEqual(['in_progress', 'success'])
      const deployment = world.github.state.deployments.find((d) => d.id === id)!
      expect(deployment.environment).toBe('staging')
      expect(main.summary).toContain('| default | shop | deployment/api | app |')
      expect(main.summary).toContain(`${OLD} → ${NEW}`)
      // The plan shows the image change; the exact patch goes to the debug log only.
      expect(main.stdout).toContain(`app: ${OLD} -> ${NEW}`)
      expect(main.stdout).not.toContain('    patch: {')
      expect(main.stdout).toMatch(/^::debug::patch for default\/shop\/deployment\/api: \{"metadata"/m)

      const post = await world.post(main)
      expect(post.exitCode).toBe(0)
      // The lease was released by main already; post finds nothing to do and does not touch the Deployment.
      expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual([
        'in_progress',
        'success'
      ])
    })

    it('never prints the kubeconfig token outside ::add-mask::', async () => {
      const main = await world.launch({ image: NEW })
      const token = world.sim.token
      const lines = (main.stdout + main.stderr).split('\n').filter((l) => l.includes(token))
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) expect(line.startsWith('::add-mask::')).toBe(true)
    })

    it('reports a target already on the image as unchanged, not as a promotion', async () => {
      const main = await world.launch({ image: OLD })
      expect(main.exitCode).toBe(0)
      expect(main.outputs['result']).toBe('unchanged')
      expect(main.summary).toContain('already on the image')
      expect(world.sim.writeLog.filter((w) => w.resource === 'deployments')).toEqual([])
    })

    it('fails without touching anything when no container matches', async () => {
      const main = await world.launch({ image: 'ghcr.io/acme/other:1' })
      expect(main.exitCode).not.toBe(0)
      expect(main.stdout).toContain('no container in deployment/api runs an image from ghcr.io/acme/other')
      expect(world.sim.writeLog.filter((w) => w.resource === 'deployments')).toEqual([])
      const id = Number(main.outputs['deployment-id'])
      expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual([
        'in_progress',
        'failure'
      ])
    })

    it('dry-run: every patch is dry-run on the server, nothing changes, the plan is printed', async () => {
      const before = JSON.stringify(world.sim.list('deployments', NAMESPACE))
      const main = await world.launch({ image: NEW, 'dry-run': 'true' })
      expect(main.exitCode).toBe(0)
      expect(main.outputs['result']).toBe('dry-run')
      expect(JSON.stringify(world.sim.list('deployments', NAMESPACE))).toBe(before)
      expect(world.sim.requestLog.some((r) => r.method === 'PATCH' && r.dryRun)).toBe(true)
      expect(world.sim.writeLog).toEqual([])
      expect(main.stdout).toContain(`app: ${OLD} -> ${NEW}`)
      expect(main.stdout).toContain(`    patch: {"metadata":{"annotations":{"kubernetes.io/change-cause":`)
      expect(main.summary).toContain('dry-run')
      expect(main.summary).toContain('"image": "ghcr.io/acme/api:2.0.0"')
      expect(world.github.state.deployments).toEqual([])
    })

    it('fails fast on a crash-looping image and rolls back to the recorded revision', async () => {
      world.sim.setImageBehaviour(NEW, { kind: 'crash-loop', afterMs: 20 })
      const main = await world.launch({ image: NEW })
      expect(main.exitCode).not.toBe(0)
      expect(main.outputs['result']).toBe('rolled-back')
      expect(main.outputs['rolled-back']).toBe('true')
      expect(main.stdout).toMatch(/CrashLoopBackOff|RestartThresholdExceeded/)
      expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
      const id = Number(main.outputs['deployment-id'])
      expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual([
        'in_progress',
        'failure'
      ])
      expect(main.summary).toContain('rolled-back')
    })

    it('rollback: never leaves the failed rollout in place', async () => {
      world.sim.setImageBehaviour(NEW, { kind: 'image-pull-backoff', afterMs: 10 })
      const main = await world.launch({ image: NEW, rollback: 'never' })
      expect(main.exitCode).not.toBe(0)
      expect(main.outputs['result']).toBe('failure')
      expect(main.stdout).toContain('ImagePullBackOff')
      expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
    })

    it('re-running the same run attempt reuses its Deployment', async () => {
      const first = await world.launch({ image: NEW })
      const second = await world.launch({ image: OLD })
      expect(second.exitCode).toBe(0)
      expect(second.outputs['deployment-id']).toBe(first.outputs['deployment-id'])
      expect(world.github.state.deployments).toHaveLength(1)
    })
  })

  it.each([
    ['StatefulSet', 'statefulsets', statefulSetManifest],
    ['DaemonSet', 'daemonsets', daemonSetManifest]
  ] as const)('promotes a %s', async (kind, resource, manifest) => {
    world = await startPromotionWorld(
      environmentConfig({ targets: `      - kind: ${kind}\n        name: api` })
    )
    world.sim.create(manifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, resource, 'api')
    const main = await world.launch({ image: NEW })
    expect(main.stdout).not.toContain('::error')
    expect(main.exitCode).toBe(0)
    expect(main.outputs['result']).toBe('success')
    expect(imageOf(world.sim, resource, 'api')).toBe(NEW)
  })

  it('promotes every Deployment a label selector matches', async () => {
    world = await startPromotionWorld(environmentConfig({ targets: `      - selector: tier=web` }))
    for (const name of ['web-a', 'web-b']) {
      const m = deploymentManifest({ name, namespace: NAMESPACE, image: OLD })
      m.metadata.labels = { app: name, tier: 'web' } as typeof m.metadata.labels
      world.sim.create(m)
    }
    const main = await world.launch({ image: NEW })
    expect(main.exitCode).toBe(0)
    expect(imageOf(world.sim, 'deployments', 'web-a')).toBe(NEW)
    expect(imageOf(world.sim, 'deployments', 'web-b')).toBe(NEW)
  })
})
