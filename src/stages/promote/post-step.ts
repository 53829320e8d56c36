import { gitHubClients } from '../../github/run-clients.js'
import { Input } from '../../runtime/action-io.js'
import { systemClock } from '../../runtime/clock.js'
import type { StageContext } from '../../runtime/run-stage.js'
import {
  isFinished,
  readDeploymentId,
  readHeldLocks,
  readPlan,
  saveHeldLocks
} from '../../steps/promotion-state.js'
import { releaseSavedLocks } from '../../steps/lock/release-saved-locks.js'
import { recoverInterruptedPromotion } from './recover-interrupted-promotion.js'
import { ClusterConnector } from '../../targets/connect-clusters.js'

/**
 * The `post:` step (runs after the job, also after failure or cancellation). If main did not
 * finish (killed, crashed, cancelled before it could report) after it planned its patches, it
 * says which targets are left on which image and rolls them back (rollback: auto); then it
 * releases every Lease the main step still holds, and sets an unfinished Deployment record to
 * error. Never fails the job itself: a Lease it cannot release expires by itself.
 */
export async function runPostStep(context: StageContext): Promise<void> {
  const { io, logger, workflow } = context
  const locks = readHeldLocks(io)
  const connector = new ClusterConnector({
    kubeconfig: io.getInput(Input.Kubeconfig) || undefined,
    env: context.env,
    logger
  })
  // A main step killed mid-rollout: say what is left where, and roll it back (rollback: auto).
  const plan = readPlan(io)
  const recovered =
    plan && !isFinished(io) ? await recoverInterruptedPromotion(context, plan, locks, connector) : ''
  await releaseSavedLocks(locks, { connector, clock: systemClock, logger, label: 'promotion lock' })
  if (locks.length) saveHeldLocks(io, [])

  const deploymentId = readDeploymentId(io)
  if (deploymentId === undefined || isFinished(io)) return
  try {
    const clients = await gitHubClients({ token: io.getInput(Input.GithubToken), workflow, logger })()
    if (!clients) return
    await clients.deployments.setStatus(deploymentId, 'error', {
      description: `The promotion step ended before it finished (cancelled or killed)${recovered || '; check the workloads'}`,
      logUrl: workflow.runUrl
    })
    logger.info(`Set Deployment ${deploymentId} to error: the main step did not finish`)
  } catch (error) {
    logger.warning(`Could not set Deployment ${deploymentId} to error: ${(error as Error).message}`)
  }
}
