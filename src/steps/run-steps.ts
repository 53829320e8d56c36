import { KubernetesApiError } from '../kubernetes/api/api-error.js'
import { OperationalError } from '../runtime/errors.js'
import { SUMMARY_LIMIT_BYTES, truncateMarkdown } from '../runtime/markdown.js'
import type { OutputName } from '../runtime/action-io.js'
import type { PromotionStep } from './promotion-step.js'
import type { PromotionRun } from './promotion-run.js'
import { markFinished } from './promotion-state.js'

/**
 * Runs a promotion's steps in order, and is the one place failure is handled:
 * - a step that throws, or returns `failed`/`errored`, stops the list; only steps marked
 *   `always` (the reports) still run;
 * - then every end handler the steps registered runs, newest first, however the steps ended:
 *   the record step closes the GitHub Deployment (as the failing step said, or by its default),
 *   the lock step releases the Lease (or hands it to verify with `stage: all`);
 * - the main step is marked finished for the post step, and the failure is thrown.
 * A step's outputs and summary are written as soon as it returns them.
 */
export async function runSteps(
  steps: ReadonlyArray<PromotionStep<unknown>>,
  run: PromotionRun
): Promise<void> {
  let failure: unknown
  for (const step of steps) {
    if (failure !== undefined && !step.always) continue
    try {
      const config = step.config?.of(run.environment)
      const result = await step.run(run, config)
      for (const [name, value] of Object.entries(result.outputs ?? {}))
        run.io.setOutput(name as OutputName, value ?? '')
      if (result.summary)
        await run.io.appendSummary(truncateMarkdown(result.summary, SUMMARY_LIMIT_BYTES, run.workflow.runUrl))
      if ((result.status === 'failed' || result.status === 'errored') && failure === undefined)
        failure = result.error ?? new OperationalError(`The ${step.name} step ${result.status}`)
    } catch (error) {
      failure ??= error
    }
  }
  for (const handler of run.takeEndHandlers()) await handler({ failure })
  markFinished(run.io)
  if (failure !== undefined) throw asStageError(failure)
}

/** A Kubernetes API error as the stage reports it: titled for what the user must do. */
function asStageError(error: unknown): unknown {
  if (!(error instanceof KubernetesApiError)) return error
  return new OperationalError(`Kubernetes API: ${error.message}`, {
    title: error.code === 403 || error.code === 401 ? 'Kubernetes access denied' : 'Kubernetes API error',
    cause: error
  })
}
