import { lock } from '../../config/schema.js'
import { environmentLockScopes } from '../../targets/lock-identity.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { saveHeldLocks } from '../promotion-state.js'
import { waitForOtherDeployments } from '../record/github-deployment.js'
import { acquireEnvironmentLock, type HeldLockEntry } from './environment-lock.js'
import type { DeploymentSummary } from '../../github/deployment-record.js'
import { gitOpsRecordOf } from '../../gitops/delivery/gitops-record.js'

/**
 * The environment lock: a Lease in every cluster and namespace the environment's targets live
 * in, taken in a fixed order, then (wait-for-deployments) no other run's GitHub Deployment in
 * progress. Held Leases go to the post step's state at once, so a killed runner's lock is
 * released after the job. Released when the steps end; handed to verify when the promotion
 * succeeded under `stage: all`. Losing a Lease aborts the run's fence.
 *
 * GitOps mode: the Lease when the environment has a cluster the run can reach (in the
 * environment's namespace, or its targets'), and always the Deployment wait, which is then the
 * whole lock without a cluster. Queued GitOps records (a pull request awaiting its merge, or a
 * change awaiting a sync that another workflow checks) hold nothing: a newer promotion
 * supersedes them. An in_progress one is never taken for abandoned: a GitOps promotion may run
 * without the Lease.
 */
export const lockStep = defineStep({
  name: 'lock',
  config: { schema: lock, path: 'lock', of: (environment) => environment.lock },
  needs: ['clusters', 'github'],
  async run(run, config) {
    if (run.settings.dryRun) return skipped
    const records = await run.records()
    if (!config.enabled) return skipped
    const { settings, logger, workflow, io, services } = run
    const gitops = run.environment.mode === 'gitops'
    const held: HeldLockEntry[] = []
    await logger.group('Lock', async () => {
      // GitOps environments need no targets; the Lease goes in the environment's namespace then.
      const scopes = environmentLockScopes(run.clusters, run.environment)
      if (gitops && scopes.length === 0)
        logger.info(
          'No cluster (with a namespace) to hold the lock Lease in: the lock is the wait for other GitHub Deployments of this environment'
        )
      const acquired = await acquireEnvironmentLock({
        environmentName: settings.environmentName,
        targets: scopes.map(({ cluster, namespace }) => ({
          cluster: cluster.locator,
          api: cluster.api,
          namespace
        })),
        workflow,
        leaseDurationMs: config['lease-duration'],
        timeoutMs: settings.lockTimeoutMs,
        clock: run.clock,
        logger,
        signal: run.signal,
        onAcquired: (entry) => {
          held.push(entry)
          saveHeldLocks(io, held)
        },
        onLost: (message) => run.fence.abort(message)
      })
      // Only what was released leaves the post step's state: it tries the rest again.
      const release = async () => saveHeldLocks(io, await acquired.release())
      run.onEnd(async ({ failure }) => {
        if (failure === undefined && services.keepLock) services.keepLock(release, run.fence.signal)
        else await release()
      })
      if (records && (config['wait-for-deployments'] || gitops))
        await waitForOtherDeployments({
          records,
          environment: settings.environmentName,
          workflow,
          timeoutMs: settings.lockTimeoutMs,
          pollMs: services.deploymentPollMs ?? 5000,
          clock: run.clock,
          logger,
          signal: run.signal,
          holdingLock: !gitops,
          ...(gitops ? { ignore: awaitingMergeOrSync } : {})
        })
    })
    return succeeded()
  }
})

/** A GitOps promotion's record left queued: its pull request awaits a merge, or its commit a sync. */
function awaitingMergeOrSync(deployment: DeploymentSummary): boolean {
  return deployment.state === 'queued' && gitOpsRecordOf(deployment.payload) !== undefined
}
