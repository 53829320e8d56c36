import { Output } from '../../runtime/action-io.js'
import { targetKey } from '../../targets/expand-target.js'
import { defineStep, succeeded } from '../promotion-step.js'
import { savePlan } from '../promotion-state.js'
import { planPatches, planText, previousImages } from '../report/promotion-summary.js'
import { planPromotion } from './promotion-plan.js'

/**
 * Finds every target in every cluster (names and label selectors), records what each runs (the
 * rollback goes back to exactly that) and plans its patch. Reads only. A real run logs each
 * target's current -> new image (the exact patches go to the debug log); a dry run prints the
 * patches in its report.
 */
export const planStep = defineStep({
  name: 'plan',
  needs: ['clusters'],
  async run(run) {
    const { settings, logger, workflow } = run
    const image = run.promotedImage
    const plans = await logger.group('Plan', () =>
      planPromotion({
        environment: run.environment,
        clusters: run.clusters,
        image,
        sourceSha: settings.sha,
        actor: workflow.actor,
        runUrl: workflow.runUrl,
        now: new Date(run.clock.now())
      })
    )
    run.plans = plans
    if (settings.dryRun) return succeeded()
    // Before the first patch: a post step after a killed main step knows what to restore.
    savePlan(run.io, {
      image: image.format(),
      rollback: settings.rollback,
      timeoutMs: settings.timeoutMs,
      targets: plans
        .filter((p) => p.plan.status === 'patch')
        .map((p) => ({
          key: targetKey(p),
          cluster: p.cluster.locator,
          record: p.record,
          images: Object.fromEntries(
            p.plan.status === 'patch' ? p.plan.changes.map((c) => [c.container, c.to]) : []
          )
        }))
    })
    logger.info(planText(plans, image, { patches: false }))
    for (const line of planPatches(plans)) logger.debug(line)
    return succeeded({ outputs: { [Output.PreviousImages]: JSON.stringify(previousImages(plans)) } })
  }
})
