import { listCheckRunsForRef, type CheckRunSummary } from './check-runs.js'
import { pick, type Repo } from './repository-ref.js'
import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'

/**
 * A commit's checks as one list, whichever way they were reported: check runs (Actions jobs,
 * apps) and commit statuses (older CI, external services). Both have a name, a state and, once
 * done, a conclusion; a re-run is a newer entry with the same name, and the newest one counts.
 */
export interface CommitCheck {
  kind: 'check run' | 'commit status'
  name: string
  id: number
  state: 'queued' | 'in_progress' | 'completed'
  /** For check runs GitHub's conclusion; for statuses success, failure or error. */
  conclusion: string | undefined
  url: string | undefined
  description?: string | undefined
}

export interface CommitChecks {
  sha: string
  /** The newest check run or status per name. */
  checks: CommitCheck[]
  /** Every check run as GitHub listed it, including superseded ones (for finding our own). */
  checkRuns: CheckRunSummary[]
}

export async function readCommitChecks(octokit: Octokit, repo: Repo, sha: string): Promise<CommitChecks> {
  const [checkRuns, statuses] = await Promise.all([
    listCheckRunsForRef(octokit, repo, sha),
    readCombinedStatuses(octokit, repo, sha)
  ])
  const all: CommitCheck[] = [...checkRuns.map(fromCheckRun), ...statuses]
  return { sha, checks: newestPerName(all), checkRuns }
}

/** After re-runs a name appears several times; the highest id is the newest attempt. */
export function newestPerName(checks: readonly CommitCheck[]): CommitCheck[] {
  const newest = new Map<string, CommitCheck>()
  for (const check of checks) {
    const key = `${check.kind}\u0000${check.name}`
    const seen = newest.get(key)
    if (!seen || check.id > seen.id) newest.set(key, check)
  }
  return [...newest.values()]
}

function fromCheckRun(run: CheckRunSummary): CommitCheck {
  const state =
    run.status === 'completed' ? 'completed' : run.status === 'in_progress' ? 'in_progress' : 'queued'
  return {
    kind: 'check run',
    name: run.name,
    id: run.id,
    state,
    conclusion: run.conclusion ?? undefined,
    url: run.url
  }
}

/**
 * The combined status holds the newest status per context. It pages its `statuses` list
 * (100 a page) while `total_count` counts them all, so read pages until we have them.
 */
async function readCombinedStatuses(octokit: Octokit, repo: Repo, sha: string): Promise<CommitCheck[]> {
  return withPermission(Permission.statusesRead, `read the commit statuses of ${sha}`, async () => {
    const out: CommitCheck[] = []
    for (let page = 1; ; page++) {
      const { data } = await octokit.rest.repos.getCombinedStatusForRef({
        ...pick(repo),
        ref: sha,
        per_page: 100,
        page
      })
      for (const status of data.statuses)
        out.push({
          kind: 'commit status',
          name: status.context,
          id: status.id,
          state: status.state === 'pending' ? 'in_progress' : 'completed',
          conclusion: status.state === 'pending' ? undefined : status.state,
          url: status.target_url ?? undefined,
          description: status.description ?? undefined
        })
      if (data.statuses.length < 100 || out.length >= data.total_count) return out
    }
  })
}
