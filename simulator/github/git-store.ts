import type { Identity } from './git-repository.js'
import { conflict } from './http-error.js'
import type { Blob, GitCommit, GitTree } from './state.js'
import type { GitHubWorld } from './world.js'

/**
 * The repository's git objects as GitHub's API renders them, over the real bare repository in
 * `world.git`. Every sha is git's own; refs move by compare-and-swap, and an open pull request
 * follows its head branch. FileMap is the flattened view of a tree (full path to blob or gitlink)
 * that edits work on before the tree is written back.
 */
export interface FileEntry {
  mode: string
  type: 'blob' | 'commit'
  sha: string
}

export type FileMap = Map<string, FileEntry>

export interface Signature {
  name: string
  email: string
  date?: string
}

export function writeBlob(world: GitHubWorld, content: Buffer): string {
  return world.git.writeBlob(content)
}

export function readBlob(world: GitHubWorld, sha: string): Buffer | undefined {
  const object = world.git.readObject(sha)
  return object?.type === 'blob' ? object.content : undefined
}

export function isObject(world: GitHubWorld, sha: string, type: 'blob' | 'tree' | 'commit'): boolean {
  return world.git.objectType(sha) === type
}

export function renderBlob(world: GitHubWorld, sha: string, content: Buffer): Blob {
  return {
    sha,
    node_id: world.nodeId('B', sha),
    size: content.length,
    url: `${world.repoUrl}/git/blobs/${sha}`,
    content: wrapBase64(content.toString('base64')),
    encoding: 'base64'
  }
}

/** GitHub's blob and contents answers wrap base64 at 60 characters, each line ending in a newline. */
export function wrapBase64(base64: string): string {
  return base64 === '' ? '' : `${base64.match(/.{1,60}/g)?.join('\n') ?? ''}\n`
}

/** One tree level as `GET /git/trees/{sha}` (not recursive) and `POST /git/trees` answer it. */
export function renderTree(world: GitHubWorld, sha: string): GitTree {
  return {
    sha,
    url: `${world.repoUrl}/git/trees/${sha}`,
    truncated: false,
    tree: world.git.listTree(sha).map((entry) => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.size === undefined ? {} : { size: entry.size }),
      ...(entry.type === 'commit' ? {} : { url: `${world.repoUrl}/git/${entry.type}s/${entry.sha}` })
    }))
  }
}

/** Writes the trees for a flat file map and returns the root tree's sha. */
export function writeTree(world: GitHubWorld, files: FileMap): string {
  return world.git.writeTreeFromPaths([...files].map(([path, entry]) => ({ path, ...entry })))
}

/** The files under a tree (or commit), by full path, added to `into`. */
export function readTree(
  world: GitHubWorld,
  treeish: string,
  prefix = '',
  into: FileMap = new Map()
): FileMap {
  for (const entry of world.git.listTree(treeish, { recursive: true })) {
    into.set(`${prefix}${entry.path}`, {
      mode: entry.mode,
      type: entry.type === 'commit' ? 'commit' : 'blob',
      sha: entry.sha
    })
  }
  return into
}

export function commitFiles(world: GitHubWorld, commitSha: string): FileMap {
  return readTree(world, commitSha)
}

export function botEmail(world: GitHubWorld): string {
  return `${world.actor.id}+${world.actor.login}@users.noreply.github.com`
}

/** Who GitHub names as committer of the commits it makes itself (merges, web edits). */
export const GITHUB_COMMITTER = { name: 'GitHub', email: 'noreply@github.com' }

/**
 * `git commit-tree` with GitHub's defaults: the token's user as author, the author as committer.
 * A commit without a date gets the world's next commit date, so histories are reproducible.
 */
export function writeCommit(
  world: GitHubWorld,
  input: { message: string; tree: string; parents: string[]; author?: Signature; committer?: Signature }
): GitCommit {
  const date = input.author?.date ?? input.committer?.date ?? world.nextCommitDate()
  const author: Identity = {
    name: input.author?.name ?? world.actor.login,
    email: input.author?.email ?? botEmail(world),
    date
  }
  const committer: Identity = {
    name: input.committer?.name ?? author.name,
    email: input.committer?.email ?? author.email,
    date: input.committer?.date ?? date
  }
  const sha = world.git.commitTree({ ...input, author, committer })
  return readCommit(world, sha) as GitCommit
}

export function readCommit(world: GitHubWorld, sha: string): GitCommit | undefined {
  const object = world.git.readObject(sha)
  return object?.type === 'commit' ? parseCommit(world, sha, object.content) : undefined
}

/** Every object of one type in the repository, rendered: the `state.commits/trees/blobs` views. */
export function allObjects(world: GitHubWorld, type: 'commit'): { [sha: string]: GitCommit }
export function allObjects(world: GitHubWorld, type: 'tree'): { [sha: string]: GitTree }
export function allObjects(world: GitHubWorld, type: 'blob'): { [sha: string]: Blob }
export function allObjects(
  world: GitHubWorld,
  type: 'commit' | 'tree' | 'blob'
): { [sha: string]: GitCommit | GitTree | Blob } {
  const shas = world.git
    .listObjects()
    .filter((object) => object.type === type)
    .map((object) => object.sha)
  const view: { [sha: string]: GitCommit | GitTree | Blob } = {}
  if (type === 'tree') {
    for (const sha of shas) view[sha] = renderTree(world, sha)
    return view
  }
  for (const [sha, object] of world.git.readObjects(shas)) {
    view[sha] =
      type === 'commit' ? parseCommit(world, sha, object.content) : renderBlob(world, sha, object.content)
  }
  return view
}

function parseCommit(world: GitHubWorld, sha: string, content: Buffer): GitCommit {
  const text = content.toString('utf8')
  const headerEnd = text.indexOf('\n\n')
  const headers = (headerEnd < 0 ? text : text.slice(0, headerEnd)).split('\n')
  const message = headerEnd < 0 ? '' : text.slice(headerEnd + 2)
  let tree = ''
  const parents: string[] = []
  const people: { [field: string]: { name: string; email: string; date: string } } = {}
  for (const line of headers) {
    const space = line.indexOf(' ')
    const [field, value] = [line.slice(0, space), line.slice(space + 1)]
    if (field === 'tree') tree = value
    else if (field === 'parent') parents.push(value)
    else if (field === 'author' || field === 'committer') people[field] = parseIdentity(value)
  }
  const unknown = { name: '', email: '', date: new Date(0).toISOString() }
  return {
    sha,
    node_id: world.nodeId('C', sha),
    url: `${world.repoUrl}/git/commits/${sha}`,
    html_url: `${world.htmlUrl}/commit/${sha}`,
    author: people.author ?? unknown,
    committer: people.committer ?? unknown,
    message,
    tree: { sha: tree, url: `${world.repoUrl}/git/trees/${tree}` },
    parents: parents.map((parent) => ({
      sha: parent,
      url: `${world.repoUrl}/git/commits/${parent}`,
      html_url: `${world.htmlUrl}/commit/${parent}`
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
  }
}

/** `Name <email> 1705312800 +0100`; GitHub shows the instant in UTC. */
function parseIdentity(value: string): { name: string; email: string; date: string } {
  const match = /^(.*?) ?<([^>]*)> (\d+) [+-]\d{4}$/.exec(value)
  if (match === null) return { name: value, email: '', date: new Date(0).toISOString() }
  return {
    name: match[1] as string,
    email: match[2] as string,
    date: new Date(Number(match[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }
}

/** A branch, tag or full ref name, or a (possibly abbreviated) commit sha, to a full commit sha. */
export function resolveCommitish(world: GitHubWorld, ref: string): string | undefined {
  const refs = world.git.refs()
  const direct = refs.get(ref) ?? refs.get(`refs/heads/${ref}`) ?? refs.get(`refs/tags/${ref}`)
  if (direct !== undefined) return direct
  // A full sha the repository does not have still names a commit for statuses and check runs,
  // which GitHub keys by sha alone.
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase()
  if (/^[0-9a-f]{7,39}$/i.test(ref)) return world.git.resolveCommit(ref.toLowerCase())
  return undefined
}

export function isAncestor(world: GitHubWorld, ancestor: string, descendant: string): boolean {
  return world.git.isAncestor(ancestor, descendant)
}

/** How many commits are reachable from `head` but not from `base` (what a pull request contains). */
export function commitsBetween(world: GitHubWorld, base: string, head: string): number {
  return world.git.countCommits([base], head)
}

export function mergeBase(world: GitHubWorld, base: string, head: string): string | undefined {
  return world.git.mergeBase(base, head)
}

export function branchSha(world: GitHubWorld, branch: string): string | undefined {
  return world.git.refs().get(`refs/heads/${branch}`)
}

/**
 * Moves (or creates) a ref if it still points at `expected` (null: does not exist yet); false when
 * it had moved. Open pull requests from that branch follow their head, as on GitHub.
 */
export function moveRef(world: GitHubWorld, ref: string, sha: string, expected: string | null): boolean {
  if (!world.git.updateRef(ref, sha, expected)) return false
  const branch = ref.replace(/^refs\/heads\//, '')
  for (const pull of world.state.pullRequests) {
    if (pull.state !== 'open' || pull.head.ref !== branch || pull.head.sha === sha) continue
    pull.head.sha = sha
    pull.statuses_url = `${world.repoUrl}/statuses/${sha}`
    pull._links.statuses.href = pull.statuses_url
    pull.commits = commitsBetween(world, pull.base.sha, sha)
    pull.updated_at = world.now()
  }
  return true
}

/** Moves a ref wherever it points now (the seeding helpers' and a forced update's way). */
export function setRef(world: GitHubWorld, ref: string, sha: string): void {
  moveRef(world, ref, sha, world.git.refs().get(ref) ?? null)
}

/**
 * Commits a changed file map on top of a branch (or on `parent`) and moves the branch to the new
 * commit; 409 when the branch no longer points at that parent.
 */
export function commitToBranch(
  world: GitHubWorld,
  branch: string,
  files: FileMap,
  message: string,
  signatures: { author?: Signature; committer?: Signature; parent?: string } = {}
): GitCommit {
  const ref = `refs/heads/${branch}`
  const parent = signatures.parent ?? branchSha(world, branch)
  const commit = writeCommit(world, {
    message,
    tree: writeTree(world, files),
    parents: parent === undefined ? [] : [parent],
    ...(signatures.author === undefined ? {} : { author: signatures.author }),
    ...(signatures.committer === undefined ? {} : { committer: signatures.committer })
  })
  if (!moveRef(world, ref, commit.sha, parent ?? null)) {
    throw conflict(
      `${ref} is at ${branchSha(world, branch) ?? 'nothing'} but expected ${parent ?? 'nothing'}`
    )
  }
  return commit
}
