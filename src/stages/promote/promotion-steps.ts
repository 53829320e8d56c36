import type { ResolvedEnvironment } from '../../config/schema.js'
import { describeWorkload } from '../../kubernetes/kinds/workload-kinds.js'
import { gitOpsDeliverStep } from '../../steps/gitops/deliver-step.js'
import { gitOpsEditStep } from '../../steps/gitops/edit-step.js'
import { gitOpsRecordPayload } from '../../steps/gitops/gitops-record-payload.js'
import { gitOpsReportStep } from '../../steps/gitops/gitops-report-step.js'
import { gitOpsSyncStep } from '../../steps/gitops/sync-step.js'
import { imageStep } from '../../steps/image/image-step.js'
import { lockStep } from '../../steps/lock/lock-step.js'
import { planStep } from '../../steps/plan/plan-step.js'
import { preflightStep } from '../../steps/preflight/preflight-step.js'
import type { PromotionStep } from '../../steps/promotion-step.js'
import { failedBeforeTheRollout, recordStep } from '../../steps/record/record-step.js'
import { reportStep } from '../../steps/report/report-step.js'
import { wavesStep } from '../../steps/waves/waves-step.js'

/**
 * The promotion of each mode, as the list of steps it runs, in order (each step says what it
 * skips in a dry run). A new step (say, waiting for Argo CD to sync) is a file in src/steps and
 * one line here.
 */
export const PROMOTION_STEPS: Record<ResolvedEnvironment['mode'], ReadonlyArray<PromotionStep<unknown>>> = {
  kubernetes: [
    imageStep,
    lockStep,
    recordStep({
      targets: (run) =>
        run.environment.targets.map((t) =>
          t.name
            ? describeWorkload({ kind: t.kind, name: t.name })
            : `${t.kind.toLowerCase()}/[${t.selector}]`
        ),
      failed: failedBeforeTheRollout
    }),
    planStep,
    preflightStep,
    wavesStep,
    reportStep
  ],
  gitops: [
    imageStep,
    gitOpsEditStep,
    recordStep({
      targets: (run) => [`${run.gitops?.repository}/${run.gitops?.path}`],
      failed: (failure) => ({
        state: 'failure',
        description: `GitOps promotion failed: ${(failure as Error).message}`
      }),
      payload: (run) => (run.gitops ? { gitops: gitOpsRecordPayload(run.gitops) } : {})
    }),
    gitOpsDeliverStep,
    gitOpsSyncStep,
    gitOpsReportStep
  ]
}
