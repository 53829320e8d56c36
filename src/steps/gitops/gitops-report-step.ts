import { Output } from '../../runtime/action-io.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { gitOpsSummary, type GitOpsResult } from './gitops-summary.js'

/** GitOps mode's report: the `result` output and the job summary (the file, the diff, the pull request). */
export const gitOpsReportStep = defineStep({
  name: 'report',
  needs: [],
  async run(run) {
    const change = run.gitops
    const result = run.result as GitOpsResult | undefined
    if (!change || !result) return skipped
    return succeeded({
      outputs: { [Output.Result]: result },
      summary: gitOpsSummary({
        environmentName: run.settings.environmentName,
        result,
        repository: change.repository,
        path: change.path,
        branch: change.branch,
        previous: change.edit.previous,
        image: run.promotedImage.format(),
        diff: change.diff,
        ...(run.pullRequest ? { pullRequest: run.pullRequest } : {}),
        ...(run.deploymentId !== undefined ? { deploymentId: run.deploymentId } : {})
      })
    })
  }
})
