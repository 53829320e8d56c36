import { Output } from '../../runtime/action-io.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { gitOpsSummary, type GitOpsResult } from './gitops-summary.js'

/** GitOps mode's report: the `result` output and the job summary (the files, the diffs, the commit or pull request). */
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
        base: change.base,
        branch: change.branch,
        push: change.config.push,
        files: change.files,
        image: run.promotedImage.format(),
        deliveredSha: change.deliveredSha,
        ...(change.pullRequest ? { pullRequest: change.pullRequest } : {}),
        ...(run.deploymentId !== undefined ? { deploymentId: run.deploymentId } : {})
      })
    })
  }
})
