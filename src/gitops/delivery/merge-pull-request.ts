import type { Clock } from '../../runtime/clock.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import { DEFAULT_ATTEMPTS } from './commit-change.js'
import type {
  ManifestRepository,
  MergeMethod,
  PullRequestRef,
  PullRequestState
} from './manifest-repository.js'

export interface MergeResult {
  /** The commit on the base branch that holds the pull request (GitHub's merge_commit_sha). */
  sha: string
  /** auto-merge: GitHub merged it when its checks passed; merged: this run merged it. */
  how: 'auto-merge' | 'merged'
}

/**
 * Gets a pull request merged and waits for it, up to `timeoutMs`:
 * 1. GitHub auto-merge (GraphQL; REST has none). GitHub refuses it for a pull request that could
 *    be merged right now ("Pull request is in clean status", or unstable): then it is merged at
 *    once through REST. When the repository does not allow auto-merge (or GitHub refuses it
 *    otherwise), the pull request is merged through REST as soon as its required checks let it.
 * 2. Polls the pull request until it is merged. A pull request that conflicts with its base
 *    (dirty: the base changed the same lines meanwhile) is handed to `rebuild`, which applies the
 *    change again on the new base head (a bounded number of times); one closed without merge, or
 *    still unmerged at the deadline, fails with what GitHub said it waits for.
 */
export async function mergePullRequest(options: {
  manifests: ManifestRepository
  pullRequest: PullRequestRef
  method: MergeMethod
  timeoutMs: number
  pollMs: number
  clock: Clock
  signal: AbortSignal
  logger: Logger
  /** Applies the change again on the base's new head, moving the pull request's branch. */
  rebuild?: () => Promise<void>
}): Promise<MergeResult> {
  const { manifests, pullRequest, method, clock, logger } = options
  const started = clock.now()
  const name = `pull request #${pullRequest.number}`
  let autoMerge = false
  const answer = await manifests.enableAutoMerge(pullRequest, method)
  if (answer.enabled) {
    autoMerge = true
    logger.info(`Enabled auto-merge (${method}) of ${name}: GitHub merges it when its required checks pass`)
  } else if (answer.mergeableNow) {
    logger.info(`${name} can be merged now (GitHub: ${answer.reason}): merging it`)
    const merged = await manifests.mergePullRequest(pullRequest.number, { sha: pullRequest.headSha, method })
    if (merged.merged) return { sha: merged.sha, how: 'merged' }
    logger.info(`GitHub did not merge ${name} yet (${merged.status}: ${merged.message}); waiting`)
  } else
    logger.info(
      `GitHub auto-merge is not available for ${name} (${answer.reason}): merging it once its required checks pass`
    )
  let rebuilds = 0
  let reported = ''
  for (;;) {
    const pull = await manifests.pullRequest(pullRequest.number)
    if (pull.merged && pull.mergeCommitSha) {
      logger.info(`${name} was merged: ${pull.mergeCommitSha}`)
      return { sha: pull.mergeCommitSha, how: autoMerge ? 'auto-merge' : 'merged' }
    }
    if (pull.state === 'closed')
      throw new OperationalError(`${name} (${pull.url}) was closed without being merged.`, {
        title: 'GitOps pull request closed'
      })
    if (pull.mergeableState === 'dirty') {
      if (!options.rebuild || rebuilds >= DEFAULT_ATTEMPTS)
        throw new OperationalError(
          `${name} (${pull.url}) conflicts with its base branch: the base changed the same lines meanwhile. Re-run the promotion to apply the edit on the new head.`,
          { title: 'GitOps pull request conflicts' }
        )
      rebuilds++
      logger.info(
        `${name} conflicts with its base (it moved meanwhile): applying the change again on the new head`
      )
      await options.rebuild()
      continue
    }
    if (!autoMerge && (pull.mergeableState === 'clean' || pull.mergeableState === 'unstable')) {
      const merged = await manifests.mergePullRequest(pull.number, { sha: pull.headSha, method })
      if (merged.merged) {
        logger.info(`Merged ${name}: ${merged.sha}`)
        return { sha: merged.sha, how: 'merged' }
      }
      logger.debug(`merge of ${name} refused (${merged.status}): ${merged.message}`)
    }
    const waitingFor = describeWait(pull, autoMerge)
    if (waitingFor !== reported) {
      logger.info(`Waiting for ${name} to be merged: ${waitingFor}`)
      reported = waitingFor
    }
    const elapsed = clock.now() - started
    if (elapsed >= options.timeoutMs)
      throw new OperationalError(
        `${name} (${pull.url}) was not merged within ${Math.round(options.timeoutMs / 1000)}s: ${waitingFor}. Merge it, or raise gitops.merge-timeout.`,
        { title: 'GitOps merge timeout' }
      )
    try {
      await clock.sleep(Math.min(options.pollMs, options.timeoutMs - elapsed), options.signal)
    } catch {
      throw new CancellationError(`Cancelled while waiting for ${name} to be merged`)
    }
  }
}

function describeWait(pull: PullRequestState, autoMerge: boolean): string {
  const state =
    pull.mergeableState === 'blocked'
      ? 'blocked (required checks or reviews have not passed)'
      : pull.mergeableState === 'behind'
        ? 'behind its base branch (the base requires branches to be up to date)'
        : pull.mergeableState === 'draft'
          ? 'a draft'
          : pull.mergeableState
  return `${autoMerge ? 'auto-merge is on; ' : ''}GitHub says it is ${state}`
}
