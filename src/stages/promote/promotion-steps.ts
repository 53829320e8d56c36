import type { ResolvedEnvironment } from '../../config/schema.js'
import { describeWorkload } from '../../kubernetes/kinds/workload-kinds.js'
import { gitOpsDeliverStep } from '../../steps/gitops/deliver-step.js'
import { gitOpsEditStep } from '../../steps/gitops/edit-step.js'
import { gitOpsRecord } from '../../steps/gitops/gitops-change.js'
import { gitOpsReportStep } from '../../steps/gitops/gitops-report-step.js'
import { gitOpsMergeStep } from '../../steps/gitops/merge-step.js'
import { gitOpsSyncStep } from '../../steps/gitops/sync-step.js'
import { imageStep } from '../../steps/image/image-step.js'
import { lockStep } from '../../steps/lock/lock-step.js'
import { planStep } from '../../steps/plan/plan-step.js'
import { preflightStep } from '../../steps/preflight/preflight-step.js'
import { provenanceStep } from '../../steps/provenance/provenance-step.js'
import type { PromotionStep } from '../../steps/promotion-step.js'
import { failedBeforeTheRollout, recordStep } from '../../steps/record/record-step.js'
import { reportStep } from '../../steps/report/report-step.js'
import { wavesStep } from '../../steps/waves/waves-step.js'

/**
 * The promotion of each mode, as the list of steps it runs, in order (each step says what it
 * skips in a dry run). A new step (say, waiting for Argo CD to sync) is a file in src/steps and
 * one line here.
 *
 * GitOps: the record comes after the delivery, so that its payload holds the commits a later
 * revert needs (a Deployment's payload cannot change once it is made); the lock before the edit
 * serializes promotions of the environment from the first read on.
 */
export const PROMOTION_STEPS: Record<ResolvedEnvironment['mode'], ReadonlyArray<PromotionStep<unknown>>> = {
  kubernetes: [
    imageStep,
    provenanceStep,
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
    provenanceStep,
    lockStep,
    gitOpsEditStep,
    gitOpsDeliverStep,
    recordStep({
      targets: (run) => (run.gitops?.files ?? []).map((file) => `${run.gitops?.repository}/${file.path}`),
      payload: (run) => (run.gitops ? { gitops: gitOpsRecord(run.gitops) } : {}),
      failed: (failure) => ({
        state: 'failure',
        description: `GitOps promotion failed: ${(failure as Error).message}`
      })
    }),
    gitOpsMergeStep,
    gitOpsSyncStep,
    gitOpsReportStep
  ]
}
