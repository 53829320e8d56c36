import { OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import type { BranchHead, FileWrite, ManifestFile, ManifestRepository } from './manifest-repository.js'

/** A branch as read: its head and the files of interest there (a path it lacks is absent). */
export interface BranchSnapshot {
  branch: string
  head: BranchHead
  files: ReadonlyMap<string, ManifestFile>
}

/**
 * The change, as a function of the files at a head: the new content of each file that changes
 * (none: nothing to do). Called again on every re-read; throws to refuse (an edit the files no
 * longer allow).
 */
export type ChangeFunction = (files: ReadonlyMap<string, ManifestFile>) => FileWrite[]

/** One file a commit changed: its text before (null: it did not exist) and after (null: removed). */
export interface CommittedFile {
  path: string
  before: string | null
  after: string | null
}

export type CommitOutcome =
  | { committed: false; snapshot: BranchSnapshot }
  | {
      committed: true
      /** The new commit. */
      sha: string
      /** The base head it was made on (its parent). */
      parent: string
      files: CommittedFile[]
      /** The snapshot the change was applied to. */
      snapshot: BranchSnapshot
      /** How many times the change was applied (more than 1: the base moved meanwhile). */
      attempts: number
    }

/** Where a commit goes: straight onto the base branch, or onto a branch of its own made from the base head. */
export type CommitTarget = { push: 'direct' } | { push: 'branch'; branch: string }

export const DEFAULT_ATTEMPTS = 5

/** Reads a branch's head and the files at it: 2 requests, plus one per file. */
export async function readSnapshot(
  manifests: ManifestRepository,
  branch: string,
  paths: readonly string[]
): Promise<BranchSnapshot | undefined> {
  const head = await manifests.branchHead(branch)
  if (!head) return undefined
  const files = new Map<string, ManifestFile>()
  for (const path of paths) {
    const file = await manifests.readFile(path, head.sha)
    if (file) files.set(path, file)
  }
  return { branch, head, files }
}

/**
 * Writes the change as one commit through the git data API (no checkout), race-safe:
 * - `direct`: the commit is made on the base head just read and the base moves to it only
 *   forward (no force). When GitHub refuses because the base moved meanwhile, the base is read
 *   again and the change applied again on the new head, up to `attempts` times: another
 *   commit that landed in between is kept, never overwritten.
 * - `branch`: the commit is made on the base head and the branch (the promotion's own) is
 *   created there, or moved there when it exists (forced: it holds only earlier attempts of the
 *   same promotion).
 * `snapshot` is a read of the base already made (the first attempt uses it).
 */
export async function commitChange(options: {
  manifests: ManifestRepository
  base: string
  paths: readonly string[]
  change: ChangeFunction
  message: string
  target: CommitTarget
  snapshot?: BranchSnapshot
  attempts?: number
  logger: Logger
}): Promise<CommitOutcome> {
  const { manifests, base, target, logger } = options
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS
  let snapshot = options.snapshot
  for (let attempt = 1; ; attempt++) {
    snapshot ??= await readBase(manifests, base, options.paths)
    const writes = options.change(snapshot.files)
    if (writes.length === 0) return { committed: false, snapshot }
    const sha = await manifests.writeCommit({
      parent: snapshot.head,
      files: writes,
      message: options.message
    })
    const files = writes.map((write) => ({
      path: write.path,
      before: snapshot!.files.get(write.path)?.text ?? null,
      after: write.text
    }))
    const done = {
      committed: true as const,
      sha,
      parent: snapshot.head.sha,
      files,
      snapshot,
      attempts: attempt
    }
    if (target.push === 'branch') {
      if (!(await manifests.createBranch(target.branch, sha)))
        await manifests.updateBranch(target.branch, sha, { force: true })
      return done
    }
    const update = await manifests.updateBranch(base, sha, { force: false })
    if (update.moved) return done
    const now = await manifests.branchHead(base)
    if (now?.sha === snapshot.head.sha)
      throw new OperationalError(
        `GitHub refused to move ${base} of ${manifests.fullName} to the promotion commit (${update.message}), though ${base} did not move. push: direct needs a branch the token may push to: check its branch protection or rulesets, or use push: pull-request.`,
        { title: 'GitOps push refused' }
      )
    if (attempt >= attempts)
      throw new OperationalError(
        `${base} of ${manifests.fullName} moved ${attempts} times while the promotion was being committed (each time the edit was applied again on the new head); nothing was overwritten. Retry when it is quieter.`,
        { title: 'GitOps base branch keeps moving' }
      )
    logger.info(
      `${base} moved from ${short(snapshot.head.sha)} to ${now ? short(now.sha) : '(gone)'} meanwhile: reading it again and applying the change on the new head (attempt ${attempt + 1} of ${attempts})`
    )
    snapshot = undefined
  }
}

async function readBase(
  manifests: ManifestRepository,
  base: string,
  paths: readonly string[]
): Promise<BranchSnapshot> {
  const snapshot = await readSnapshot(manifests, base, paths)
  if (!snapshot)
    throw new OperationalError(`The base branch ${base} of ${manifests.fullName} was not found.`, {
      title: 'GitOps base branch not found'
    })
  return snapshot
}

export const short = (sha: string) => sha.slice(0, 7)
