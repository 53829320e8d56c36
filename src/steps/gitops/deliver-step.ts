import { Output } from '../../runtime/action-io.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { GITHUB_TOKEN_WARNING, pullRequestBody, pullRequestTitle } from './pull-request-text.js'

/**
 * GitOps mode's delivery: the edit committed on the promotion branch (made from the base
 * branch; a re-run whose branch already holds the edit reuses it) and a pull request into the
 * base branch (a re-run reuses the open one, with its text brought up to date). The record waits
 * queued for the merge; an unchanged file needs no pull request and succeeds at once.
 */
export const gitOpsDeliverStep = defineStep({
  name: 'deliver',
  needs: ['manifests'],
  async run(run) {
    const change = run.gitops
    if (run.settings.dryRun || !change) return skipped
    const { settings, logger, workflow } = run
    const image = run.promotedImage
    if (!change.edit.changed) {
      logger.info(`${change.path} already points at ${image.format()}: no pull request`)
      run.outcome = { state: 'success', description: `Already at ${image.format()}` }
      run.result = 'unchanged'
      return succeeded()
    }
    const { manifests, branch, base, path } = change
    const pullRequest = await logger.group(`Pull request from ${branch}`, async () => {
      const branchHead = await manifests.branchHead(branch)
      const onBranch = branchHead === undefined ? undefined : await manifests.readFile(path, branchHead)
      const title = pullRequestTitle({ image: image.format(), environmentName: settings.environmentName })
      if (onBranch?.text === change.edit.content)
        logger.info(`${branch} already holds the edit (a re-run): reusing it`)
      else {
        // A re-run whose branch is stale starts again from the base branch: the edit is one file.
        await manifests.resetBranch(branch, change.baseHead, branchHead !== undefined)
        await manifests.commitFile({
          branch,
          path,
          text: change.edit.content,
          sha: change.file.sha,
          message: title
        })
        logger.info(`Committed the edit of ${path} to ${branch}`)
      }
      const body = pullRequestBody({
        environmentName: settings.environmentName,
        image: image.format(),
        previous: change.edit.previous,
        path,
        sourceSha: settings.sha,
        runUrl: workflow.runUrl
      })
      const open = await manifests.findOpenPullRequest(branch, base)
      if (open) {
        logger.info(`Reusing open pull request #${open.number}: ${open.url}`)
        // A re-run may promote another image or come from another run: the text says what it holds now.
        if (open.title !== title || open.body !== body) {
          await manifests.updatePullRequest(open.number, { title, body })
          logger.info(`Updated the title and description of #${open.number} for ${image.format()}`)
        }
        return open
      }
      const created = await manifests.openPullRequest({ head: branch, base, title, body })
      logger.info(`Opened pull request #${created.number}: ${created.url}`)
      return created
    })
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
