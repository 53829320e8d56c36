import { createHash } from 'node:crypto'
import type { GitCommit } from './state.js'
import type { GitHubWorld } from './world.js'

/**
 * The repository's git objects. Shas are real git object ids (sha1 of the canonical object), so a
 * blob's sha matches what `git hash-object` prints and identical content deduplicates as in git.
 * Trees are stored one object per directory; FileMap is the flattened view (path to blob entry)
 * that edits work on before the trees are written back.
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

function hashObject(kind: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${kind} ${body.length}\0`), body]))
    .digest('hex')
}

export function writeBlob(world: GitHubWorld, content: Buffer): string {
  const sha = hashObject('blob', content)
  world.state.blobs[sha] ??= {
    sha,
    node_id: world.nodeId('B', sha),
    size: content.length,
    url: `${world.repoUrl}/git/blobs/${sha}`,
    content: wrapBase64(content.toString('base64')),
    encoding: 'base64'
  }
  return sha
}

export function readBlob(world: GitHubWorld, sha: string): Buffer | undefined {
  const blob = world.state.blobs[sha]
  return blob === undefined ? undefined : Buffer.from(blob.content.replace(/\n/g, ''), 'base64')
}

/** GitHub's blob and contents answers wrap base64 at 60 characters, each line ending in a newline. */
export function wrapBase64(base64: string): string {
  return base64 === '' ? '' : `${base64.match(/.{1,60}/g)?.join('\n') ?? ''}\n`
}

interface TreeNode {
  files: Map<string, FileEntry>
  directories: Map<string, TreeNode>
}

/** Writes the directory trees for a flat file map and returns the root tree's sha. */
export function writeTree(world: GitHubWorld, files: FileMap): string {
  const root: TreeNode = { files: new Map(), directories: new Map() }
  for (const [path, entry] of files) {
    const segments = path.split('/')
    const name = segments.pop() as string
    let node = root
    for (const segment of segments) {
      let child = node.directories.get(segment)
      if (child === undefined) {
        child = { files: new Map(), directories: new Map() }
        node.directories.set(segment, child)
      }
      node = child
    }
    node.files.set(name, entry)
  }
  return writeTreeNode(world, root)
}

function writeTreeNode(world: GitHubWorld, node: TreeNode): string {
  const entries: Array<{ name: string; mode: string; type: 'blob' | 'tree' | 'commit'; sha: string }> = []
  for (const [name, child] of node.directories)
    entries.push({ name, mode: '040000', type: 'tree', sha: writeTreeNode(world, child) })
  for (const [name, file] of node.files) entries.push({ name, ...file })
  // git orders entries by name, comparing a directory's name as if it ended in '/'.
  const sortKey = (entry: { name: string; type: string }): string =>
    entry.type === 'tree' ? `${entry.name}/` : entry.name
  entries.sort((left, right) => Buffer.compare(Buffer.from(sortKey(left)), Buffer.from(sortKey(right))))
  const body = Buffer.concat(
    entries.map((entry) =>
      Buffer.concat([
        Buffer.from(`${entry.mode.replace(/^0+/, '')} ${entry.name}\0`),
        Buffer.from(entry.sha, 'hex')
      ])
    )
  )
  const sha = hashObject('tree', body)
  world.state.trees[sha] ??= {
    sha,
    url: `${world.repoUrl}/git/trees/${sha}`,
    truncated: false,
    tree: entries.map((entry) => ({
      path: entry.name,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.type === 'blob' ? { size: world.state.blobs[entry.sha]?.size ?? 0 } : {}),
      ...(entry.type === 'commit' ? {} : { url: `${world.repoUrl}/git/${entry.type}s/${entry.sha}` })
    }))
  }
  return sha
}

/** The files under a tree, by full path. */
export function readTree(
  world: GitHubWorld,
  treeSha: string,
  prefix = '',
  into: FileMap = new Map()
): FileMap {
  for (const entry of world.state.trees[treeSha]?.tree ?? []) {
    const path = `${prefix}${entry.path}`
    if (entry.type === 'tree') readTree(world, entry.sha, `${path}/`, into)
    else
      into.set(path, { mode: entry.mode, type: entry.type === 'commit' ? 'commit' : 'blob', sha: entry.sha })
  }
  return into
}

export function commitFiles(world: GitHubWorld, commitSha: string): FileMap {
  const commit = world.state.commits[commitSha]
  return commit === undefined ? new Map() : readTree(world, commit.tree.sha)
}

export function writeCommit(
  world: GitHubWorld,
  input: { message: string; tree: string; parents: string[]; author?: Signature; committer?: Signature }
): GitCommit {
  const now = world.now()
  const author = {
    name: input.author?.name ?? world.actor.login,
    email: input.author?.email ?? botEmail(world),
    date: input.author?.date ?? now
  }
  const committer = {
    name: input.committer?.name ?? author.name,
    email: input.committer?.email ?? author.email,
    date: input.committer?.date ?? input.author?.date ?? now
  }
  const line = (signature: typeof author): string =>
    `${signature.name} <${signature.email}> ${Math.floor(Date.parse(signature.date) / 1000)} +0000`
  const body = [
    `tree ${input.tree}`,
    ...input.parents.map((parent) => `parent ${parent}`),
    `author ${line(author)}`,
    `committer ${line(committer)}`,
    '',
    input.message
  ].join('\n')
  const sha = hashObject('commit', Buffer.from(body))
  const commit: GitCommit = {
    sha,
    node_id: world.nodeId('C', sha),
    url: `${world.repoUrl}/git/commits/${sha}`,
    html_url: `${world.htmlUrl}/commit/${sha}`,
    author,
    committer,
    message: input.message,
    tree: { sha: input.tree, url: `${world.repoUrl}/git/trees/${input.tree}` },
    parents: input.parents.map((parent) => ({
      sha: parent,
      url: `${world.repoUrl}/git/commits/${parent}`,
      html_url: `${world.htmlUrl}/commit/${parent}`
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
  }
  world.state.commits[sha] ??= commit
  return world.state.commits[sha]
}

function botEmail(world: GitHubWorld): string {
  return `${world.actor.id}+${world.actor.login}@users.noreply.github.com`
}

/** A branch, tag or full ref name, or a (possibly abbreviated) commit sha, to a full sha. */
export function resolveCommitish(world: GitHubWorld, ref: string): string | undefined {
  const refs = world.state.refs
  const direct = refs[ref] ?? refs[`refs/heads/${ref}`] ?? refs[`refs/tags/${ref}`] ?? refs[`refs/${ref}`]
  if (direct !== undefined) return direct
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase()
  if (/^[0-9a-f]{7,39}$/i.test(ref)) {
    const matches = Object.keys(world.state.commits).filter((sha) => sha.startsWith(ref.toLowerCase()))
    return matches.length === 1 ? matches[0] : undefined
  }
  return undefined
}

function ancestors(world: GitHubWorld, sha: string): Set<string> {
  const seen = new Set<string>()
  const pending = [sha]
  while (pending.length > 0) {
    const current = pending.pop() as string
    if (seen.has(current)) continue
    seen.add(current)
    for (const parent of world.state.commits[current]?.parents ?? []) pending.push(parent.sha)
  }
  return seen
}

export function isAncestor(world: GitHubWorld, ancestor: string, descendant: string): boolean {
  return ancestors(world, descendant).has(ancestor)
}

/** Commits reachable from `head` but not from `base` (what a pull request would contain). */
export function commitsBetween(world: GitHubWorld, base: string, head: string): number {
  const fromBase = ancestors(world, base)
  return [...ancestors(world, head)].filter((sha) => !fromBase.has(sha)).length
}

/** The nearest common ancestor, by breadth-first search from `head`. */
export function mergeBase(world: GitHubWorld, base: string, head: string): string | undefined {
  const fromBase = ancestors(world, base)
  const queue = [head]
  const seen = new Set<string>()
  while (queue.length > 0) {
    const current = queue.shift() as string
    if (fromBase.has(current)) return current
    if (seen.has(current)) continue
    seen.add(current)
    for (const parent of world.state.commits[current]?.parents ?? []) queue.push(parent.sha)
  }
  return undefined
}

/** Three-way merge of file maps; undefined when both sides changed one path differently. */
export function mergeFiles(base: FileMap, ours: FileMap, theirs: FileMap): FileMap | undefined {
  const merged: FileMap = new Map()
  const paths = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])
  const same = (left?: FileEntry, right?: FileEntry): boolean =>
    left?.sha === right?.sha && left?.mode === right?.mode
  for (const path of paths) {
    const [original, mine, other] = [base.get(path), ours.get(path), theirs.get(path)]
    let result: FileEntry | undefined
    if (same(mine, other) || same(original, other)) result = mine
    else if (same(original, mine)) result = other
    else return undefined
    if (result !== undefined) merged.set(path, result)
  }
  return merged
}

/** Moves a ref; open pull requests from that branch follow their head, as on GitHub. */
export function setRef(world: GitHubWorld, ref: string, sha: string): void {
  world.state.refs[ref] = sha
  const branch = ref.replace(/^refs\/heads\//, '')
  for (const pull of world.state.pullRequests) {
    if (pull.state !== 'open' || pull.head.ref !== branch || pull.head.sha === sha) continue
    pull.head.sha = sha
    pull.commits = commitsBetween(world, pull.base.sha, sha)
    pull.updated_at = world.now()
  }
}

/** Commits a changed file map on top of a branch and moves the branch to the new commit. */
export function commitToBranch(
  world: GitHubWorld,
  branch: string,
  files: FileMap,
  message: string,
  signatures: { author?: Signature; committer?: Signature } = {}
): GitCommit {
  const parent = world.state.refs[`refs/heads/${branch}`]
  const commit = writeCommit(world, {
    message,
    tree: writeTree(world, files),
    parents: parent === undefined ? [] : [parent],
    ...signatures
  })
  setRef(world, `refs/heads/${branch}`, commit.sha)
  return commit
}
