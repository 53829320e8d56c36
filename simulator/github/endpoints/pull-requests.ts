import type { EndpointTable } from '../endpoint.js'
import { branchSha, commitsBetween, mergeBase } from '../git-store.js'
import { notFound, validationFailed } from '../http-error.js'
import { mergePullRequest, refreshMergeability, type MergeMethod } from '../merging.js'
import { paginate } from '../pagination.js'
import type { PullRequest, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Pull requests between branches of the emulated repository (no forks). Creation refuses what
 * GitHub refuses: an unknown head or base, no commits between them, a second open pull request
 * for the same head and base, a missing title. An open pull request follows pushes to its head
 * branch. `mergeable` is null in the creation answer (GitHub computes it in the background) and
 * computed with `git merge-tree` on every read; additions and deletions are not counted,
 * changed_files and commits are. Merging is in merging.ts; closing turns auto-merge off.
 */
export type PullRequestCreate = RequestBody<'pulls/create'>

/** Fields of a full pull request that the list operation (pull-request-simple) does not carry. */
const DETAIL_ONLY = [
  'additions',
  'deletions',
  'changed_files',
  'commits',
  'comments',
  'review_comments',
  'maintainer_can_modify',
  'mergeable',
  'mergeable_state',
  'merged',
  'merged_by',
  'rebaseable'
] as const

export function createPullRequest(world: GitHubWorld, input: PullRequestCreate): PullRequest {
  const headBranch = input.head.includes(':') ? input.head.slice(input.head.indexOf(':') + 1) : input.head
  const headOwner = input.head.includes(':') ? input.head.slice(0, input.head.indexOf(':')) : world.owner
  const headSha = headOwner === world.owner ? branchSha(world, headBranch) : undefined
  const baseSha = branchSha(world, input.base)
  const problems: Array<{ resource: string; code: string; field?: string; message?: string }> = []
  if (input.title === undefined && input.issue === undefined) {
    problems.push({ resource: 'PullRequest', code: 'missing_field', field: 'title' })
  }
  if (headSha === undefined) problems.push({ resource: 'PullRequest', code: 'invalid', field: 'head' })
  if (baseSha === undefined) problems.push({ resource: 'PullRequest', code: 'invalid', field: 'base' })
  if (problems.length > 0) throw validationFailed(problems)
  const head = headSha as string
  const base = baseSha as string
  if (commitsBetween(world, base, head) === 0) {
    throw validationFailed([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `No commits between ${input.base} and ${headBranch}`
      }
    ])
  }
  const duplicate = world.state.pullRequests.find(
    (pull) => pull.state === 'open' && pull.head.ref === headBranch && pull.base.ref === input.base
  )
  if (duplicate !== undefined) {
    throw validationFailed([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${world.owner}:${headBranch}.`
      }
    ])
  }

  const number = world.nextId('issue-number')
  const id = world.nextId('pull-request', 2_000_000_001)
  const now = world.now()
  const url = `${world.repoUrl}/pulls/${number}`
  const html = `${world.htmlUrl}/pull/${number}`
  const issueUrl = `${world.repoUrl}/issues/${number}`
  // A full repository carries every field the pull request's `repository` requires; the
  // response check holds it to that schema at run time.
  const repository = world.repository() as unknown as PullRequest['head']['repo']
  const side = (ref: string, sha: string): PullRequest['head'] => ({
    label: `${world.owner}:${ref}`,
    ref,
    sha,
    user: world.ownerAccount,
    repo: repository
  })
  const pull: PullRequest = {
    id,
    node_id: world.nodeId('PR', id),
    number,
    url,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${world.repoUrl}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${world.repoUrl}/statuses/${head}`,
    state: 'open',
    locked: false,
    title: input.title ?? `Issue #${String(input.issue)}`,
    user: world.actor,
    body: input.body ?? null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: now,
    updated_at: now,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(headBranch, head),
    base: side(input.base, base),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${world.repoUrl}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${world.repoUrl}/statuses/${head}` }
    },
    author_association: 'NONE',
    auto_merge: null,
    draft: input.draft ?? false,
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: input.maintainer_can_modify ?? false,
    commits: commitsBetween(world, base, head),
    additions: 0,
    deletions: 0,
    changed_files: changedFiles(world, base, head)
  }
  world.state.pullRequests.push(pull)
  return pull
}

function changedFiles(world: GitHubWorld, base: string, head: string): number {
  return world.git.diff(mergeBase(world, base, head) ?? base, head).length
}

function findPull(world: GitHubWorld, number: unknown): PullRequest {
  const pull = world.pullRequest(number)
  if (pull === undefined) throw notFound()
  return pull
}

/**
 * Closing keeps the branches and turns auto-merge off; reopening needs the head branch, no other
 * open pull request for the same branches and commits to merge, and is refused once merged.
 */
function reopenOrClose(world: GitHubWorld, pull: PullRequest, state: 'open' | 'closed'): void {
  const refuse = (message: string): never => {
    throw validationFailed([{ resource: 'PullRequest', code: 'custom', field: 'state', message }])
  }
  if (state === 'closed') {
    pull.state = 'closed'
    pull.closed_at = world.now()
    pull.auto_merge = null
    return
  }
  if (pull.merged) refuse('state cannot be changed. The pull request has already been merged.')
  const head = branchSha(world, pull.head.ref)
  if (head === undefined) refuse('state cannot be changed. The head branch has been deleted.')
  const duplicate = world.state.pullRequests.some(
    (other) =>
      other !== pull &&
      other.state === 'open' &&
      other.head.ref === pull.head.ref &&
      other.base.ref === pull.base.ref
  )
  if (duplicate) refuse(`A pull request already exists for ${world.owner}:${pull.head.ref}.`)
  pull.state = 'open'
  pull.closed_at = null
  pull.head.sha = head as string
  pull.base.sha = branchSha(world, pull.base.ref) ?? pull.base.sha
  pull.commits = commitsBetween(world, pull.base.sha, pull.head.sha)
}

function simple(pull: PullRequest): Omit<PullRequest, (typeof DETAIL_ONLY)[number]> {
  const copy: Partial<PullRequest> = { ...pull }
  for (const field of DETAIL_ONLY) delete copy[field]
  return copy as Omit<PullRequest, (typeof DETAIL_ONLY)[number]>
}

export const pullRequestEndpoints = {
  'pulls/create': (request) => {
    const pull = createPullRequest(request.world, request.body as PullRequestCreate)
    return { status: 201, body: pull, headers: { location: pull.url } }
  },

  'pulls/get': (request) => {
    const pull = findPull(request.world, request.params.pull_number)
    return { status: 200, body: refreshMergeability(request.world, pull) }
  },

  // Title, body and state, as a promotion re-run needs; changing the base is not emulated.
  'pulls/update': (request) => {
    const { world } = request
    const pull = findPull(world, request.params.pull_number)
    const input = request.body as RequestBody<'pulls/update'>
    if (input.base !== undefined && input.base !== pull.base.ref)
      throw validationFailed([
        { resource: 'PullRequest', code: 'custom', message: 'changing the base is not emulated' }
      ])
    if (input.state !== undefined && input.state !== pull.state) reopenOrClose(world, pull, input.state)
    if (input.title !== undefined) pull.title = input.title
    if (input.body !== undefined) pull.body = input.body
    pull.updated_at = world.now()
    return { status: 200, body: pull }
  },

  'pulls/merge': (request) => {
    const { world } = request
    const pull = findPull(world, request.params.pull_number)
    const input = (request.body ?? {}) as NonNullable<RequestBody<'pulls/merge'>>
    const { sha } = mergePullRequest(world, pull, {
      ...(input.merge_method === undefined ? {} : { method: input.merge_method as MergeMethod }),
      ...(input.sha === undefined ? {} : { sha: input.sha }),
      ...(input.commit_title === undefined ? {} : { commitTitle: input.commit_title }),
      ...(input.commit_message === undefined ? {} : { commitMessage: input.commit_message })
    })
    return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } }
  },

  'pulls/list': (request) => {
    const { state, head, base, sort, direction } = request.query
    const key = sort === 'updated' ? 'updated_at' : 'created_at'
    const descending =
      direction === undefined ? sort === undefined || sort === 'created' : direction === 'desc'
    const pulls = request.world.state.pullRequests
      .filter((pull) => state === 'all' || pull.state === (state ?? 'open'))
      .filter((pull) => head === undefined || pull.head.label === head)
      .filter((pull) => base === undefined || pull.base.ref === base)
      .sort((left, right) => {
        const order = left[key] < right[key] ? -1 : left[key] > right[key] ? 1 : left.id - right.id
        return descending ? -order : order
      })
    const page = paginate(pulls.map(simple), request)
    return { status: 200, body: page.items, headers: page.headers }
  }
} satisfies Partial<EndpointTable>
