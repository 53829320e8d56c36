import type { Octokit } from '../../github/octokit-factory.js'
import { Permission, withPermission, type PermissionLine } from '../../github/permission-errors.js'

export interface ManifestFile {
  text: string
  /** The blob sha the contents API needs to replace the file. */
  sha: string
}

export interface PullRequestRef {
  number: number
  url: string
  title: string
  body: string
}

/** The manifests repository, as the GitOps promotion needs it: files, branches, pull requests. */
export interface ManifestRepository {
  readonly fullName: string
  /** The head commit of a branch, or undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>
  /** A file at a ref, or undefined when the ref has no such file. */
  readFile(path: string, ref: string): Promise<ManifestFile | undefined>
  /** Creates the branch at `sha`, or moves it there (forced) when it exists. */
  resetBranch(branch: string, sha: string, exists: boolean): Promise<void>
  /** Commits one file to a branch; `sha` is the blob it replaces. */
  commitFile(options: {
    branch: string
    path: string
    text: string
    sha: string
    message: string
  }): Promise<void>
  findOpenPullRequest(head: string, base: string): Promise<PullRequestRef | undefined>
  openPullRequest(options: {
    head: string
    base: string
    title: string
    body: string
  }): Promise<PullRequestRef>
  /** Rewrites an open pull request's title and description. */
  updatePullRequest(number: number, text: { title: string; body: string }): Promise<void>
}

/** The one real implementation, over the REST contents, git data and pulls APIs. */
export function gitHubManifestRepository(
  octokit: Octokit,
  fullName: string,
  contentsPermission: PermissionLine = Permission.contentsWrite
): ManifestRepository {
  const [owner = '', repo = ''] = fullName.split('/')
  const where = { owner, repo }
  const contents = <T>(what: string, call: () => Promise<T>) =>
    withPermission(contentsPermission, `${what} in ${fullName}`, call)
  return {
    fullName,
    branchHead: (branch) =>
      contents(`read branch ${branch}`, () =>
        absentOn404(
          async () => (await octokit.rest.git.getRef({ ...where, ref: `heads/${branch}` })).data.object.sha
        )
      ),
    readFile: (path, ref) =>
      contents(`read ${path} at ${ref}`, () =>
        absentOn404(async () => {
          const { data } = await octokit.rest.repos.getContent({ ...where, path, ref })
          if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
            throw Object.assign(new Error(`${path} is not a file`), { status: 422 })
          return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha }
        })
      ),
    resetBranch: (branch, sha, exists) =>
      contents(`${exists ? 'update' : 'create'} branch ${branch}`, async () => {
        if (exists) await octokit.rest.git.updateRef({ ...where, ref: `heads/${branch}`, sha, force: true })
        else await octokit.rest.git.createRef({ ...where, ref: `refs/heads/${branch}`, sha })
      }),
    commitFile: (options) =>
      contents(`commit ${options.path} to ${options.branch}`, async () => {
        await octokit.rest.repos.createOrUpdateFileContents({
          ...where,
          path: options.path,
          branch: options.branch,
          message: options.message,
          content: Buffer.from(options.text, 'utf8').toString('base64'),
          sha: options.sha
        })
      }),
    findOpenPullRequest: (head, base) =>
      withPermission(Permission.pullRequestsWrite, `list pull requests of ${fullName}`, async () => {
        const { data } = await octokit.rest.pulls.list({
          ...where,
          head: `${owner}:${head}`,
          base,
          state: 'open'
        })
        const pull = data[0]
        return pull
          ? { number: pull.number, url: pull.html_url, title: pull.title, body: pull.body ?? '' }
          : undefined
      }),
    openPullRequest: (options) =>
      withPermission(Permission.pullRequestsWrite, `open a pull request in ${fullName}`, async () => {
        const { data } = await octokit.rest.pulls.create({ ...where, ...options })
        return { number: data.number, url: data.html_url, title: data.title, body: data.body ?? '' }
      }),
    updatePullRequest: (number, text) =>
      withPermission(
        Permission.pullRequestsWrite,
        `update pull request #${number} in ${fullName}`,
        async () => {
          await octokit.rest.pulls.update({ ...where, pull_number: number, ...text })
        }
      )
  }
}

/** GitHub answers 404 for a missing branch or file: here that is an answer, not an error. */
async function absentOn404<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined
    throw error
  }
}
