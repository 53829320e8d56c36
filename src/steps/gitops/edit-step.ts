import { gitops } from '../../config/schema.js'
import { readSnapshot } from '../../gitops/delivery/commit-change.js'
import { gitHubManifestRepository } from '../../gitops/delivery/manifest-repository.js'
import { Permission } from '../../github/permission-errors.js'
import { Output } from '../../runtime/action-io.js'
import { ConfigurationError, OperationalError } from '../../runtime/errors.js'
import { defineStep, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import { editFiles, gitOpsFileSpecs } from './edit-files.js'
import type { GitOpsChange } from './gitops-change.js'
import { promotionBranch } from './promotion-branch.js'

/**
 * GitOps mode's edit: reads the environment's files from the manifests repository's base branch
 * (through the API: its head, then each file there) and points each at the promoted image,
 * byte-exact (src/gitops/edit). Nothing is written here; a dry run prints the exact diff of
 * every file. The deliver step applies the same edit again if the base moves before it writes.
 */
export const gitOpsEditStep = defineStep({
  name: 'edit',
  config: {
    schema: gitops,
    path: 'gitops',
    of: (environment) => {
      if (environment.gitops) return environment.gitops
      throw new ConfigurationError([
        {
          path: `environments.${environment.name}.gitops`,
          expected: 'a gitops section (files, or path and image-name)'
        }
      ])
    }
  },
  needs: ['manifests'],
  async run(run, config) {
    const { settings, logger, workflow } = run
    const image = run.promotedImage
    const repository = config.repository ?? workflow.repository
    const base = config['base-branch']
    const branch = promotionBranch(config['branch-prefix'], settings.environmentName, settings.sha)
    const specs = gitOpsFileSpecs(config)
    const paths = specs.map((s) => s.path)
    const manifests = await manifestRepository(run, repository)
    run.io.setOutput(Output.PullRequestUrl, '')
    const change = await logger.group(`Read ${paths.join(', ')} from ${repository}@${base}`, async () => {
      const snapshot = await readSnapshot(manifests, base, paths)
      if (!snapshot)
        throw new OperationalError(
          `The base branch ${base} of ${repository} was not found (or the token may not see it; it needs permissions: ${Permission.contentsWrite}).`,
          { title: 'GitOps base branch not found' }
        )
      const files = editFiles(specs, snapshot.files, image, `${base} of ${repository}`)
      const result: GitOpsChange = {
        manifests,
        config,
        repository,
        base,
        branch,
        snapshot,
        files,
        changed: files.some((f) => f.edit.changed),
        merged: false
      }
      for (const file of files)
        logger.info(
          `${file.path}: ${file.edit.changes.map((c) => `${c.field} ${c.from ?? '(none)'} → ${c.to ?? '(removed)'}`).join(', ') || `already points at ${image.format()}`}`
        )
      return result
    })
    run.gitops = change
    if (settings.dryRun) {
      const where =
        config.push === 'direct'
          ? `commit to ${base} of ${repository}`
          : `commit to ${branch} of ${repository} and open a pull request into ${base}`
      logger.info(
        change.changed
          ? `[dry-run] Would ${where}:\n${change.files.map((f) => f.diff).join('')}`
          : `[dry-run] ${paths.join(', ')} already point at ${image.format()}: would commit nothing`
      )
      run.result = 'dry-run'
    }
    return succeeded()
  }
})

/** The manifests repository through the run's one Octokit; gitops mode needs a token that may write it. */
async function manifestRepository(run: PromotionRun, repository: string) {
  const clients = run.settings.githubToken ? await run.github() : undefined
  if (!clients)
    throw new ConfigurationError([
      {
        path: 'input github-token',
        expected: `a token that may write contents and pull requests of ${repository} (gitops mode commits to it)`
      }
    ])
  return gitHubManifestRepository(
    clients.octokit,
    repository,
    run.settings.dryRun ? Permission.contentsRead : Permission.contentsWrite
  )
}
