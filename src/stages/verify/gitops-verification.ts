import type { GitOpsSyncConfig } from '../../config/schema.js'
import { gitHubCommitAncestry } from '../../github/commit-ancestry.js'
import type { DeploymentRecords } from '../../github/deployment-record.js'
import type { Octokit } from '../../github/octokit-factory.js'
import { Permission, withPermission } from '../../github/permission-errors.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { VerifySettings } from '../../settings/verify-settings.js'
import {
  readGitOpsRecordPayload,
  type GitOpsRecordPayload
} from '../../steps/gitops/gitops-record-payload.js'
import { waitForGitOpsSync, type GitOpsSyncOutcome } from '../../steps/gitops/gitops-sync-wait.js'
import { revertDelivery } from '../../steps/gitops/revert-delivery.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import { findDeployment } from './close-deployment.js'
import type { CheckOutcome, RollbackTargetReport } from './verify-report.js'

/** What the verify stage needs for a GitOps environment with `gitops.sync`. */
export interface GitOpsScope {
  sync: GitOpsSyncConfig
  clusters: ConnectedCluster[]
  octokit: Octokit | undefined
  records: DeploymentRecords | undefined
}

/** The promotion this verification is about, as its Deployment record describes it. */
export interface GitOpsDelivery {
  payload: GitOpsRecordPayload
  /** The commit on the base branch the engine must have synced. */
  commit: string
  deliveredAt: number
}

/**
 * The delivered commit of the promotion whose record this verification closes: written in the
 * record's `payload.gitops` when known at creation, else the merge commit of the promotion
 * branch's merged pull request (the record is made before the delivery). A string says why
 * there is none (no record, a pull request still open, ...).
 */
export async function findGitOpsDelivery(
  scope: GitOpsScope,
  settings: VerifySettings
): Promise<GitOpsDelivery | string> {
  if (!scope.records || !scope.octokit) return 'no github-token: the promotion record cannot be read'
  const deployment = await findDeployment(scope.records, {
    deploymentId: settings.deploymentId,
    environment: settings.environmentName,
    sha: settings.sha
  })
  if (!deployment) return `no GitHub Deployment of ${settings.environmentName} for ${settings.sha}`
  const payload = readGitOpsRecordPayload(deployment.payload)
  if (!payload) return `Deployment ${deployment.id} does not say what was delivered (no payload.gitops)`
  if (payload.deliveredSha)
    return { payload, commit: payload.deliveredSha, deliveredAt: Date.parse(deployment.createdAt) }
  const [owner = '', repo = ''] = payload.repository.split('/')
  const pulls = await withPermission(
    Permission.pullRequestsRead,
    `list the pull requests of ${payload.branch} in ${payload.repository}`,
    async () =>
      (
        await scope.octokit!.rest.pulls.list({
          owner,
          repo,
          head: `${owner}:${payload.branch}`,
          base: payload.base,
          state: 'all',
          per_page: 10
        })
      ).data
  )
  const merged = pulls.find((p) => p.merged_at && p.merge_commit_sha)
  if (merged) return { payload, commit: merged.merge_commit_sha!, deliveredAt: Date.parse(merged.merged_at!) }
  const open = pulls.find((p) => p.state === 'open')
  return open
    ? `pull request #${open.number} (${open.html_url}) is not merged yet: nothing is on ${payload.base} to sync`
    : `no merged pull request from ${payload.branch} into ${payload.base} of ${payload.repository}`
}

export interface SyncCheckRequest {
  scope: GitOpsScope
  settings: VerifySettings
  delivery: GitOpsDelivery | string
  /** The image the targets must run; undefined after a revert (the previous one). */
  expectImage: boolean
  clock: Clock
  logger: Logger
  signal: AbortSignal
}

/** The engine's sync and health, and the targets' rollouts, as one verify check. */
export async function checkGitOpsSync(request: SyncCheckRequest): Promise<CheckOutcome> {
  const { scope, settings, delivery, clock, logger } = request
  const started = clock.now()
  const outcome = (healthy: boolean, name: string, detail: string): CheckOutcome => ({
    name,
    type: 'gitops-sync',
    healthy,
    attempts: null,
    p50Ms: null,
    p95Ms: null,
    durationMs: clock.now() - started,
    detail
  })
  if (typeof delivery === 'string') return outcome(false, 'GitOps sync', delivery)
  const result = await waitForGitOpsSync({
    environment: settings.environment,
    sync: scope.sync,
    clusters: scope.clusters,
    commit: delivery.commit,
    deliveredAt: delivery.deliveredAt,
    image: request.expectImage ? settings.image : undefined,
    ancestry: scope.octokit ? gitHubCommitAncestry(scope.octokit, delivery.payload.repository) : undefined,
    timeoutMs: settings.syncTimeoutMs,
    clock,
    logger,
    signal: request.signal
  })
  // The check's name says which engine; its detail need not say it again.
  const detail = result.message.startsWith(`${result.engine.label}: `)
    ? result.message.slice(result.engine.label.length + 2)
    : result.message
  return outcome(result.status === 'succeeded', syncCheckName(result, delivery.commit), detail)
}

function syncCheckName(result: GitOpsSyncOutcome, commit: string): string {
  return `${result.engine.label} at ${commit.slice(0, 7)}`
}

/**
 * `on-failure: rollback` for GitOps: the promotion's commit reverted on the base branch (never
 * a patch of the cluster, which the engine would undo), then the same wait for the revert.
 */
export async function revertAndWait(
  request: Omit<SyncCheckRequest, 'expectImage'> & { delivery: GitOpsDelivery }
): Promise<{ target: RollbackTargetReport; check?: CheckOutcome }> {
  const { scope, settings, delivery, logger, clock } = request
  const target = `${delivery.payload.repository}:${delivery.payload.paths.join(',')}`
  try {
    const reverted = await revertDelivery({
      octokit: scope.octokit!,
      repository: delivery.payload.repository,
      base: delivery.payload.base,
      deliveredSha: delivery.commit,
      paths: delivery.payload.paths,
      message: `Revert promotion to ${settings.environmentName}: verification failed`,
      clock,
      logger
    })
    const check = await checkGitOpsSync({
      ...request,
      delivery: { payload: delivery.payload, commit: reverted.sha, deliveredAt: reverted.deliveredAt },
      expectImage: false
    })
    return {
      target: {
        target,
        method: 'revert',
        message: `reverted ${delivery.commit.slice(0, 7)} in ${reverted.sha.slice(0, 7)}: ${check.detail}`,
        rollout: check.healthy ? 'succeeded' : 'failed'
      },
      check
    }
  } catch (error) {
    return { target: { target, method: 'failed', message: `the revert failed: ${(error as Error).message}` } }
  }
}
