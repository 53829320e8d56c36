import type { GitOpsConfig } from '../../config/schema.js'
import type { ManifestEditSpec } from '../../config/manifest-edit-spec.js'
import type { BranchSnapshot } from '../../gitops/delivery/commit-change.js'
import type { ManifestRepository, PullRequestRef } from '../../gitops/delivery/manifest-repository.js'
import type { GitOpsRecord } from '../../gitops/delivery/gitops-record.js'
import type { RevertFile } from '../../gitops/delivery/revert-promotion.js'
import type { ManifestEdit } from '../../gitops/edit/edit-manifest.js'

/** One file of the promotion: how it is edited, and what the edit does to it. */
export interface GitOpsFileChange {
  spec: ManifestEditSpec
  path: string
  /** The file before the edit (null: it does not exist yet, and create-missing makes it). */
  previousText: string | null
  edit: ManifestEdit
  /** The exact unified diff of the edit ('' when the file does not change). */
  diff: string
  /**
   * The commit that put the change on the base branch (a direct push, or the pull request's
   * merge), set by the delivery once it is there; undefined while a pull request awaits its
   * merge. The sync step waits for the GitOps engine to apply exactly this.
   */
  deliveredSha?: string | undefined
  /** When it landed on the base branch (clock time). */
  deliveredAt?: number | undefined
}

/**
 * What the GitOps steps share on `run.gitops`. The edit step writes the first part; the deliver
 * step the commit and the pull request, and (direct push) `deliveredSha`; the merge step
 * `deliveredSha` for a merged pull request. Steps after them (the Argo CD / Flux sync wait) read
 * `deliveredSha` and `merged`.
 */
export interface GitOpsChange {
  manifests: ManifestRepository
  config: GitOpsConfig
  repository: string
  base: string
  /** The promotion branch (push: pull-request). */
  branch: string
  /** The base branch as read (its head, and the files at it); the deliver step updates it when the base moved. */
  snapshot: BranchSnapshot
  files: GitOpsFileChange[]
  /** Whether any file changes. */
  changed: boolean
  /** The commit that holds the change: on the base (direct), or the promotion branch's head. */
  commitSha?: string
  pullRequest?: PullRequestRef
  /**
   * The commit on the base branch that holds the promotion: the direct commit, the merge commit
   * of the pull request, or the base head when it already held the change. Undefined while the
   * pull request awaits a (manual) merge.
   */
  deliveredSha?: string
  /** When `deliveredSha` was known to be on the base branch (the run's clock), for the sync wait. */
  deliveredAt?: number
  /** True once the change is on the base branch (so `deliveredSha` is set). */
  merged: boolean
}

/** What a revert of this promotion restores (the files as the deliver step found and left them). */
export function revertFilesOf(change: GitOpsChange): RevertFile[] {
  return change.files
    .filter((file) => file.edit.changed)
    .map((file) => ({ path: file.path, previousText: file.previousText, promotedText: file.edit.content }))
}

/** What the Deployment record's payload keeps of the change, for a revert from another workflow. */
export function gitOpsRecord(change: GitOpsChange): GitOpsRecord {
  const before = change.snapshot.head.sha
  return {
    repository: change.repository,
    base: change.base,
    push: change.config.push,
    files: change.files.map((file) => file.path),
    before,
    after: change.commitSha ?? change.deliveredSha ?? before,
    ...(change.config.push === 'pull-request' ? { branch: change.branch } : {}),
    ...(change.pullRequest ? { pullRequest: change.pullRequest.number } : {})
  }
}
