import type { Clock } from '../../runtime/clock.js'
import { OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import { commitChange, readSnapshot, short, type ChangeFunction } from './commit-change.js'
import type { GitOpsRecord } from './gitops-record.js'
import type { ManifestRepository, MergeMethod, PullRequestRef } from './manifest-repository.js'
import { mergePullRequest } from './merge-pull-request.js'
import { deliverPullRequest } from './pull-request-delivery.js'

/** A file to restore: its text before the promotion (null: it did not exist) and, when known, the text the promotion wrote. */
export interface RevertFile {
  path: string
  previousText: string | null
  /** Given, a file that no longer has this text (a later commit changed it) is not reverted over: the revert is refused. */
  promotedText?: string | null
}

export interface RevertOptions {
  manifests: ManifestRepository
  base: string
  push: 'direct' | 'pull-request'
  files: readonly RevertFile[]
  /** The commit message, and the pull request's title. */
  title: string
  /** The pull request's description. */
  body?: string
  /** pull-request: the revert's own branch. */
  branch?: string
  /** pull-request: merge it and wait for the merge (as merge: auto does). */
  merge?: { method: MergeMethod; timeoutMs: number; pollMs: number; clock: Clock; signal: AbortSignal }
  logger: Logger
}

export interface RevertResult {
  /** already-reverted: the base already has every previous text; nothing was written. */
  status: 'reverted' | 'already-reverted'
  /** The commit on the base branch that holds the revert (direct commit, merge commit, or the base head); undefined while the pull request awaits a merge. */
  sha: string | undefined
  /** The commit that restores the files: on the base (direct), or the pull request's head. */
  commit: string | undefined
  pullRequest?: PullRequestRef
  /** Whether the revert is on the base branch. */
  merged: boolean
}

/**
 * The texts a GitOps promotion's record points at: each file at `before` (to restore) and at
 * `after` (what the promotion wrote). Two requests per file.
 */
export async function revertFilesOf(
  manifests: ManifestRepository,
  record: Pick<GitOpsRecord, 'files' | 'before' | 'after'>
): Promise<RevertFile[]> {
  const files: RevertFile[] = []
  for (const path of record.files) {
    const [previous, promoted] = [
      await manifests.readFile(path, record.before),
      await manifests.readFile(path, record.after)
    ]
    files.push({ path, previousText: previous?.text ?? null, promotedText: promoted?.text ?? null })
  }
  return files
}

/**
 * Rollback in GitOps mode: a commit (push: direct) or a pull request that restores exactly the
 * previous contents of the promoted files, under the same race rule as a promotion (applied on
 * the head it read; when the base moved meanwhile, read again and applied again, never a blind
 * overwrite). A file that a later commit changed (it no longer holds `promotedText`) is not
 * reverted over: the revert is refused with the file named, so a newer promotion is never undone.
 */
export async function revertPromotion(options: RevertOptions): Promise<RevertResult> {
  const { manifests, base, logger } = options
  const paths = options.files.map((f) => f.path)
  const change: ChangeFunction = (current) =>
    options.files.flatMap((file) => {
      const now = current.get(file.path)?.text ?? null
      if (now === file.previousText) return []
      if (file.promotedText !== undefined && now !== file.promotedText)
        throw new OperationalError(
          `${file.path} in ${manifests.fullName} changed on ${base} after the promotion (it no longer holds what the promotion wrote): not reverting over a later change. Restore it by hand if the rollback is still wanted.`,
          { title: 'GitOps revert refused' }
        )
      return [{ path: file.path, text: file.previousText }]
    })
  if (options.push === 'direct') {
    const outcome = await commitChange({
      manifests,
      base,
      paths,
      change,
      message: options.title,
      target: { push: 'direct' },
      logger
    })
    if (!outcome.committed) {
      logger.info(`${base} already has the files as they were before the promotion: nothing to revert`)
      return { status: 'already-reverted', sha: outcome.snapshot.head.sha, commit: undefined, merged: true }
    }
    logger.info(`Reverted ${paths.join(', ')} on ${base}: ${short(outcome.sha)}`)
    return { status: 'reverted', sha: outcome.sha, commit: outcome.sha, merged: true }
  }
  if (!options.branch) throw new Error('revertPromotion: a branch is needed for push: pull-request')
  const branch = options.branch
  const snapshot = await readSnapshot(manifests, base, paths)
  if (!snapshot)
    throw new OperationalError(`The base branch ${base} of ${manifests.fullName} was not found.`, {
      title: 'GitOps base branch not found'
    })
  const delivered = await deliverPullRequest({
    manifests,
    base,
    branch,
    snapshot,
    change,
    paths,
    title: options.title,
    body: options.body ?? options.title,
    message: options.title,
    supersedes: () => false,
    comment: () => '',
    logger
  })
  if (!delivered.pullRequest) {
    logger.info(`${base} already has the files as they were before the promotion: nothing to revert`)
    return { status: 'already-reverted', sha: snapshot.head.sha, commit: undefined, merged: true }
  }
  const pullRequest = delivered.pullRequest
  if (!options.merge)
    return { status: 'reverted', sha: undefined, commit: delivered.headSha, pullRequest, merged: false }
  const merged = await mergePullRequest({
    manifests,
    pullRequest: { ...pullRequest, headSha: delivered.headSha ?? pullRequest.headSha },
    ...options.merge,
    logger,
    rebuild: async () => {
      await commitChange({
        manifests,
        base,
        paths,
        change,
        message: options.title,
        target: { push: 'branch', branch },
        logger
      })
    }
  })
  return { status: 'reverted', sha: merged.sha, commit: delivered.headSha, pullRequest, merged: true }
}
