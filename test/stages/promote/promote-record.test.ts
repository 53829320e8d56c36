import { afterEach, describe, expect, it } from '@jest/globals'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  NAMESPACE,
  NEW,
  OLD,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from './support/promotion-world.js'

describe('promote stage: the GitHub Deployment record (in process)', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  it("records who approved this run's deployment to the environment, in the payload and the summary", async () => {
    world = await startPromotionWorld(environmentConfig())
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')
    world.github.reviewDeployments(4242, {
      environments: ['staging'],
      state: 'approved',
      user: 'alice',
      comment: 'release train 12'
    })
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    const deployment = world.github.state.deployments.find((d) => d.id === run.report!.deploymentId)!
    expect((deployment.payload as { approvals?: unknown }).approvals).toEqual([
      { state: 'approved', user: 'alice', comment: 'release train 12', environments: ['staging'] }
    ])
    expect(run.io.summary).toContain('@alice approved ("release train 12")')
  })
})
