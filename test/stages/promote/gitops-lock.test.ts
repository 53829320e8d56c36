import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { NAMESPACE, NEW, startPromotionWorld, type PromotionWorld } from './support/promotion-world.js'

const PATH = 'environments/staging/kustomization.yaml'
const LEASE = 'promote-action.staging'
const CONFIG = `
version: 1
environments:
  staging:
    mode: gitops
    namespace: ${NAMESPACE}
    gitops:
      path: ${PATH}
      image-name: api
      push: direct
`

describe('the lock of a GitOps promotion with a cluster it can reach', () => {
  let world: PromotionWorld

  beforeEach(async () => {
    world = await startPromotionWorld(CONFIG)
    world.github.putFile(PATH, 'kind: Kustomization\nimages:\n- name: api\n  newTag: "1.0.0"\n')
  })
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  it("is a Lease in the environment's namespace, taken before the files are read and released after", async () => {
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    expect(run.io.outputs['result']).toBe('committed')
    const leaseWrites = world.sim.writeLog.filter((w) => w.resource === 'leases')
    expect(leaseWrites.length).toBeGreaterThan(0)
    expect(run.logger.text).toContain(`Acquired the lock ${NAMESPACE}/${LEASE} in cluster default`)
    expect(run.logger.text).toContain(`Released the lock ${NAMESPACE}/${LEASE} in cluster default`)
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity: string } }
    expect(lease.spec.holderIdentity).toBe('')
  })

  it('waits while another run holds it, and commits nothing before it gets it', async () => {
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
    world.sim.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE, namespace: NAMESPACE },
      spec: {
        holderIdentity: 'acme/shop/999/1',
        leaseDurationSeconds: 3600,
        acquireTime: now,
        renewTime: now
      }
    })
    const run = await world.inProcess({ image: NEW, 'lock-timeout': '1s' })
    expect((run.error as Error).message).toContain(
      'waiting for the promotion lock of staging, held by acme/shop/999/1'
    )
    expect(
      world.github.requests.filter((r) => r.path.includes('/git/') || r.path.includes('/contents/'))
    ).toEqual([])
  })
})
