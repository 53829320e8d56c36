import { gitops } from '../../config/schema.js'
import { gitHubManifestRepository } from '../../gitops/delivery/manifest-repository.js'
import { Permission } from '../../github/permission-errors.js'
import { Output } from '../../runtime/action-io.js'
import { ConfigurationError, OperationalError } from '../../runtime/errors.js'
import { defineStep, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import type { GitOpsChange } from './gitops-change.js'
import { setKustomizationImage } from './kustomization-image.js'
import { lineDiff } from './text-diff.js'

/**
 * GitOps mode's edit: reads the environment's kustomization from the manifests repository's
 * base branch and points its `images[]` entry at the promoted image. Nothing is written here.
 */
export const gitOpsEditStep = defineStep({
  name: 'edit',
  config: {
    schema: gitops,
    path: 'gitops',
    of: (environment) => {
      if (environment.gitops) return environment.gitops
      throw new ConfigurationError([
        { path: `environments.${environment.name}.gitops`, expected: 'a gitops section (path, image-name)' }
      ])
    }
  },
  needs: ['manifests'],
  async run(run, config) {
    const { settings, logger, workflow } = run
    const image = run.promotedImage
    const repository = config.repository ?? workflow.repository
    const base = config['base-branch']
    const branch = `${config['branch-prefix']}${settings.environmentName}-${settings.sha.slice(0, 7)}`
    const manifests = await manifestRepository(run, repository)
    run.io.setOutput(Output.PullRequestUrl, '')
    const read = await logger.group(`Read ${config.path} from ${repository}@${base}`, async () => {
      const baseHead = await manifests.branchHead(base)
      if (baseHead === undefined)
        throw new OperationalError(
          `The base branch ${base} of ${repository} was not found (or the token may not see it; it needs permissions: ${Permission.contentsWrite}).`,
          { title: 'GitOps base branch not found' }
        )
      const file = await manifests.readFile(config.path, baseHead)
      if (file === undefined)
        throw new OperationalError(
          `${config.path} does not exist on ${base} of ${repository}; gitops.path must name the environment's kustomization.yaml.`,
          { title: 'Kustomization file not found' }
        )
      return {
        baseHead,
        file,
        edit: setKustomizationImage(file.text, config.path, config['image-name'], image)
      }
    })
    const change: GitOpsChange = {
      manifests,
      repository,
      path: config.path,
      imageName: config['image-name'],
      base,
      branch,
      ...read,
      diff: lineDiff(read.file.text, read.edit.content)
    }
    run.gitops = change
    logger.info(
      `images[name=${change.imageName}]: ${change.edit.previous ?? '(no entry)'} → ${image.format()}`
    )
    if (settings.dryRun) {
      logger.info(
        change.edit.changed
          ? `[dry-run] Would commit to ${branch} of ${repository} and open a pull request into ${base}:\n${change.diff}`
          : `[dry-run] ${change.path} already points at ${image.format()}: would open no pull request`
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
        expected: `a token that may write contents and pull requests of ${repository} (gitops mode opens a pull request)`
      }
    ])
  return gitHubManifestRepository(
    clients.octokit,
    repository,
    run.settings.dryRun ? Permission.contentsRead : Permission.contentsWrite
  )
}
