import { latestCheckRuns } from './endpoints/check-runs.js'
import { latestStatuses } from './endpoints/commit-statuses.js'
import { branchSha, GITHUB_COMMITTER, moveRef, readCommit, writeCommit } from './git-store.js'
import { conflict, GitHubHttpError } from './http-error.js'
import type { AutoMerge, PullRequest, SimpleUser } from './state.js'
import type { GitHubWorld } from './world.js'

/**
 * Merging pull requests as GitHub does, with real git: the base branch's required status checks
 * (`state.requiredChecks`, a check run name or a commit status context, newest per name), the
 * repository's allowed merge methods, `git merge-tree` for the merged tree, and a compare-and-swap
 * move of the base branch. Auto-merge waits on the same rules: `settleAutoMerges` merges every
 * pull request with auto-merge on whose requirements now hold, and runs after every change.
 */
export type MergeMethod = 'merge' | 'squash' | 'rebase'

/** REST `mergeable_state`; GraphQL's `mergeStateStatus` is the same in upper case. */
export type MergeState = 'clean' | 'unstable' | 'blocked' | 'dirty' | 'draft'

export interface CheckResult {
  context: string
  state: 'success' | 'pending' | 'failure' | 'missing'
}

const PASSING = new Set(['success', 'neutral', 'skipped'])
const PENDING = new Set(['queued', 'in_progress', 'waiting', 'requested', 'pending'])

/** Each check or status context on a commit, newest per name, as merging judges it. */
export function checkResults(world: GitHubWorld, sha: string): Map<string, CheckResult['state']> {
  const results = new Map<string, CheckResult['state']>()
  for (const run of latestCheckRuns(
    world.state.checkRuns.filter((candidate) => candidate.head_sha === sha)
  )) {
    results.set(run.name, judge(run.conclusion ?? run.status))
  }
  for (const status of latestStatuses(world, sha)) results.set(status.context, judge(status.state))
  return results
}

function judge(value: string): CheckResult['state'] {
  if (PASSING.has(value)) return 'success'
  return PENDING.has(value) ? 'pending' : 'failure'
}

/** The base branch's required checks on the pull request's head. */
function requiredCheckResults(world: GitHubWorld, pull: PullRequest): CheckResult[] {
  const results = checkResults(world, pull.head.sha)
  return (world.state.requiredChecks[pull.base.ref] ?? []).map((context) => ({
    context,
    state: results.get(context) ?? 'missing'
  }))
}

/** Whether the head merges into the base without conflicts, and GitHub's word for its state. */
export function mergeability(
  world: GitHubWorld,
  pull: PullRequest
): { mergeable: boolean; state: MergeState } {
  const base = branchSha(world, pull.base.ref) ?? pull.base.sha
  const mergeable = 'tree' in world.git.mergeTrees(base, pull.head.sha)
  if (pull.draft === true) return { mergeable, state: 'draft' }
  if (!mergeable) return { mergeable, state: 'dirty' }
  if (requiredCheckResults(world, pull).some((result) => result.state !== 'success'))
    return { mergeable, state: 'blocked' }
  const anyUnfinished = [...checkResults(world, pull.head.sha).values()].some((state) => state !== 'success')
  return { mergeable, state: anyUnfinished ? 'unstable' : 'clean' }
}

/** Refreshes the fields GitHub computes in the background (`mergeable`, `mergeable_state`). */
export function refreshMergeability(world: GitHubWorld, pull: PullRequest): PullRequest {
  if (pull.state !== 'open') return pull
  const { mergeable, state } = mergeability(world, pull)
  pull.mergeable = mergeable
  pull.rebaseable = mergeable
  pull.mergeable_state = state
  return pull
}

export interface MergeRequest {
  method?: MergeMethod
  /** The head the caller saw; 409 when the pull request's head has moved since. */
  sha?: string
  commitTitle?: string
  commitMessage?: string
  by?: SimpleUser
}

const NOT_ALLOWED: { [method in MergeMethod]: string } = {
  merge: 'Merge commits are not allowed on this repository.',
  squash: 'Squash merges are not allowed on this repository.',
  rebase: 'Rebase merges are not allowed on this repository.'
}

const PROTECTED_BRANCHES_DOCS = 'https://docs.github.com/articles/about-protected-branches'

function notAllowed(message: string, documentation?: string): GitHubHttpError {
  return new GitHubHttpError(
    405,
    message,
    documentation === undefined ? {} : { documentation_url: documentation }
  )
}

/**
 * `PUT /pulls/{n}/merge`: refuses as GitHub does (405 for a closed or draft pull request, a
 * disallowed method, a required check that has not passed or a conflict; 409 when `sha` is not
 * the head), then writes the merge, squash or rebased commits and moves the base branch.
 */
export function mergePullRequest(
  world: GitHubWorld,
  pull: PullRequest,
  request: MergeRequest = {}
): { sha: string } {
  const method = request.method ?? 'merge'
  if (pull.state !== 'open' || pull.merged) throw notAllowed('Pull Request is not mergeable')
  if (pull.draft === true) throw notAllowed('Pull Request is still a draft')
  if (request.sha !== undefined && request.sha !== pull.head.sha)
    throw conflict('Head branch was modified. Review and try the merge again.')
  const allowed = {
    merge: world.state.settings.allow_merge_commit,
    squash: world.state.settings.allow_squash_merge,
    rebase: world.state.settings.allow_rebase_merge
  }
  if (!allowed[method]) throw notAllowed(NOT_ALLOWED[method])
  const unmet = requiredCheckResults(world, pull).find((result) => result.state !== 'success')
  if (unmet !== undefined) {
    const verb = unmet.state === 'failure' ? 'is failing' : 'is expected'
    throw notAllowed(`Required status check "${unmet.context}" ${verb}.`, PROTECTED_BRANCHES_DOCS)
  }
  const base = branchSha(world, pull.base.ref)
  if (base === undefined) throw notAllowed('Pull Request is not mergeable')
  const merged = world.git.mergeTrees(base, pull.head.sha)
  if (!('tree' in merged)) throw notAllowed('Pull Request is not mergeable')

  const by = request.by ?? world.actor
  const author = { name: by.login, email: `${by.id}+${by.login}@users.noreply.github.com` }
  const sha = writeMerge(world, pull, method, { base, tree: merged.tree, author, request })
  if (!moveRef(world, `refs/heads/${pull.base.ref}`, sha, base))
    throw conflict('Base branch was modified. Review and try the merge again.')

  const now = world.now()
  Object.assign(pull, {
    state: 'closed',
    merged: true,
    merged_at: now,
    closed_at: now,
    updated_at: now,
    merge_commit_sha: sha,
    merged_by: by,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown'
  })
  if (world.state.settings.delete_branch_on_merge) {
    const headRef = `refs/heads/${pull.head.ref}`
    const stillUsed = world.state.pullRequests.some(
      (other) => other.state === 'open' && other.head.ref === pull.head.ref
    )
    if (!stillUsed) world.git.deleteRef(headRef, pull.head.sha)
  }
  return { sha }
}

function writeMerge(
  world: GitHubWorld,
  pull: PullRequest,
  method: MergeMethod,
  context: { base: string; tree: string; author: { name: string; email: string }; request: MergeRequest }
): string {
  const { base, tree, author, request } = context
  const signatures = { author, committer: GITHUB_COMMITTER }
  const commits = world.git.commitsBetween([base], pull.head.sha)
  if (method === 'merge') {
    const title =
      request.commitTitle ?? `Merge pull request #${pull.number} from ${world.owner}/${pull.head.ref}`
    return writeCommit(world, {
      message: `${title}\n\n${request.commitMessage ?? pull.title}`,
      tree,
      parents: [base, pull.head.sha],
      ...signatures
    }).sha
  }
  if (method === 'squash') {
    const title = request.commitTitle ?? `${pull.title} (#${pull.number})`
    const details =
      request.commitMessage ??
      commits.map((sha) => `* ${(readCommit(world, sha)?.message ?? '').trim()}`).join('\n\n')
    return writeCommit(world, {
      message: details === '' ? title : `${title}\n\n${details}`,
      tree,
      parents: [base],
      ...signatures
    }).sha
  }
  // Rebase: each commit of the pull request replayed on the base, its author kept and GitHub as
  // committer; merge commits in the pull request are dropped, as a rebase drops them. A replay is a
  // path-level three-way merge from the commit's parent, so two edits to one file refuse the rebase.
  let tip = base
  for (const sha of commits) {
    const original = readCommit(world, sha)
    const parent = original?.parents[0]?.sha
    if (original === undefined || parent === undefined || original.parents.length > 1) continue
    const replayed = tip === parent ? original.tree.sha : world.git.threeWayTree(parent, tip, sha)
    if (replayed === undefined) throw notAllowed("This branch can't be rebased")
    tip = writeCommit(world, {
      message: original.message,
      tree: replayed,
      parents: [tip],
      author: original.author,
      committer: GITHUB_COMMITTER
    }).sha
  }
  return tip
}

/** Auto-merge as GitHub keeps it on a pull request (REST `auto_merge`). */
export function autoMergeRequest(
  world: GitHubWorld,
  input: { method: MergeMethod; commitTitle?: string; commitMessage?: string }
): AutoMerge {
  return {
    enabled_by: world.actor,
    merge_method: input.method,
    commit_title: input.commitTitle ?? '',
    commit_message: input.commitMessage ?? ''
  }
}

/**
 * Merges every open pull request with auto-merge on whose requirements are met (GitHub does it in
 * the background; here it happens at the end of the request or seeding call that met them). One
 * that conflicts or whose base moved stays open with auto-merge on, as on GitHub.
 */
export function settleAutoMerges(world: GitHubWorld): void {
  for (let merged = true; merged;) {
    merged = false
    for (const pull of world.state.pullRequests) {
      if (pull.state !== 'open' || pull.auto_merge === null || pull.auto_merge === undefined) continue
      const { state } = mergeability(world, pull)
      if (state !== 'clean' && state !== 'unstable') continue
      const auto = pull.auto_merge
      try {
        mergePullRequest(world, pull, {
          method: auto.merge_method,
          by: auto.enabled_by,
          ...(auto.commit_title === '' ? {} : { commitTitle: auto.commit_title }),
          ...(auto.commit_message === '' ? {} : { commitMessage: auto.commit_message })
        })
        merged = true
      } catch (error) {
        if (!(error instanceof GitHubHttpError)) throw error
      }
    }
  }
}
