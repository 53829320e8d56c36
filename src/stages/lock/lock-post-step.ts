import type { KubernetesConnection } from '../../kubernetes/api/client-factory.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { Input } from '../../runtime/action-io.js'
import type { Clock } from '../../runtime/clock.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { releaseSavedLocks } from '../../steps/lock/release-saved-locks.js'
import { readHeldLocks, saveHeldLocks } from '../../steps/promotion-state.js'
import { ClusterConnector } from '../../targets/connect-clusters.js'

/**
 * The `lock` sub-action's post step (after the job, also after failure or cancellation):
 * releases every Lease the main step took that is still this run's, so a rotation whose
 * workflow forgot promote-action/unlock (or failed before it) does not block promotions for
 * all of hold-for. A Lease unlock already released is no longer ours and is left alone.
 * Never fails the job: a Lease it cannot release expires by itself.
 */
export async function runLockPostStep(
  context: StageContext,
  services: { clock: Clock; makeApi?: (connection: KubernetesConnection) => WorkloadApi }
): Promise<void> {
  const { io, logger } = context
  const locks = readHeldLocks(io)
  if (locks.length === 0) return
  const connector = new ClusterConnector({
    kubeconfig: io.getInput(Input.Kubeconfig) || undefined,
    env: context.env,
    logger,
    ...(services.makeApi ? { makeApi: services.makeApi } : {})
  })
  const released = await releaseSavedLocks(locks, {
    connector,
    clock: services.clock,
    logger,
    label: 'rotation lock'
  })
  if (released > 0)
    logger.warning(
      `Released ${released} Lease(s) of the rotation lock at the end of the job: the workflow did not run promote-action/unlock after promote-action/lock (or failed before it).`,
      { title: 'Rotation lock released by the post step' }
    )
  saveHeldLocks(io, [])
}
