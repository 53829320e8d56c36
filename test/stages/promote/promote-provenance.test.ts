import { afterEach, describe, expect, it } from '@jest/globals'
import { SOURCE_SHA_ANNOTATION } from '../../../src/kubernetes/api/annotations.js'
import { OperationalError } from '../../../src/runtime/errors.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
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

/** The right build: gates passed, not failed upstream, not older than what runs, upstream not moved on. */
describe('promote stage: which builds it refuses (in process)', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  async function withApi(config: string): Promise<void> {
    world = await startPromotionWorld(config)
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')
  }

  const refusal = (error: unknown) => ({
    title: error instanceof OperationalError ? error.details.title : undefined,
    message: (error as Error | undefined)?.message ?? ''
  })

  it('refuses a commit older than the one the environment runs, unless allow-downgrade', async () => {
    await withApi(environmentConfig())
    const older = world.github.putFile('app.txt', 'v1', { message: 'v1' })
    const newer = world.github.putFile('app.txt', 'v2', { message: 'v2' })
    world.github.addDeployment({
      environment: 'staging',
      sha: newer,
      ref: newer,
      statuses: [{ state: 'success' }]
    } as never)

    const refused = await world.inProcess({ image: NEW, sha: older })
    expect(refusal(refused.error)).toMatchObject({ title: 'Downgrade refused' })
    expect(refusal(refused.error).message).toContain(
      `${older.slice(0, 7)} is older than ${newer.slice(0, 7)}`
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    expect(world.sim.writeLog.filter((w) => w.resource === 'deployments')).toEqual([])

    const allowed = await world.inProcess({ image: NEW, sha: older, 'allow-downgrade': 'true' })
    expect(allowed.error).toBeUndefined()
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
  })

  it('promotes a newer commit over an older one', async () => {
    await withApi(environmentConfig())
    const older = world.github.putFile('app.txt', 'v1', { message: 'v1' })
    const newer = world.github.putFile('app.txt', 'v2', { message: 'v2' })
    world.github.addDeployment({
      environment: 'staging',
      sha: older,
      ref: older,
      statuses: [{ state: 'success' }]
    } as never)
    const run = await world.inProcess({ image: NEW, sha: newer })
    expect(run.error).toBeUndefined()
    expect(run.logger.text).toContain(`${newer.slice(0, 7)} is ahead of ${older.slice(0, 7)}`)
  })

  it('refuses a commit whose gates for the environment have not passed, unless require-gates is off', async () => {
    await withApi(environmentConfig({ extra: '    gates: [{ uses: migration, with: { check: migrate } }]' }))
    const sha = world.github.putFile('app.txt', 'v1')

    const none = await world.inProcess({ image: NEW, sha })
    expect(refusal(none.error)).toMatchObject({ title: 'Promotion gates not passed' })
    expect(refusal(none.error).message).toContain(
      `no check run "promotion gates (staging)" exists on ${sha.slice(0, 7)}`
    )

    world.github.addCheckRun({
      head_sha: sha,
      name: 'promotion gates (staging)',
      status: 'completed',
      conclusion: 'failure'
    })
    const failed = await world.inProcess({ image: NEW, sha })
    expect(refusal(failed.error).message).toContain('the check run "promotion gates (staging)" is failure')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)

    const unchecked = await world.inProcess({ image: NEW, sha, 'require-gates': 'false' })
    expect(unchecked.error).toBeUndefined()
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
  })

  it('promotes a commit whose gates passed', async () => {
    await withApi(environmentConfig({ extra: '    gates: [{ uses: migration, with: { check: migrate } }]' }))
    const sha = world.github.putFile('app.txt', 'v1')
    world.github.addCheckRun({
      head_sha: sha,
      name: 'promotion gates (staging)',
      status: 'completed',
      conclusion: 'success'
    })
    const run = await world.inProcess({ image: NEW, sha })
    expect(run.error).toBeUndefined()
  })

  it('refuses a build that failed in the environment it comes from', async () => {
    const config = `
version: 1
environments:
  staging:
    namespace: ${NAMESPACE}
    targets: [{ name: api }]
  production:
    from: staging
    namespace: ${NAMESPACE}
    targets: [{ name: api }]
    rollout: { timeout: 20s }
    lock: { lease-duration: 3s, timeout: 30s }
`
    await withApi(config)
    const sha = world.github.putFile('app.txt', 'v1')
    world.github.addDeployment({
      environment: 'staging',
      sha,
      ref: sha,
      statuses: [
        { state: 'in_progress' },
        { state: 'failure', description: 'Unhealthy: /healthz answered 500' }
      ]
    } as never)
    const run = await world.inProcess({ image: NEW, sha, environment: 'production' })
    expect(refusal(run.error)).toMatchObject({ title: 'Build failed upstream' })
    expect(refusal(run.error).message).toContain(`${sha.slice(0, 7)} failed in staging`)
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  it('from-upstream refuses when upstream runs the build of another commit (it has moved on)', async () => {
    const config = `
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
    rollout: { timeout: 20s }
    lock: { lease-duration: 3s, timeout: 30s }
`
    world = await startPromotionWorld(config)
    world.sim.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } })
    const requested = world.github.putFile('app.txt', 'v1')
    const later = world.github.putFile('app.txt', 'v2')
    world.sim.create({
      ...deploymentManifest({ name: 'api', namespace: NAMESPACE, image: NEW }),
      metadata: { name: 'api', namespace: NAMESPACE, annotations: { [SOURCE_SHA_ANNOTATION]: later } }
    } as never)
    world.sim.create(deploymentManifest({ name: 'api', namespace: 'prod', image: OLD }))
    await settle(world.sim, 'deployments', 'api')

    const run = await world.inProcess({ 'from-upstream': 'true', sha: requested, environment: 'production' })
    expect(refusal(run.error)).toMatchObject({ title: 'Upstream has moved on' })
    expect(refusal(run.error).message).toContain(
      `staging runs the build of ${later.slice(0, 7)} now, not of ${requested.slice(0, 7)}`
    )

    const right = await world.inProcess({ 'from-upstream': 'true', sha: later, environment: 'production' })
    expect(right.error).toBeUndefined()
    expect(right.logger.text).toContain(`from-upstream: staging runs the build of ${later.slice(0, 7)}`)
  })
})
