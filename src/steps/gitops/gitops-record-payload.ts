import type { GitOpsChange } from './gitops-change.js'

/**
 * What a GitOps promotion's GitHub Deployment record says about its delivery, under
 * `payload.gitops`: enough for a later workflow (the verify stage) to find the commit to wait
 * for and to revert. The record is created before the delivery, and a payload cannot change
 * afterwards, so the delivered commit is there only when it was known at creation (a re-run);
 * otherwise it is found from the promotion branch's merged pull request.
 */
export interface GitOpsRecordPayload {
  /** owner/repo of the manifests repository. */
  repository: string
  base: string
  /** The promotion branch its pull request comes from. */
  branch: string
  /** The files the promotion changes. */
  paths: string[]
  deliveredSha?: string
}

export function gitOpsRecordPayload(change: GitOpsChange): GitOpsRecordPayload {
  return {
    repository: change.repository,
    base: change.base,
    branch: change.branch,
    paths: [change.path],
    ...(change.deliveredSha ? { deliveredSha: change.deliveredSha } : {})
  }
}

/** The record's `payload.gitops`, or undefined when it has none (a record made by other tooling, or kubernetes mode). */
export function readGitOpsRecordPayload(payload: Record<string, unknown>): GitOpsRecordPayload | undefined {
  const gitops = payload['gitops'] as Partial<GitOpsRecordPayload> | undefined
  if (typeof gitops !== 'object' || gitops === null) return undefined
  const { repository, base, branch, paths, deliveredSha } = gitops
  if (typeof repository !== 'string' || typeof base !== 'string' || typeof branch !== 'string')
    return undefined
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) return undefined
  return { repository, base, branch, paths, ...(typeof deliveredSha === 'string' ? { deliveredSha } : {}) }
}
