import { isPostStep, markMainStepStarted } from '../../runtime/post-step.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readPromoteSettings } from '../../settings/promote-settings.js'
import type { PromotionReport, PromotionServices } from './run-promotion.js'

export type { PromotionReport, PromotionServices } from './run-promotion.js'

/**
 * The promote stage as entrypoints run it. Main step: settings first (every input and config
 * problem at once, before any network call), then the promotion, whose Kubernetes and GitHub
 * clients load only now. Post step (same bundle): releases the lock, closes an unfinished
 * Deployment record.
 */
export async function promoteStage(context: StageContext): Promise<void> {
  await promote(context)
}

/**
 * The same, in-process, with replaceable services (demo, bench, tests); returns the report
 * of the main step (undefined for the post step).
 */
export async function promote(
  context: StageContext,
  services: Partial<PromotionServices> = {}
): Promise<PromotionReport | undefined> {
  if (isPostStep(context.io)) {
    const { runPostStep } = await import('./post-step.js')
    await runPostStep(context)
    return undefined
  }
  markMainStepStarted(context.io)
  const settings = await readPromoteSettings(context.io, context.workflow)
  const { runPromotion } = await import('./run-promotion.js')
  return runPromotion(context, settings, services)
}
