import { commitChange, short } from '../../gitops/delivery/commit-change.js'
import { gitOpsRecordOf } from '../../gitops/delivery/gitops-record.js'
import type { PullRequestRef } from '../../gitops/delivery/manifest-repository.js'
import { deliverPullRequest } from '../../gitops/delivery/pull-request-delivery.js'
import { Output } from '../../runtime/action-io.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import { editChange, editFiles, gitOpsFileSpecs } from './edit-files.js'
import { isPromotionBranch } from './promotion-branch.js'
import {
  GITHUB_TOKEN_WARNING,
  pullRequestBody,
  pullRequestTitle,
  supersededComment
} from './pull-request-text.js'

/**
 * GitOps mode's delivery, through the API (no checkout), as one commit of every file:
 * - push: direct: the commit goes straight onto the base branch, race-safe (applied again on
 *   the new head when the base moved; commitChange);
 * - push: pull-request: onto the promotion branch (`branch-prefix` + environment + short sha,
 *   reused by a re-run), with a pull request into the base; older open promotion pull requests
 *   of the environment are closed as superseded (and their queued Deployment records marked
 *   inactive). The record stays queued until the merge (the merge step, or a person).
 * Files that already point at the image need no commit: `unchanged`, with the base head as the
 * delivered commit.
 */
export const gitOpsDeliverStep = defineStep({
  name: 'deliver',
  needs: ['manifests'],
  async run(run) {
    const change = run.gitops
    if (run.settings.dryRun || !change) return skipped
    const { logger } = run
    const image = run.promotedImage
    const { config, manifests, base } = change
    const specs = gitOpsFileSpecs(config)
    const paths = specs.map((s) => s.path)
    const where = `${base} of ${change.repository}`
    const title = pullRequestTitle({ image: image.format(), environmentName: run.settings.environmentName })
    const unchanged = () => {
      logger.info(`${paths.join(', ')} already point at ${image.format()}: nothing to commit`)
      change.deliveredSha = change.snapshot.head.sha
      change.deliveredAt = run.clock.now()
      change.merged = true
      run.outcome = { state: 'success', description: `Already at ${image.format()}` }
      run.result = 'unchanged'
      return succeeded()
    }

    if (config.push === 'direct') {
      const outcome = await logger.group(`Commit to ${base}`, () =>
        commitChange({
          manifests,
          base,
          paths,
          change: editChange(specs, image, where),
          message: title,
          target: { push: 'direct' },
          snapshot: change.snapshot,
          logger
        })
      )
      if (!outcome.committed) return unchanged()
      // The base may have moved: the files are as the commit found and left them.
      change.snapshot = outcome.snapshot
      change.files = editFiles(specs, outcome.snapshot.files, image, where)
      change.commitSha = outcome.sha
      change.deliveredSha = outcome.sha
      change.deliveredAt = run.clock.now()
      change.merged = true
      logger.info(`Committed ${paths.join(', ')} to ${base}: ${outcome.sha}`)
      run.outcome = {
        state: 'success',
        description: `Committed ${image.format()} to ${base} (${short(outcome.sha)})`
      }
      run.result = 'committed'
      return succeeded()
    }

    const delivered = await logger.group(`Pull request from ${change.branch}`, () =>
      deliverPullRequest({
        manifests,
        base,
        branch: change.branch,
        snapshot: change.snapshot,
        change: editChange(specs, image, where),
        paths,
        title,
        body: pullRequestBody({
          environmentName: run.settings.environmentName,
          image: image.format(),
          files: change.files,
          sourceSha: run.settings.sha,
          runUrl: run.workflow.runUrl
        }),
        message: title,
        supersedes: (pull) =>
          isPromotionBranch(config['branch-prefix'], run.settings.environmentName, pull.head),
        comment: (newer) =>
          supersededComment({ newer, image: image.format(), base, runUrl: run.workflow.runUrl }),
        logger
      })
    )
    if (delivered.superseded.length > 0) await retireRecords(run, delivered.superseded)
    if (!delivered.pullRequest) return unchanged()
    const pullRequest = delivered.pullRequest
    change.pullRequest = pullRequest
    change.commitSha = delivered.headSha ?? pullRequest.headSha
    logger.warning(GITHUB_TOKEN_WARNING)
    run.pullRequest = pullRequest
    run.pullRequestUrl = pullRequest.url
    run.outcome = {
      state: 'queued',
      description: `Awaiting merge of pull request #${pullRequest.number}`,
      logUrl: pullRequest.url
    }
    run.result = 'pull-request-opened'
    return succeeded({ outputs: { [Output.PullRequestUrl]: pullRequest.url } })
  }
})

/**
 * The queued Deployment records of superseded pull requests are done: they will never be
 * merged. Best effort: the pull requests are closed either way.
 */
async function retireRecords(run: PromotionRun, superseded: readonly PullRequestRef[]): Promise<void> {
  const records = await run.records()
  if (!records) return
  const numbers = new Map(superseded.map((pull) => [pull.number, pull]))
  try {
    for (const record of await records.list(run.settings.environmentName, { limit: 30 })) {
      const gitops = gitOpsRecordOf(record.payload)
      if (record.state !== 'queued' || gitops?.pullRequest === undefined || !numbers.has(gitops.pullRequest))
        continue
      await records.setStatus(record.id, 'inactive', {
        description: `Superseded: pull request #${gitops.pullRequest} was closed for a newer promotion`
      })
      run.logger.info(
        `Deployment ${record.id} (pull request #${gitops.pullRequest}) marked inactive: superseded`
      )
    }
  } catch (error) {
    run.logger.warning(
      `Could not mark the superseded promotions' Deployments inactive: ${(error as Error).message}`
    )
  }
}
