/**
 * What a GitOps promotion leaves in its GitHub Deployment record's payload (`payload.gitops`), so
 * that a later stage, in another workflow too, can find the change and revert it: the files at
 * `before` are the texts to restore, the files at `after` the texts the promotion wrote.
 */
export interface GitOpsRecord {
  /** The manifests repository, owner/repo. */
  repository: string
  base: string
  push: 'pull-request' | 'direct'
  /** The files the promotion edits. */
  files: string[]
  /** The base head the change was applied to. */
  before: string
  /** The commit holding the change: on the base (direct), or the pull request's head. */
  after: string
  /** pull-request: the promotion branch and its pull request (its merge commit is on the base once merged). */
  branch?: string
  pullRequest?: number
}

/** `payload.gitops` of a Deployment record, when it is a GitOps promotion's (else undefined). */
export function gitOpsRecordOf(payload: Record<string, unknown>): GitOpsRecord | undefined {
  const value = payload['gitops']
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Partial<Record<keyof GitOpsRecord, unknown>>
  const text = (field: unknown) => typeof field === 'string' && field.length > 0
  if (
    !text(record.repository) ||
    !text(record.base) ||
    !text(record.before) ||
    !text(record.after) ||
    (record.push !== 'pull-request' && record.push !== 'direct') ||
    !Array.isArray(record.files) ||
    !record.files.every(text)
  )
    return undefined
  return {
    repository: record.repository as string,
    base: record.base as string,
    push: record.push,
    files: record.files as string[],
    before: record.before as string,
    after: record.after as string,
    ...(text(record.branch) ? { branch: record.branch as string } : {}),
    ...(typeof record.pullRequest === 'number' ? { pullRequest: record.pullRequest } : {})
  }
}
