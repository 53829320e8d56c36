import { lock } from '../../config/schema.js'
import { lockScopes } from '../../targets/lock-identity.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { saveHeldLocks } from '../promotion-state.js'
import { waitForOtherDeployments } from '../record/github-deployment.js'
import { acquireEnvironmentLock, type HeldLockEntry } from './environment-lock.js'

/**
 * The environment lock: a Lease in every cluster and namespace the environment's targets live
 * in, taken in a fixed order, then (wait-for-deployments) no other run's GitHub Deployment in
 * progress. Held Leases go to the post step's state at once, so a killed runner's lock is
 * released after the job. Released when the steps end; handed to verify when the promotion
 * succeeded under `stage: all`. Losing a Lease aborts the run's fence.
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
    const held: HeldLockEntry[] = []
    await logger.group('Lock', async () => {
      const acquired = await acquireEnvironmentLock({
        environmentName: settings.environmentName,
        targets: lockScopes(run.clusters, run.environment.targets).map(({ cluster, namespace }) => ({
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
      if (records && config['wait-for-deployments'])
        await waitForOtherDeployments({
          records,
          environment: settings.environmentName,
          workflow,
          timeoutMs: settings.lockTimeoutMs,
          pollMs: services.deploymentPollMs ?? 5000,
          clock: run.clock,
          logger,
          signal: run.signal,
          holdingLock: true
        })
    })
    return succeeded()
  }
})
