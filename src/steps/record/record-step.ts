import type { DeploymentState } from '../../github/deployment-record.js'
import { describeApprovals, readRunApprovals, type RunApproval } from '../../github/run-approvals.js'
import { CancellationError } from '../../runtime/errors.js'
import { defineStep, skipped, succeeded, type PromotionStep } from '../promotion-step.js'
import type { PromotionRun, RecordOutcome } from '../promotion-run.js'
import { startDeploymentRecord } from './github-deployment.js'

export interface RecordStepOptions {
  /** What the record's payload says the promotion changes: workloads, or the manifest files. */
  targets(run: PromotionRun): string[]
  /** How the record closes when a step failed without saying how. */
  failed(failure: unknown, run: PromotionRun): RecordOutcome
  /** More of the record's payload (GitOps: what a later revert needs). */
  payload?(run: PromotionRun): Record<string, unknown>
}

/**
 * The GitHub Deployment record of the promotion: opened in_progress (a re-run reuses its own),
 * its id saved for the post step and output, and closed when the steps end, as the step that
 * decided the verdict set it (run.outcome), else by `failed` for a failure.
 */
export function recordStep(options: RecordStepOptions): PromotionStep {
  return defineStep({
    name: 'record',
    needs: ['github'],
    async run(run) {
      if (run.settings.dryRun) return skipped
      const records = await run.records()
      if (!records) return skipped
      const approvals = await reviewsOfThisRun(run)
      run.approvals = describeApprovals(approvals, run.settings.environmentName)
      const id = await startDeploymentRecord({
        records,
        approvals: approvals.filter((a) => a.environments.includes(run.settings.environmentName)),
        settings: run.settings,
        workflow: run.workflow,
        image: run.promotedImage,
        targets: options.targets(run),
        ...(options.payload ? { payload: options.payload(run) } : {}),
        io: run.io,
        logger: run.logger
      })
      run.deploymentId = id
      run.onEnd(async ({ failure }) => {
        const outcome =
          run.outcome ??
          (failure === undefined
            ? { state: 'success' as DeploymentState, description: `Promoted ${run.promotedImage.format()}` }
            : options.failed(failure, run))
        try {
          await records.setStatus(id, outcome.state, {
            description: outcome.description,
            logUrl: outcome.logUrl ?? run.workflow.runUrl,
            environmentUrl: run.environment.url
          })
        } catch (error) {
          run.logger.warning(
            `Could not set Deployment ${id} to ${outcome.state}: ${(error as Error).message}`
          )
        }
      })
      return succeeded()
    }
  })
}

/**
 * This run's deployment reviews, for the record's payload and the summary. A token without
 * `actions: read` cannot read them: that is noted, not a failure.
 */
async function reviewsOfThisRun(run: PromotionRun): Promise<RunApproval[]> {
  if (!run.workflow.runId) return []
  try {
    const clients = await run.github()
    return clients ? await readRunApprovals(clients.octokit, clients, run.workflow.runId) : []
  } catch (error) {
    run.logger.info(`The run's deployment reviews were not recorded: ${(error as Error).message}`)
    return []
  }
}

/** Kubernetes mode: a failure before any patch says so (a cancellation is an error, not a failure). */
export function failedBeforeTheRollout(failure: unknown, run: PromotionRun): RecordOutcome {
  const cancelled = failure instanceof CancellationError || run.signal.aborted
  return cancelled
    ? { state: 'error', description: 'Cancelled before any workload was changed' }
    : { state: 'failure', description: `Failed before the rollout: ${(failure as Error).message}` }
}
