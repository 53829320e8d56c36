import { CancellationError, OperationalError } from '../../runtime/errors.js'
import { targetKey } from '../../targets/expand-target.js'
import { defineStep, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import { refuseGitOpsManagedTargets } from './gitops-managed-check.js'

/**
 * Before the first real patch: a target that Argo CD or Flux applies from Git is refused (the
 * engine would revert the patch; gitops-managed-check.ts), then a server-side dry run
 * (`dryRun=All`) of every planned patch: RBAC, admission and validation errors surface while
 * nothing has changed. Then, before the first write, a cancelled run or a lost lock stops here.
 */
export const preflightStep = defineStep({
  name: 'preflight',
  needs: ['clusters'],
  async run(run) {
    await refuseGitOpsManagedTargets(run)
    await run.logger.group('Server-side dry run of every patch', () => dryRunEveryPatch(run))
    if (run.settings.dryRun) return succeeded()
    if (run.signal.aborted)
      throw new CancellationError('The run was cancelled before any workload was changed')
    if (run.fence.signal.aborted)
      throw new OperationalError(
        `${String(run.fence.signal.reason)} Stopped before any workload was changed.`,
        {
          title: 'Promotion lock lost'
        }
      )
    return succeeded()
  }
})

async function dryRunEveryPatch(run: PromotionRun): Promise<void> {
  await Promise.all(
    (run.plans ?? []).map(async (p) => {
      if (p.plan.status !== 'patch') return
      try {
        await p.cluster.api.patchWorkload(p.ref, p.plan.patch, { dryRun: true })
      } catch (error) {
        throw new OperationalError(
          `The server-side dry run of the patch for ${targetKey(p)} was rejected; nothing was changed: ${(error as Error).message}`,
          { title: 'Pre-flight dry run failed', cause: error }
        )
      }
    })
  )
}
