import type { GitOpsSyncConfig } from '../../config/schema.js'
import { gitHubCommitAncestry } from '../../github/commit-ancestry.js'
import type { DeploymentRecords } from '../../github/deployment-record.js'
import type { Octokit } from '../../github/octokit-factory.js'
import { gitOpsRecordOf, type GitOpsRecord } from '../../gitops/delivery/gitops-record.js'
import {
  gitHubManifestRepository,
  type ManifestRepository
} from '../../gitops/delivery/manifest-repository.js'
import { revertFilesOf } from '../../gitops/delivery/revert-promotion.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { VerifySettings } from '../../settings/verify-settings.js'
import { waitForGitOpsSync, type GitOpsSyncOutcome } from '../../steps/gitops/gitops-sync-wait.js'
import { revertDelivery, revertOnBase } from '../../steps/gitops/revert-delivery.js'
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
  record: GitOpsRecord
  manifests: ManifestRepository
  /** The commit on the base branch the engine must have synced. */
  commit: string
  deliveredAt: number
}

/**
 * The delivered commit of the promotion whose record this verification closes, from the
 * record's `payload.gitops` (gitops-record.ts): the commit itself with `push: direct`, else the
 * merge commit of its pull request. A string says why there is none (no record, a pull request
 * still open, ...).
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
  const record = gitOpsRecordOf(deployment.payload)
  if (!record) return `Deployment ${deployment.id} does not say what was delivered (no payload.gitops)`
  const manifests = gitHubManifestRepository(scope.octokit, record.repository)
  const deliveredAt = Date.parse(deployment.createdAt)
  if (record.push === 'direct') return { record, manifests, commit: record.after, deliveredAt }
  if (record.pullRequest === undefined)
    return `Deployment ${deployment.id} names no pull request of ${record.repository}`
  const pull = await manifests.pullRequest(record.pullRequest)
  if (pull.merged && pull.mergeCommitSha)
    return { record, manifests, commit: pull.mergeCommitSha, deliveredAt }
  return pull.state === 'open'
    ? `pull request #${pull.number} (${pull.url}) is not merged yet: nothing is on ${record.base} to sync`
    : `pull request #${pull.number} (${pull.url}) was closed without a merge: nothing was delivered`
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
    ancestry: scope.octokit ? gitHubCommitAncestry(scope.octokit, delivery.record.repository) : undefined,
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
  const { settings, logger, clock } = request
  const delivery: GitOpsDelivery = request.delivery
  const target = `${delivery.record.repository}:${delivery.record.files.join(',')}`
  const config = settings.environment.gitops
  try {
    if (!config) throw new Error(`${settings.environmentName} has no gitops section`)
    const reverted = await revertDelivery({
      manifests: delivery.manifests,
      config,
      base: delivery.record.base,
      environmentName: settings.environmentName,
      sourceSha: settings.sha,
      image: settings.image?.format() ?? settings.sha,
      files: await revertFilesOf(delivery.manifests, delivery.record),
      reason: 'the verification failed',
      clock,
      signal: request.signal,
      mergePollMs: 5000,
      logger
    })
    const onBase = revertOnBase(reverted)
    if ('awaiting' in onBase) return { target: { target, method: 'revert', message: onBase.awaiting } }
    const check = await checkGitOpsSync({
      ...request,
      delivery: { ...delivery, commit: onBase.sha, deliveredAt: clock.now() },
      expectImage: false
    })
    return {
      target: {
        target,
        method: 'revert',
        message: `reverted ${delivery.commit.slice(0, 7)} in ${onBase.sha.slice(0, 7)}: ${check.detail}`,
        rollout: check.healthy ? 'succeeded' : 'failed'
      },
      check
    }
  } catch (error) {
    return { target: { target, method: 'failed', message: `the revert failed: ${(error as Error).message}` } }
  }
}
