import type { Logger } from '../../runtime/logger.js'
import { commitChange, type BranchSnapshot, type ChangeFunction } from './commit-change.js'
import type { FileWrite, ManifestRepository, PullRequestRef } from './manifest-repository.js'

export interface PullRequestDelivery {
  /** Undefined when the base already holds the change (no pull request is needed). */
  pullRequest: PullRequestRef | undefined
  /** The head commit of the pull request's branch. */
  headSha: string | undefined
  /** The branch already held the change (a re-run): no commit was made. */
  reused: boolean
  /** What the change wrote, file by file (on the branch). */
  writes: FileWrite[]
  /** Older open pull requests this one superseded (closed with a comment). */
  superseded: PullRequestRef[]
}

/**
 * Delivers a change as a pull request from `branch` into `base`, re-run safe: an open pull
 * request of the branch that already holds the change is reused as it is (its title and
 * description brought up to date); otherwise the change is committed on the base head
 * (commitChange) and the branch created or moved there. Then every other open pull request
 * that `supersedes` picks (older promotions of the same environment) is closed with `comment`,
 * so two promotion pull requests never race to the same files.
 *
 * Requests for a first run with one file and nothing to supersede: the listing, the commit
 * (blob, tree, commit), the branch, the pull request: 6 (plus the snapshot's 3).
 */
export async function deliverPullRequest(options: {
  manifests: ManifestRepository
  base: string
  branch: string
  snapshot: BranchSnapshot
  change: ChangeFunction
  paths: readonly string[]
  title: string
  body: string
  message: string
  supersedes: (pull: PullRequestRef) => boolean
  comment: (newer: PullRequestRef | undefined) => string
  logger: Logger
}): Promise<PullRequestDelivery> {
  const { manifests, base, branch, logger } = options
  const open = await manifests.listOpenPullRequests(base)
  const ours = open.find((pull) => pull.head === branch)
  const writes = options.change(options.snapshot.files)
  let pullRequest: PullRequestRef | undefined
  let headSha: string | undefined
  let reused = false
  if (writes.length > 0) {
    if (ours && (await holds(manifests, ours.headSha, writes))) {
      logger.info(`${branch} already holds the change (a re-run): reusing it`)
      reused = true
      headSha = ours.headSha
    } else {
      const commit = await commitChange({
        manifests,
        base,
        paths: options.paths,
        change: options.change,
        message: options.message,
        target: { push: 'branch', branch },
        snapshot: options.snapshot,
        logger
      })
      headSha = commit.committed ? commit.sha : undefined
      logger.info(`Committed ${writes.map((w) => w.path).join(', ')} to ${branch}`)
    }
    pullRequest = ours
      ? await reuse(manifests, { ...ours, headSha: headSha ?? ours.headSha }, options, logger)
      : await manifests.openPullRequest({ head: branch, base, title: options.title, body: options.body })
    if (!ours) logger.info(`Opened pull request #${pullRequest.number}: ${pullRequest.url}`)
  }
  const superseded = open.filter((pull) => pull !== ours && options.supersedes(pull))
  for (const older of superseded) {
    await manifests.closePullRequest(older.number, options.comment(pullRequest))
    logger.info(`Closed the older promotion pull request #${older.number} (${older.head}): superseded`)
  }
  // The base held the change already: an open pull request of our own would undo nothing but is stale.
  if (writes.length === 0 && ours) {
    await manifests.closePullRequest(ours.number, options.comment(undefined))
    superseded.push(ours)
  }
  return { pullRequest, headSha, reused, writes, superseded }
}

async function reuse(
  manifests: ManifestRepository,
  open: PullRequestRef,
  text: { title: string; body: string },
  logger: Logger
): Promise<PullRequestRef> {
  logger.info(`Reusing open pull request #${open.number}: ${open.url}`)
  // A re-run may promote another image or come from another run: the text says what it holds now.
  if (open.title === text.title && open.body === text.body) return open
  await manifests.updatePullRequest(open.number, { title: text.title, body: text.body })
  logger.info(`Updated the title and description of #${open.number}`)
  return { ...open, title: text.title, body: text.body }
}

/** Whether the commit already has every written file as written. */
async function holds(
  manifests: ManifestRepository,
  sha: string,
  writes: readonly FileWrite[]
): Promise<boolean> {
  for (const write of writes) {
    const file = await manifests.readFile(write.path, sha)
    if ((file?.text ?? null) !== write.text) return false
  }
  return true
}
