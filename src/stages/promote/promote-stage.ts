import { gitHubClients } from '../../github/run-clients.js'
import type { ImageReference } from '../../image/image-reference.js'
import { systemClock } from '../../runtime/clock.js'
import { isPostStep, markMainStepStarted } from '../../runtime/post-step.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readPromoteSettings } from '../../settings/promote-settings.js'
import type { PlannedTarget } from '../../steps/plan/promotion-plan.js'
import type { PromotionServices } from '../../steps/promotion-run.js'
import type { TargetOutcome } from '../../steps/waves/run-waves.js'

export type { PromotionServices } from '../../steps/promotion-run.js'

export interface PromotionReport {
  result: string
  image: ImageReference
  deploymentId: number | undefined
  outcomes: TargetOutcome[]
  plans: PlannedTarget[]
  /** GitOps mode: the promotion pull request. */
  pullRequestUrl?: string
}

/**
 * The promote stage as entrypoints run it. Main step: settings first (every input and config
 * problem at once, before any network call), then the promotion's steps, whose Kubernetes and
 * GitHub clients load only now. Post step (same bundle): releases the lock, closes an unfinished
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
  const [{ ClusterConnector }, { PromotionRun }, { runSteps }, { PROMOTION_STEPS }] = await Promise.all([
    import('../../targets/connect-clusters.js'),
    import('../../steps/promotion-run.js'),
    import('../../steps/run-steps.js'),
    import('./promotion-steps.js')
  ])
  const connector = new ClusterConnector({
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger: context.logger,
    ...(services.makeApi ? { makeApi: services.makeApi } : {})
  })
  const environment = settings.environment
  const run = new PromotionRun(
    context,
    settings,
    { ...services, clock: services.clock ?? systemClock },
    // GitOps mode changes a manifests repository, never this environment's clusters; it locks
    // (and waits for the sync) in those it can reach.
    environment.mode === 'gitops'
      ? connector.reachableClusters(environment)
      : connector.clusters(environment),
    connector,
    gitHubClients({ token: settings.githubToken, workflow: context.workflow, logger: context.logger })
  )
  await runSteps(PROMOTION_STEPS[environment.mode], run)
  return {
    result: run.result ?? 'success',
    image: run.promotedImage,
    deploymentId: run.deploymentId,
    outcomes: run.waves?.outcomes ?? [],
    plans: run.plans ?? [],
    ...(run.pullRequestUrl ? { pullRequestUrl: run.pullRequestUrl } : {})
  }
}
