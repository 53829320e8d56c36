import type { GitOpsConfig } from '../../config/schema.js'
import type { ManifestRepository } from '../../gitops/delivery/manifest-repository.js'
import {
  revertPromotion,
  type RevertFile,
  type RevertResult
} from '../../gitops/delivery/revert-promotion.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { promotionBranch } from './promotion-branch.js'

export interface RevertDeliveryRequest {
  manifests: ManifestRepository
  config: GitOpsConfig
  base: string
  environmentName: string
  /** The promoted source commit (names the revert's branch). */
  sourceSha: string
  image: string
  files: readonly RevertFile[]
  /** Why: the sync's failure, for the commit message and the pull request. */
  reason: string
  clock: Clock
  signal: AbortSignal
  mergePollMs: number
  logger: Logger
}

/**
 * A GitOps rollback: the promotion's files restored on the base branch, the way the environment
 * delivers (`gitops.push`): a commit, or a pull request merged as `merge: auto` merges it (with
 * `merge: manual` it waits for a reviewer, and the engine has nothing to sync yet). Never a patch
 * of the cluster: Argo CD or Flux would put the promotion back.
 */
export async function revertDelivery(request: RevertDeliveryRequest): Promise<RevertResult> {
  const { config } = request
  const title = `Revert the promotion of ${request.image} to ${request.environmentName}`
  // Not a promotion branch: a later promotion of the environment must not supersede the revert.
  const branch = promotionBranch(
    config['branch-prefix'],
    `${request.environmentName}-revert`,
    request.sourceSha
  )
  return revertPromotion({
    manifests: request.manifests,
    base: request.base,
    push: config.push,
    files: request.files,
    title,
    body: `${title}: ${request.reason}`.slice(0, 60_000),
    branch,
    ...(config.merge === 'auto'
      ? {
          merge: {
            method: config['merge-method'],
            timeoutMs: config['merge-timeout'],
            pollMs: request.mergePollMs,
            clock: request.clock,
            signal: request.signal
          }
        }
      : {}),
    logger: request.logger
  })
}

/**
 * The revert's commit on the base branch, or why there is none yet: its pull request awaits a
 * reviewer (`merge: manual`), so the engine has nothing to sync.
 */
export function revertOnBase(reverted: RevertResult): { sha: string } | { awaiting: string } {
  if (reverted.merged && reverted.sha) return { sha: reverted.sha }
  const pull = reverted.pullRequest
  return {
    awaiting: `the revert${pull ? `, pull request #${pull.number} (${pull.url}),` : ''} awaits its merge (merge: manual)`
  }
}
