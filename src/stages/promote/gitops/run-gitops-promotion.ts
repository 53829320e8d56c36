import type { DeploymentRecords } from '../../../github/deployment-record.js'
import { createOctokit } from '../../../github/octokit-factory.js'
import { Permission } from '../../../github/permission-errors.js'
import type { ImageReference } from '../../../image/image-reference.js'
import { Output } from '../../../runtime/action-io.js'
import { ConfigurationError, OperationalError } from '../../../runtime/errors.js'
import { SUMMARY_LIMIT_BYTES, truncateMarkdown } from '../../../runtime/markdown.js'
import type { StageContext } from '../../../runtime/run-stage.js'
import type { PromoteSettings } from '../../../settings/promote-settings.js'
import { startDeploymentRecord } from '../github-deployment.js'
import { markFinished } from '../promotion-state.js'
import { gitOpsSummary, type GitOpsResult } from './gitops-summary.js'
import { setKustomizationImage } from './kustomization-image.js'
import {
  gitHubManifestRepository,
  type ManifestRepository,
  type PullRequestRef
} from './manifest-repository.js'
import { pullRequestBody, pullRequestTitle, GITHUB_TOKEN_WARNING } from './pull-request-text.js'
import { lineDiff } from './text-diff.js'

export interface GitOpsReport {
  result: GitOpsResult
  deploymentId: number | undefined
  pullRequest: PullRequestRef | undefined
}

/**
 * GitOps mode: the environment changes when a pull request to its kustomization is merged (and
 * Argo CD or Flux syncs it), so the promotion is that pull request. Edits the `images[]` entry
 * on a branch made from the base branch, opens the pull request (or reuses the open one of a
 * re-run), and keeps the GitHub Deployment record pointing at it. Nothing touches a cluster.
 */
export async function runGitOpsPromotion(
  context: StageContext,
  settings: PromoteSettings,
  options: {
    image: ImageReference
    records: DeploymentRecords | null | undefined
    manifests?: ManifestRepository
  }
): Promise<GitOpsReport> {
  const { logger, io, workflow } = context
  const { image } = options
  const gitops = settings.environment.gitops
  if (!gitops)
    throw new ConfigurationError([
      {
        path: `environments.${settings.environmentName}.gitops`,
        expected: 'a gitops section (path, image-name)'
      }
    ])
  const repository = gitops.repository ?? workflow.repository
  const base = gitops['base-branch']
  const branch = `${gitops['branch-prefix']}${settings.environmentName}-${settings.sha.slice(0, 7)}`
  const manifests = options.manifests ?? (await manifestRepository(context, settings, repository))

  io.setOutput(Output.Image, image.format())
  io.setOutput(Output.Digest, image.digest ?? '')
  io.setOutput(Output.PullRequestUrl, '')

  const { baseHead, file, edit } = await logger.group(
    `Read ${gitops.path} from ${repository}@${base}`,
    async () => {
      const baseHead = await manifests.branchHead(base)
      if (baseHead === undefined)
        throw new OperationalError(
          `The base branch ${base} of ${repository} was not found (or the token may not see it; it needs permissions: ${Permission.contentsWrite}).`,
          { title: 'GitOps base branch not found' }
        )
      const file = await manifests.readFile(gitops.path, baseHead)
      if (file === undefined)
        throw new OperationalError(
          `${gitops.path} does not exist on ${base} of ${repository}; gitops.path must name the environment's kustomization.yaml.`,
          { title: 'Kustomization file not found' }
        )
      return {
        baseHead,
        file,
        edit: setKustomizationImage(file.text, gitops.path, gitops['image-name'], image)
      }
    }
  )
  const diff = lineDiff(file.text, edit.content)
  logger.info(`images[name=${gitops['image-name']}]: ${edit.previous ?? '(no entry)'} → ${image.format()}`)

  const report = async (
    result: GitOpsResult,
    extra: { pullRequest?: PullRequestRef; deploymentId?: number }
  ) => {
    io.setOutput(Output.Result, result)
    await io.appendSummary(
      truncateMarkdown(
        gitOpsSummary({
          environmentName: settings.environmentName,
          result,
          repository,
          path: gitops.path,
          branch,
          previous: edit.previous,
          image: image.format(),
          diff,
          ...extra
        }),
        SUMMARY_LIMIT_BYTES,
        workflow.runUrl
      )
    )
    markFinished(io)
    return { result, deploymentId: extra.deploymentId, pullRequest: extra.pullRequest }
  }

  if (settings.dryRun) {
    logger.info(
      edit.changed
        ? `[dry-run] Would commit to ${branch} of ${repository} and open a pull request into ${base}:\n${diff}`
        : `[dry-run] ${gitops.path} already points at ${image.format()}: would open no pull request`
    )
    return report('dry-run', {})
  }

  const records = options.records
  let deploymentId: number | undefined
  const setStatus = async (state: 'queued' | 'success' | 'failure', description: string, logUrl: string) => {
    if (!records || deploymentId === undefined) return
    try {
      await records.setStatus(deploymentId, state, {
        description,
        logUrl,
        environmentUrl: settings.environment.url
      })
    } catch (error) {
      logger.warning(`Could not set Deployment ${deploymentId} to ${state}: ${(error as Error).message}`)
    }
  }
  try {
    if (records)
      deploymentId = await startDeploymentRecord({
        records,
        settings,
        workflow,
        image,
        targets: [`${repository}/${gitops.path}`],
        io,
        logger
      })

    if (!edit.changed) {
      logger.info(`${gitops.path} already points at ${image.format()}: no pull request`)
      await setStatus('success', `Already at ${image.format()}`, workflow.runUrl)
      return await report('unchanged', deploymentIdField(deploymentId))
    }

    const pullRequest = await logger.group(`Pull request from ${branch}`, async () => {
      const branchHead = await manifests.branchHead(branch)
      const onBranch =
        branchHead === undefined ? undefined : await manifests.readFile(gitops.path, branchHead)
      const title = pullRequestTitle({ image: image.format(), environmentName: settings.environmentName })
      if (onBranch?.text === edit.content)
        logger.info(`${branch} already holds the edit (a re-run): reusing it`)
      else {
        // A re-run whose branch is stale starts again from the base branch: the edit is one file.
        await manifests.resetBranch(branch, baseHead, branchHead !== undefined)
        await manifests.commitFile({
          branch,
          path: gitops.path,
          text: edit.content,
          sha: file.sha,
          message: title
        })
        logger.info(`Committed the edit of ${gitops.path} to ${branch}`)
      }
      const body = pullRequestBody({
        environmentName: settings.environmentName,
        image: image.format(),
        previous: edit.previous,
        path: gitops.path,
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
    io.setOutput(Output.PullRequestUrl, pullRequest.url)
    await setStatus('queued', `Awaiting merge of pull request #${pullRequest.number}`, pullRequest.url)
    return await report('pull-request-opened', { pullRequest, ...deploymentIdField(deploymentId) })
  } catch (error) {
    await setStatus('failure', `GitOps promotion failed: ${(error as Error).message}`, workflow.runUrl)
    markFinished(io)
    throw error
  }
}

function deploymentIdField(id: number | undefined): { deploymentId?: number } {
  return id === undefined ? {} : { deploymentId: id }
}

async function manifestRepository(
  context: StageContext,
  settings: PromoteSettings,
  repository: string
): Promise<ManifestRepository> {
  if (!settings.githubToken)
    throw new ConfigurationError([
      {
        path: 'input github-token',
        expected: `a token that may write contents and pull requests of ${repository} (gitops mode opens a pull request)`
      }
    ])
  const octokit = await createOctokit({
    token: settings.githubToken,
    apiUrl: context.workflow.apiUrl,
    logger: context.logger
  })
  return gitHubManifestRepository(
    octokit,
    repository,
    settings.dryRun ? Permission.contentsRead : Permission.contentsWrite
  )
}
