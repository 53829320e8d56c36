import type { EndpointTable } from '../endpoint.js'
import {
  isAncestor,
  isObject,
  moveRef,
  readBlob,
  readCommit,
  readTree,
  renderBlob,
  renderTree,
  writeBlob,
  writeCommit,
  writeTree,
  type FileMap
} from '../git-store.js'
import { notFound, unprocessable } from '../http-error.js'
import type { GitHubWorld } from '../world.js'
import type { RequestBody } from '../state.js'

/**
 * The Git database API over the real repository: blobs, trees, commits and refs, with git's own
 * rules: a ref name starts with `refs/` and has two slashes, objects must exist before something
 * points at them, and a ref moves only forward unless `force` is set (checked with
 * `merge-base --is-ancestor`, moved with a compare-and-swap `update-ref`).
 */
type TreeCreate = RequestBody<'git/create-tree'>
type CommitCreate = RequestBody<'git/create-commit'>

function gitRef(
  world: GitHubWorld,
  ref: string
): { ref: string; node_id: string; url: string; object: { type: string; sha: string; url: string } } {
  const sha = world.git.refs().get(ref) as string
  return {
    ref,
    node_id: world.nodeId('REF', ref),
    url: `${world.repoUrl}/git/${ref}`,
    object: { type: 'commit', sha, url: `${world.repoUrl}/git/commits/${sha}` }
  }
}

function buildTree(world: GitHubWorld, input: TreeCreate): string {
  let files: FileMap = new Map()
  if (input.base_tree !== undefined) {
    if (!isObject(world, input.base_tree, 'tree'))
      throw unprocessable('Invalid request.\n\nbase_tree is not a valid tree.')
    files = readTree(world, input.base_tree)
  }
  const removeUnder = (path: string): void => {
    for (const existing of [...files.keys()]) {
      if (existing === path || existing.startsWith(`${path}/`)) files.delete(existing)
    }
  }
  for (const entry of input.tree) {
    const path = entry.path?.replace(/^\/+|\/+$/g, '')
    if (path === undefined || path === '') throw unprocessable('Invalid request.\n\n"path" wasn\'t supplied.')
    removeUnder(path)
    if (entry.sha === null) continue
    if (entry.content !== undefined) {
      files.set(path, {
        mode: entry.mode ?? '100644',
        type: 'blob',
        sha: writeBlob(world, Buffer.from(entry.content, 'utf8'))
      })
    } else if (entry.sha === undefined) {
      throw unprocessable(`Invalid request.\n\nEither "sha" or "content" must be supplied for ${path}.`)
    } else if (entry.type === 'tree') {
      if (!isObject(world, entry.sha, 'tree'))
        throw unprocessable(`Invalid request.\n\ntree.sha ${entry.sha} is not a valid tree`)
      readTree(world, entry.sha, `${path}/`, files)
    } else if (entry.type === 'commit') {
      files.set(path, { mode: '160000', type: 'commit', sha: entry.sha })
    } else {
      if (!isObject(world, entry.sha, 'blob'))
        throw unprocessable(`Invalid request.\n\ntree.sha ${entry.sha} is not a valid blob`)
      files.set(path, { mode: entry.mode ?? '100644', type: 'blob', sha: entry.sha })
    }
  }
  return writeTree(world, files)
}

function createCommit(world: GitHubWorld, input: CommitCreate): ReturnType<typeof writeCommit> {
  if (!isObject(world, input.tree, 'tree')) throw unprocessable('Tree SHA does not exist')
  for (const parent of input.parents ?? []) {
    if (!isObject(world, parent, 'commit'))
      throw unprocessable('Parent SHA does not exist or is not a commit object')
  }
  return writeCommit(world, {
    message: input.message,
    tree: input.tree,
    parents: input.parents ?? [],
    ...(input.author === undefined ? {} : { author: input.author }),
    ...(input.committer?.name === undefined || input.committer.email === undefined
      ? {}
      : {
          committer: { name: input.committer.name, email: input.committer.email, date: input.committer.date }
        })
  })
}

export const gitDataEndpoints = {
  'git/create-blob': (request) => {
    const body = request.body as RequestBody<'git/create-blob'>
    const encoding = body.encoding ?? 'utf-8'
    if (encoding !== 'utf-8' && encoding !== 'base64') {
      throw unprocessable(
        `Invalid request.\n\nencoding must be "utf-8" or "base64", not ${JSON.stringify(encoding)}.`
      )
    }
    const sha = writeBlob(request.world, Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'))
    const url = `${request.world.repoUrl}/git/blobs/${sha}`
    return { status: 201, body: { sha, url }, headers: { location: url } }
  },

  'git/get-blob': (request) => {
    const sha = String(request.params.file_sha)
    const content = readBlob(request.world, sha)
    if (content === undefined) throw notFound()
    return { status: 200, body: renderBlob(request.world, sha, content) }
  },

  'git/create-tree': (request) => {
    const tree = renderTree(request.world, buildTree(request.world, request.body as TreeCreate))
    return {
      status: 201,
      body: tree,
      headers: { location: `${request.world.repoUrl}/git/trees/${tree.sha}` }
    }
  },

  'git/create-commit': (request) => {
    const commit = createCommit(request.world, request.body as CommitCreate)
    return { status: 201, body: commit, headers: { location: commit.url } }
  },

  'git/get-commit': (request) => {
    const commit = readCommit(request.world, String(request.params.commit_sha))
    if (commit === undefined) throw notFound()
    return { status: 200, body: commit }
  },

  'git/get-ref': (request) => {
    const ref = `refs/${String(request.params.ref)}`
    if (!request.world.git.refs().has(ref)) throw notFound()
    return { status: 200, body: gitRef(request.world, ref) }
  },

  'git/create-ref': (request) => {
    const { world } = request
    const { ref, sha } = request.body as RequestBody<'git/create-ref'>
    if (!/^refs\/[^/]+\/.+/.test(ref))
      throw unprocessable("ref must start with 'refs' and have at least two slashes.")
    if (world.git.objectType(sha) !== 'commit') throw unprocessable('Object does not exist')
    if (!moveRef(world, ref, sha, null)) throw unprocessable('Reference already exists')
    const body = gitRef(world, ref)
    return { status: 201, body, headers: { location: body.url } }
  },

  'git/update-ref': (request) => {
    const { world } = request
    const ref = `refs/${String(request.params.ref)}`
    const { sha, force } = request.body as RequestBody<'git/update-ref'>
    const current = world.git.refs().get(ref)
    if (current === undefined) throw unprocessable('Reference does not exist')
    if (world.git.objectType(sha) !== 'commit') throw unprocessable('Object does not exist')
    if (force !== true && !isAncestor(world, current, sha))
      throw unprocessable('Update is not a fast forward')
    // Compare-and-swap from the value checked above: a ref that moved in between is not overwritten.
    if (!moveRef(world, ref, sha, current)) throw unprocessable('Reference cannot be updated')
    return { status: 200, body: gitRef(world, ref) }
  }
} satisfies Partial<EndpointTable>
