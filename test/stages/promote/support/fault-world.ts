import { startFaultProxy, type FaultProxy } from '../../../../simulator/faults/fault-proxy.js'
import { deploymentManifest } from '../../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  NAMESPACE,
  OLD,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from './promotion-world.js'

/** The three Deployments the fault tests and the fault benchmark promote, and the environment's Lease. */
export const TARGETS = ['api', 'web', 'worker']
export const LEASE = 'promote-action.staging'

export interface FaultWorld {
  world: PromotionWorld
  proxy: FaultProxy
  close(): Promise<void>
}

/** Three Deployments on OLD behind a fault proxy; the promotion's kubeconfig points at the proxy. */
export async function startFaultWorld(): Promise<FaultWorld> {
  const world = await startPromotionWorld(
    environmentConfig({ targets: TARGETS.map((name) => `      - name: ${name}`).join('\n') })
  )
  for (const name of TARGETS) world.sim.create(deploymentManifest({ name, namespace: NAMESPACE, image: OLD }))
  for (const name of TARGETS) await settle(world.sim, 'deployments', name)
  const proxy = await startFaultProxy({ upstream: world.sim.url })
  return {
    world,
    proxy,
    async close() {
      await proxy.close()
      await world.close()
    }
  }
}
