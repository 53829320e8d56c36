/**
 * The lock and unlock bundles as the runner launches them (dist/, built with npm run bundle),
 * with a promote bundle that waits for the rotation in between.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { launchAction, type BundleName } from '../../../simulator/runner/launch-action.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  imageOf,
  NAMESPACE,
  NEW,
  OLD,
  promoteDist,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from '../promote/support/promotion-world.js'

const LEASE = 'promote-action.staging'

describe('the lock and unlock bundles', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  const launch = (
    bundle: BundleName,
    runId: string,
    inputs: Record<string, string> = {},
    state?: Record<string, string>
  ) =>
    launchAction({
      bundle,
      inputs: {
        environment: 'staging',
        config: 'promotion.yml',
        kubeconfig: world.sim.kubeconfig(),
        ...inputs
      },
      env: { GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: runId, KUBECONFIG: undefined },
      cwd: world.workspace,
      distDir: promoteDist(),
      timeoutMs: 60_000,
      ...(state ? { state } : {})
    })

  const holder = () =>
    (world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity?: string } }).spec
      .holderIdentity ?? ''

  it('a rotation locks, a promotion waits showing the reason, unlock lets it through; the post step finds nothing left', async () => {
    world = await startPromotionWorld(environmentConfig())
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')

    const locked = await launch('lock', '6000', {
      reason: 'rotating the database password',
      'hold-for': '20m'
    })
    expect(locked.exitCode).toBe(0)
    expect(locked.outputs).toMatchObject({ holder: 'acme/shop/6000/1' })
    expect(locked.summary).toContain('is locked for a secret rotation')
    expect(holder()).toBe('acme/shop/6000/1')

    const promotion = world.launch({ image: NEW }, { runId: '6001' })
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    const unlocked = await launch('unlock', '6000')
    expect(unlocked.exitCode).toBe(0)
    expect(unlocked.outputs['released']).toBe('true')

    const promoted = await promotion
    expect(promoted.exitCode).toBe(0)
    expect(promoted.stdout).toMatch(
      /Waiting for the lock shop\/promote-action\.staging in cluster default: held by acme\/shop\/6000\/1 \(.*\/runs\/6000\/attempts\/1\) for a secret rotation: rotating the database password/
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)

    const post = await launch('lock', '6000', {}, locked.state)
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('is no longer ours; nothing to release')
    expect(post.stdout).not.toContain('::warning')
  })

  it("the lock's post step releases the lock when the workflow never ran unlock", async () => {
    world = await startPromotionWorld(environmentConfig())
    const locked = await launch('lock', '6100', { reason: 'rotating the API key' })
    expect(locked.exitCode).toBe(0)
    expect(holder()).toBe('acme/shop/6100/1')
    const post = await launch('lock', '6100', { reason: 'rotating the API key' }, locked.state)
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toMatch(/::warning title=Rotation lock released by the post step::/)
    expect(holder()).toBe('')
  })
})
