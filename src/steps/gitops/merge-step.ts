import { commitChange, short } from '../../gitops/delivery/commit-change.js'
import { mergePullRequest } from '../../gitops/delivery/merge-pull-request.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { editChange, editFiles, gitOpsFileSpecs } from './edit-files.js'

/**
 * GitOps mode with `merge: auto`: gets the promotion pull request merged (GitHub auto-merge, or
 * a merge once its required checks pass) and waits for it up to `merge-timeout`. A pull request
 * that conflicts with a base that moved is rebuilt: the edit applied again on the new base head.
 * Then `run.gitops.deliveredSha` is the merge commit, for the sync wait after it.
 */
export const gitOpsMergeStep = defineStep({
  name: 'merge',
  needs: ['manifests'],
  async run(run) {
    const change = run.gitops
    const pullRequest = change?.pullRequest
    if (run.settings.dryRun || !change || !pullRequest || change.merged || change.config.merge !== 'auto')
      return skipped
    const { config, manifests, base } = change
    const { logger } = run
    const image = run.promotedImage
    const specs = gitOpsFileSpecs(config)
    const paths = specs.map((s) => s.path)
    const where = `${base} of ${change.repository}`
    try {
      const merged = await logger.group(`Merge pull request #${pullRequest.number}`, () =>
        mergePullRequest({
          manifests,
          pullRequest: { ...pullRequest, headSha: change.commitSha ?? pullRequest.headSha },
          method: config['merge-method'],
          timeoutMs: config['merge-timeout'],
          pollMs: run.services.mergePollMs ?? 5000,
          clock: run.clock,
          signal: run.signal,
          logger,
          rebuild: async () => {
            const outcome = await commitChange({
              manifests,
              base,
              paths,
              change: editChange(specs, image, where),
              message: pullRequest.title,
              target: { push: 'branch', branch: change.branch },
              logger
            })
            if (!outcome.committed) return
            change.snapshot = outcome.snapshot
            change.files = editFiles(specs, outcome.snapshot.files, image, where)
            change.commitSha = outcome.sha
          }
        })
      )
      change.deliveredSha = merged.sha
      change.deliveredAt = run.clock.now()
      change.merged = true
      run.outcome = {
        state: 'success',
        description: `Merged pull request #${pullRequest.number} into ${base} (${short(merged.sha)})`,
        logUrl: pullRequest.url
      }
      run.result = 'merged'
      return succeeded()
    } catch (error) {
      // The promotion failed: the record says so, not "awaiting merge".
      run.outcome = undefined
      throw error
    }
  }
})
