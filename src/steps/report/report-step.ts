import { Output } from '../../runtime/action-io.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import { targetKey } from '../../targets/expand-target.js'
import { defineStep, skipped, succeeded, type StepResult } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import {
  dryRunSummary,
  planText,
  previousImages,
  promotionResult,
  promotionSummary,
  revisions
} from './promotion-summary.js'

/**
 * The promotion's report: the outputs (revisions, rolled-back, result), the job summary, how
 * the record closes, and the verdict: a failed, cancelled or fenced rollout fails the stage with
 * a message that names the targets and what the rollback did. A dry run reports its plan.
 */
export const reportStep = defineStep({
  name: 'report',
  needs: [],
  always: true,
  async run(run) {
    if (run.settings.dryRun) return run.plans ? reportDryRun(run) : skipped
    return run.waves ? reportPromotion(run) : skipped
  }
})

function reportDryRun(run: PromotionRun): StepResult {
  const plans = run.plans ?? []
  const image = run.promotedImage
  run.logger.info(planText(plans, image, { patches: true }))
  run.result = 'dry-run'
  return succeeded({
    outputs: {
      [Output.PreviousImages]: JSON.stringify(previousImages(plans)),
      [Output.Revisions]: JSON.stringify(
        Object.fromEntries(
          plans.map((p) => [targetKey(p), p.record.revision ? { before: p.record.revision } : {}])
        )
      ),
      [Output.RolledBack]: 'false',
      [Output.Result]: 'dry-run'
    },
    summary: dryRunSummary(run.settings.environmentName, plans, image)
  })
}

function reportPromotion(run: PromotionRun): StepResult {
  const waves = run.waves!
  const { settings, logger } = run
  const image = run.promotedImage
  const environmentName = settings.environmentName
  const result = promotionResult(waves)
  run.result = result
  const report = {
    outputs: {
      [Output.Revisions]: JSON.stringify(revisions(waves.outcomes)),
      [Output.RolledBack]: String(waves.rolledBack),
      [Output.Result]: result
    },
    summary: promotionSummary({
      environmentName,
      image,
      result,
      waves,
      runUrl: run.workflow.runUrl,
      approvals: run.approvals,
      ...(run.deploymentId !== undefined ? { deploymentId: run.deploymentId } : {})
    })
  }
  const failed = (error: Error): StepResult => ({ status: 'failed', ...report, error })

  const failedTargets = waves.outcomes.filter((o) => ['failed', 'timed-out', 'deleted'].includes(o.status))
  const rollbackNote = waves.rollbackFailed
    ? ' ROLLBACK FAILED for some targets: check them now.'
    : waves.rolledBack
      ? ' Rolled back to the recorded revisions.'
      : settings.rollback === 'never'
        ? ' Not rolled back (rollback: never).'
        : ''
  if (waves.lockLost) {
    const patched = waves.outcomes.filter((o) => o.patched).map((o) => targetKey(o.target))
    run.outcome = {
      state: 'error',
      description: 'Lost the promotion lock during the rollout; stopped, not rolled back'
    }
    return failed(
      new OperationalError(
        `${String(run.fence.signal.reason)} The promotion stopped without rolling back, because another run may now be promoting ${environmentName}. ${patched.length ? `Patched before the loss: ${patched.join(', ')}; check what they run now.` : 'Nothing was patched.'}`,
        { title: 'Promotion lock lost' }
      )
    )
  }
  if (waves.cancelled) {
    run.outcome = { state: 'error', description: `Cancelled during the rollout.${rollbackNote}` }
    return failed(
      new CancellationError(`The run was cancelled during the rollout of ${environmentName}.${rollbackNote}`)
    )
  }
  if (waves.failed) {
    const first = failedTargets[0]
    run.outcome = {
      state: 'failure',
      description:
        `${first ? `${targetKey(first.target)}: ${first.message}` : 'Rollout failed'}`.slice(0, 100) +
        rollbackNote
    }
    return failed(
      new OperationalError(
        `Promotion of ${image.format()} to ${environmentName} failed: ${failedTargets.map((o) => `${targetKey(o.target)}: ${o.message}`).join('; ')}.${rollbackNote}`,
        { title: waves.rollbackFailed ? 'Promotion failed and rollback FAILED' : 'Promotion failed' }
      )
    )
  }
  run.outcome = {
    state: 'success',
    description: result === 'unchanged' ? `Already running ${image.format()}` : `Promoted ${image.format()}`
  }
  // A notice: worth seeing on the run's page, where a promotion that changed nothing is a surprise.
  if (result === 'unchanged')
    logger.notice(`Every target already runs ${image.format()}: nothing changed`, {
      title: `${environmentName} unchanged`
    })
  else logger.info(`Promoted ${image.format()} to ${environmentName}`)
  return succeeded(report)
}
