import type { Octokit } from '../../github/octokit-factory.js'
import { Permission, withPermission, type PermissionLine } from '../../github/permission-errors.js'
import { OperationalError } from '../../runtime/errors.js'

export interface ManifestFile {
  path: string
  /** The file's bytes as UTF-8 text (a BOM and CRLF line breaks included). */
  text: string
  /** Its blob sha. */
  sha: string
}

/** A branch's head commit and that commit's tree (the base of the next commit's tree). */
export interface BranchHead {
  sha: string
  tree: string
}

/** A file's new content in a commit; `null` removes the file. */
export interface FileWrite {
  path: string
  text: string | null
}

export interface PullRequestRef {
  number: number
  url: string
  title: string
  body: string
  /** The GraphQL node id (auto-merge is enabled through GraphQL only). */
  nodeId: string
  /** The head branch and its commit. */
  head: string
  headSha: string
}

export interface PullRequestState extends PullRequestRef {
  state: 'open' | 'closed'
  merged: boolean
  mergeCommitSha: string | undefined
  /** GitHub's `mergeable_state`: clean, unstable, blocked, behind, dirty, draft, unknown, ... */
  mergeableState: string
  autoMerge: boolean
}

/**
 * Whether a ref moved. GitHub refuses a non-forced update with 422 when the branch moved meanwhile
 * ("Update is not a fast forward", "Reference cannot be updated"), but also for branch protection:
 * the caller re-reads the branch to tell which.
 */
export type RefUpdate = { moved: true } | { moved: false; message: string }

export type AutoMergeAnswer =
  | { enabled: true }
  /** Refused; `mergeableNow` when GitHub says the pull request could be merged right away (clean or unstable). */
  | { enabled: false; reason: string; mergeableNow: boolean }

export type MergeAnswer =
  | { merged: true; sha: string }
  /** 405 (not mergeable yet: checks, conflicts, reviews) or 409 (the head moved). */
  | { merged: false; status: number; message: string }

export type MergeMethod = 'merge' | 'squash' | 'rebase'

/**
 * The manifests repository, as GitOps delivery needs it, through the REST git data, contents
 * and pulls APIs and GraphQL (auto-merge): no checkout. Each method is one request unless it
 * says otherwise.
 */
export interface ManifestRepository {
  readonly fullName: string
  /** The branch's head and its tree (two requests), or undefined when there is no such branch. */
  branchHead(branch: string): Promise<BranchHead | undefined>
  /** A file at a commit, or undefined when it has none. Refuses a file that is not UTF-8. */
  readFile(path: string, ref: string): Promise<ManifestFile | undefined>
  /** One commit on `parent` changing `files`: a tree on the parent's (with the contents inline), then the commit. */
  writeCommit(options: { parent: BranchHead; files: readonly FileWrite[]; message: string }): Promise<string>
  /** Creates the branch at `sha`; false when it exists already. */
  createBranch(branch: string, sha: string): Promise<boolean>
  /** Moves a branch; without `force`, only forward from where it is (else not moved, with GitHub's reason). */
  updateBranch(branch: string, sha: string, options: { force: boolean }): Promise<RefUpdate>
  /** Open pull requests into `base` (up to 100, newest first). */
  listOpenPullRequests(base: string): Promise<PullRequestRef[]>
  openPullRequest(options: {
    head: string
    base: string
    title: string
    body: string
  }): Promise<PullRequestRef>
  /** Rewrites an open pull request's title and description. */
  updatePullRequest(number: number, text: { title: string; body: string }): Promise<void>
  /** Comments on a pull request, then closes it (two requests). */
  closePullRequest(number: number, comment: string): Promise<void>
  pullRequest(number: number): Promise<PullRequestState>
  /** GitHub auto-merge, through GraphQL's enablePullRequestAutoMerge. */
  enableAutoMerge(pull: PullRequestRef, method: MergeMethod): Promise<AutoMergeAnswer>
  /** Merges now (the REST merge endpoint), if the head is still `sha`. */
  mergePullRequest(number: number, options: { sha: string; method: MergeMethod }): Promise<MergeAnswer>
}

/** The one real implementation. */
export function gitHubManifestRepository(
  octokit: Octokit,
  fullName: string,
  contentsPermission: PermissionLine = Permission.contentsWrite
): ManifestRepository {
  const [owner = '', repo = ''] = fullName.split('/')
  const where = { owner, repo }
  const contents = <T>(what: string, call: () => Promise<T>) =>
    withPermission(contentsPermission, `${what} in ${fullName}`, call)
  const pulls = <T>(what: string, call: () => Promise<T>) =>
    withPermission(Permission.pullRequestsWrite, `${what} in ${fullName}`, call)
  const toRef = (pull: PullRequestFields): PullRequestRef => ({
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? '',
    nodeId: pull.node_id,
    head: pull.head.ref,
    headSha: pull.head.sha
  })
  return {
    fullName,
    branchHead: (branch) =>
      contents(`read branch ${branch}`, () =>
        absentOn404(async () => {
          const ref = await octokit.rest.git.getRef({ ...where, ref: `heads/${branch}` })
          const sha = ref.data.object.sha
          const commit = await octokit.rest.git.getCommit({ ...where, commit_sha: sha })
          return { sha, tree: commit.data.tree.sha }
        })
      ),
    readFile: (path, ref) =>
      contents(`read ${path} at ${ref}`, () =>
        absentOn404(async () => {
          const { data } = await octokit.rest.repos.getContent({ ...where, path, ref })
          if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
            throw new OperationalError(`${path} in ${fullName} is not a file`, {
              title: 'Invalid manifest file'
            })
          // Files over 1 MB come without content; their blob has it.
          const base64 =
            data.encoding === 'base64'
              ? data.content
              : (await octokit.rest.git.getBlob({ ...where, file_sha: data.sha })).data.content
          return { path, text: utf8Text(Buffer.from(base64, 'base64'), path, fullName), sha: data.sha }
        })
      ),
    writeCommit: ({ parent, files, message }) =>
      contents(`commit ${files.map((f) => f.path).join(', ')}`, async () => {
        // The content inline (GitHub writes the blobs): one request for every file. It is the
        // edited text, which readFile checked is UTF-8, so GitHub's UTF-8 blob is its exact bytes.
        const tree = files.map((file) =>
          file.text === null
            ? { path: file.path, mode: '100644' as const, type: 'blob' as const, sha: null }
            : { path: file.path, mode: '100644' as const, type: 'blob' as const, content: file.text }
        )
        const made = await octokit.rest.git.createTree({ ...where, base_tree: parent.tree, tree })
        const commit = await octokit.rest.git.createCommit({
          ...where,
          message,
          tree: made.data.sha,
          parents: [parent.sha]
        })
        return commit.data.sha
      }),
    createBranch: (branch, sha) =>
      contents(`create branch ${branch}`, async () => {
        try {
          await octokit.rest.git.createRef({ ...where, ref: `refs/heads/${branch}`, sha })
          return true
        } catch (error) {
          if (status(error) === 422 && /already exists/i.test(message(error))) return false
          throw error
        }
      }),
    updateBranch: (branch, sha, { force }) =>
      contents(`update branch ${branch}`, async () => {
        try {
          await octokit.rest.git.updateRef({ ...where, ref: `heads/${branch}`, sha, force })
          return { moved: true }
        } catch (error) {
          if (!force && status(error) === 422) return { moved: false, message: message(error) }
          throw error
        }
      }),
    listOpenPullRequests: (base) =>
      pulls('list pull requests', async () => {
        const { data } = await octokit.rest.pulls.list({ ...where, base, state: 'open', per_page: 100 })
        return data.map(toRef)
      }),
    openPullRequest: (options) =>
      pulls('open a pull request', async () =>
        toRef((await octokit.rest.pulls.create({ ...where, ...options })).data)
      ),
    updatePullRequest: (number, text) =>
      pulls(`update pull request #${number}`, async () => {
        await octokit.rest.pulls.update({ ...where, pull_number: number, ...text })
      }),
    closePullRequest: (number, comment) =>
      pulls(`close pull request #${number}`, async () => {
        await octokit.rest.issues.createComment({ ...where, issue_number: number, body: comment })
        await octokit.rest.pulls.update({ ...where, pull_number: number, state: 'closed' })
      }),
    pullRequest: (number) =>
      pulls(`read pull request #${number}`, async () => {
        const { data } = await octokit.rest.pulls.get({ ...where, pull_number: number })
        return {
          ...toRef(data),
          state: data.state === 'closed' ? 'closed' : 'open',
          merged: data.merged,
          mergeCommitSha: data.merged ? (data.merge_commit_sha ?? undefined) : undefined,
          mergeableState: data.mergeable_state,
          autoMerge: data.auto_merge !== null
        }
      }),
    enableAutoMerge: (pull, method) =>
      pulls(`enable auto-merge of pull request #${pull.number}`, async () => {
        try {
          await octokit.graphql(
            `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
              enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
                pullRequest { number }
              }
            }`,
            // octokit reserves `method` (and url, headers, ...) as variable names.
            { pullRequestId: pull.nodeId, mergeMethod: method.toUpperCase() }
          )
          return { enabled: true }
        } catch (error) {
          const errors = (error as { errors?: Array<{ type?: string; message?: string }> }).errors
          if (!errors?.length) throw error
          if (errors.some((e) => e.type === 'FORBIDDEN'))
            throw Object.assign(new Error(errors.map((e) => e.message).join('; ')), { status: 403 })
          const reason = errors.map((e) => e.message ?? '').join('; ')
          // GitHub refuses to wait when there is nothing to wait for: "Pull request Pull request is in clean status".
          return { enabled: false, reason, mergeableNow: /is in (clean|unstable) status/i.test(reason) }
        }
      }),
    mergePullRequest: (number, { sha, method }) =>
      withPermission(Permission.contentsWrite, `merge pull request #${number} in ${fullName}`, async () => {
        try {
          const { data } = await octokit.rest.pulls.merge({
            ...where,
            pull_number: number,
            sha,
            merge_method: method
          })
          return { merged: true, sha: data.sha }
        } catch (error) {
          const code = status(error)
          if (code === 405 || code === 409) return { merged: false, status: code, message: message(error) }
          throw error
        }
      })
  }
}

interface PullRequestFields {
  number: number
  html_url: string
  title: string
  body: string | null
  node_id: string
  head: { ref: string; sha: string }
}

/** The file's text; a file that is not UTF-8 would not survive the round trip byte for byte. */
function utf8Text(bytes: Buffer, path: string, fullName: string): string {
  const text = bytes.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw new OperationalError(
      `${path} in ${fullName} is not UTF-8 text; promote-action edits YAML files in UTF-8 only (with or without a BOM).`,
      { title: 'Invalid manifest file' }
    )
  return text
}

const status = (error: unknown) => (error as { status?: number }).status
const message = (error: unknown) => (error as { message?: string }).message ?? String(error)

/** GitHub answers 404 for a missing branch or file: here that is an answer, not an error. */
async function absentOn404<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    if (status(error) === 404) return undefined
    throw error
  }
}
