import type { EndpointTable } from '../endpoint.js'
import {
  branchSha,
  commitFiles,
  commitToBranch,
  readBlob,
  readCommit,
  resolveCommitish,
  wrapBase64,
  writeBlob,
  type Signature
} from '../git-store.js'
import { conflict, notFound, unprocessable } from '../http-error.js'
import type { GitCommit, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * The contents API over the git objects: reading a file or directory at a ref, and committing one
 * file to a branch. Updating an existing file needs its current blob sha (422 without, 409 when it
 * no longer matches), which is how GitHub stops two writers from overwriting each other; the
 * branch itself moves by compare-and-swap from the commit the file was checked against.
 */
interface TreeEntryRef {
  type: 'blob' | 'tree' | 'commit'
  sha: string
  size?: number
}

function describeEntry(world: GitHubWorld, path: string, entry: TreeEntryRef, ref: string) {
  const isFile = entry.type === 'blob'
  const url = `${world.repoUrl}/contents/${path}?ref=${encodeURIComponent(ref)}`
  const gitUrl = `${world.repoUrl}/git/${isFile ? 'blobs' : 'trees'}/${entry.sha}`
  const htmlUrl = `${world.htmlUrl}/${isFile ? 'blob' : 'tree'}/${ref}/${path}`
  return {
    type: isFile ? 'file' : entry.type === 'tree' ? 'dir' : 'submodule',
    size: isFile ? (entry.size ?? 0) : 0,
    name: path.split('/').at(-1) ?? path,
    path,
    sha: entry.sha,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url: isFile
      ? `https://raw.githubusercontent.com/${world.owner}/${world.repo}/${ref}/${path}`
      : null,
    _links: { self: url, git: gitUrl, html: htmlUrl }
  }
}

/** Every branch's files as UTF-8 text: the `state.contents` view. */
export function branchContents(world: GitHubWorld): { [branch: string]: { [path: string]: string } } {
  const view: { [branch: string]: { [path: string]: string } } = {}
  for (const [ref, sha] of world.git.refs()) {
    if (!ref.startsWith('refs/heads/')) continue
    const blobs = [...commitFiles(world, sha)].filter(([, entry]) => entry.type === 'blob')
    const contents = world.git.readObjects(blobs.map(([, entry]) => entry.sha))
    view[ref.slice('refs/heads/'.length)] = Object.fromEntries(
      blobs.map(([path, entry]) => [path, contents.get(entry.sha)?.content.toString('utf8') ?? ''])
    )
  }
  return view
}

/** Commits one file to a branch (creating or replacing it); the seeding helper and PUT share it. */
export function putFile(
  world: GitHubWorld,
  path: string,
  content: Buffer,
  options: {
    branch?: string
    message?: string
    sha?: string
    author?: Signature
    committer?: Signature
    requireSha?: boolean
  } = {}
): { created: boolean; commit: GitCommit; blobSha: string; branch: string } {
  const branch = options.branch ?? world.defaultBranch
  const head = branchSha(world, branch)
  if (head === undefined) throw notFound(`Branch ${branch} not found`)
  const files = commitFiles(world, head)
  const existing = files.get(path)
  if (existing !== undefined && options.requireSha === true) {
    if (options.sha === undefined) throw unprocessable(`Invalid request.\n\n"sha" wasn't supplied.`)
    if (options.sha !== existing.sha) throw conflict(`${path} does not match ${options.sha}`)
  }
  const blobSha = writeBlob(world, content)
  files.set(path, { mode: existing?.mode ?? '100644', type: 'blob', sha: blobSha })
  const commit = commitToBranch(world, branch, files, options.message ?? `Update ${path}`, {
    parent: head,
    ...(options.author === undefined ? {} : { author: options.author }),
    ...(options.committer === undefined ? {} : { committer: options.committer })
  })
  return { created: existing === undefined, commit, blobSha, branch }
}

export const contentEndpoints = {
  'repos/get-content': (request) => {
    const { world } = request
    const path = String(request.params.path).replace(/^\/+|\/+$/g, '')
    const ref = request.query.ref === undefined ? world.defaultBranch : String(request.query.ref)
    const sha = resolveCommitish(world, ref)
    const commit = sha === undefined ? undefined : readCommit(world, sha)
    if (commit === undefined) throw notFound(`No commit found for the ref ${ref}`)
    const entry = world.git.lookupPath(commit.sha, path)
    if (entry === undefined) throw notFound()
    if (entry.type === 'tree') {
      return {
        status: 200,
        body: world.git
          .listTree(entry.sha)
          .map((child) =>
            describeEntry(world, path === '' ? child.path : `${path}/${child.path}`, child, ref)
          )
      }
    }
    if (entry.type !== 'blob') throw notFound()
    const content = readBlob(world, entry.sha) ?? Buffer.alloc(0)
    return {
      status: 200,
      body: {
        ...describeEntry(world, path, entry, ref),
        encoding: 'base64',
        content: wrapBase64(content.toString('base64'))
      }
    }
  },

  'repos/create-or-update-file-contents': (request) => {
    const { world } = request
    const path = String(request.params.path).replace(/^\/+|\/+$/g, '')
    const body = request.body as RequestBody<'repos/create-or-update-file-contents'>
    if (!/^[A-Za-z0-9+/=\s]*$/.test(body.content))
      throw unprocessable('Invalid request.\n\ncontent is not valid Base64')
    const result = putFile(world, path, Buffer.from(body.content, 'base64'), {
      requireSha: true,
      message: body.message,
      ...(body.branch === undefined ? {} : { branch: body.branch }),
      ...(body.sha === undefined ? {} : { sha: body.sha }),
      ...(body.author === undefined ? {} : { author: body.author }),
      ...(body.committer === undefined ? {} : { committer: body.committer })
    })
    const entry = {
      type: 'blob' as const,
      sha: result.blobSha,
      size: Buffer.from(body.content, 'base64').length
    }
    return {
      status: result.created ? 201 : 200,
      body: { content: describeEntry(world, path, entry, result.branch), commit: result.commit }
    }
  }
} satisfies Partial<EndpointTable>
