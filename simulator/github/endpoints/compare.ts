import type { components } from '@octokit/openapi-types'
import type { EndpointTable } from '../endpoint.js'
import { botEmail, readCommit, resolveCommitish } from '../git-store.js'
import { notFound } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { GitCommit, Plain, SimpleUser } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * `GET /compare/{base}...{head}` from git's ancestry: `status` is identical (same commit), ahead
 * (base is an ancestor of head), behind (head is an ancestor of base) or diverged; `ahead_by` and
 * `commits` are `git rev-list base..head` (oldest first, as the API lists them), `behind_by` is
 * `head..base`, `files` is the diff from the merge base to head (what a pull request would show).
 * Without `page` or `per_page` at most 250 commits are listed, the newest ones last, as documented.
 * A side written `owner:ref` must name this repository's owner; unrelated histories are 404.
 */
type Commit = Plain<components['schemas']['commit']>
type DiffEntry = Plain<components['schemas']['diff-entry']>

const UNPAGED_COMMIT_LIMIT = 250
const FILE_STATUS: { [letter: string]: DiffEntry['status'] } = {
  A: 'added',
  D: 'removed',
  M: 'modified',
  T: 'changed'
}

function parseSide(world: GitHubWorld, side: string): string {
  const colon = side.indexOf(':')
  if (colon < 0) return side
  if (side.slice(0, colon).toLowerCase() !== world.owner.toLowerCase()) throw notFound()
  return side.slice(colon + 1)
}

/** A commit in the `commit` shape the compare and commits APIs use (the git commit plus GitHub users). */
function renderRepositoryCommit(world: GitHubWorld, commit: GitCommit): Commit {
  return {
    sha: commit.sha,
    node_id: commit.node_id,
    url: `${world.repoUrl}/commits/${commit.sha}`,
    html_url: commit.html_url,
    comments_url: `${world.repoUrl}/commits/${commit.sha}/comments`,
    commit: {
      url: commit.url,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: commit.tree,
      verification: commit.verification
    },
    author: accountFor(world, commit.author.email),
    committer: accountFor(world, commit.committer.email),
    parents: commit.parents.map(({ sha, url, html_url }) => ({ sha, url, html_url }))
  }
}

/** GitHub links a commit to the account whose email it carries; null for an unknown email. */
function accountFor(world: GitHubWorld, email: string): SimpleUser | null {
  if (email === botEmail(world)) return world.actor
  if (email === `${world.owner}@users.noreply.github.com`) return world.ownerAccount
  return null
}

export const compareEndpoints = {
  'repos/compare-commits-with-basehead': (request) => {
    const { world } = request
    const basehead = String(request.params.basehead)
    const separator = basehead.includes('...') ? '...' : '..'
    const parts = basehead.split(separator)
    if (parts.length !== 2) throw notFound()
    const [baseName, headName] = parts.map((side) => parseSide(world, side)) as [string, string]
    const base = resolveCommitish(world, baseName)
    const head = resolveCommitish(world, headName)
    const baseCommit = base === undefined ? undefined : readCommit(world, base)
    const headCommit = head === undefined ? undefined : readCommit(world, head)
    if (baseCommit === undefined || headCommit === undefined) throw notFound()
    const mergeBase = world.git.mergeBase(baseCommit.sha, headCommit.sha)
    const mergeBaseCommit = mergeBase === undefined ? undefined : readCommit(world, mergeBase)
    if (mergeBaseCommit === undefined)
      throw notFound(`No common ancestor between ${baseName} and ${headName}.`)

    const ahead = world.git.commitsBetween([baseCommit.sha], headCommit.sha)
    const behindBy = world.git.countCommits([headCommit.sha], baseCommit.sha)
    const status =
      baseCommit.sha === headCommit.sha
        ? 'identical'
        : behindBy === 0
          ? 'ahead'
          : ahead.length === 0
            ? 'behind'
            : 'diverged'
    const paged = request.url.searchParams.has('page') || request.url.searchParams.has('per_page')
    const page = paged ? paginate(ahead, request) : { items: ahead.slice(-UNPAGED_COMMIT_LIMIT), headers: {} }
    const firstPage = !paged || Number(request.query.page ?? 1) <= 1
    const short = (sha: string): string => sha.slice(0, 7)
    const htmlCompare = `${world.htmlUrl}/compare/${basehead}`
    return {
      status: 200,
      headers: page.headers,
      body: {
        url: `${world.repoUrl}/compare/${basehead}`,
        html_url: htmlCompare,
        permalink_url: `${world.htmlUrl}/compare/${world.owner}:${short(baseCommit.sha)}...${world.owner}:${short(headCommit.sha)}`,
        diff_url: `${htmlCompare}.diff`,
        patch_url: `${htmlCompare}.patch`,
        base_commit: renderRepositoryCommit(world, baseCommit),
        merge_base_commit: renderRepositoryCommit(world, mergeBaseCommit),
        status,
        ahead_by: ahead.length,
        behind_by: behindBy,
        total_commits: ahead.length,
        commits: page.items.map((sha) => renderRepositoryCommit(world, readCommit(world, sha) as GitCommit)),
        // GitHub lists the changed files on the first page only.
        ...(firstPage ? { files: diffEntries(world, mergeBaseCommit.sha, headCommit.sha) } : {})
      }
    }
  }
} satisfies Partial<EndpointTable>

function diffEntries(world: GitHubWorld, from: string, to: string): DiffEntry[] {
  return world.git.diff(from, to).map((change) => {
    const ref = change.status === 'D' ? from : to
    const path = change.path.split('/').map(encodeURIComponent).join('/')
    return {
      sha: change.sha,
      filename: change.path,
      status: FILE_STATUS[change.status] ?? 'modified',
      additions: change.additions,
      deletions: change.deletions,
      changes: change.additions + change.deletions,
      blob_url: `${world.htmlUrl}/blob/${ref}/${path}`,
      raw_url: `${world.htmlUrl}/raw/${ref}/${path}`,
      contents_url: `${world.repoUrl}/contents/${path}?ref=${ref}`
    }
  })
}
