import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A bare git repository in a temporary folder, driven through git's plumbing commands. Every call
 * is synchronous: the emulator's endpoints and seeding helpers are, and one request is served at
 * a time, so a blocking `git` keeps each request atomic without locks. Knows nothing of GitHub.
 *
 * git runs without the system and global configuration (no signing, hooks or aliases from the
 * machine) and without inherited GIT_* variables (a test run from inside a git hook would
 * otherwise point it at another repository).
 */
export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag'

export interface TreeEntry {
  mode: string
  type: 'blob' | 'tree' | 'commit'
  sha: string
  /** Full path below the listed tree (`a/b.txt`), or the entry's name for a non-recursive listing. */
  path: string
  /** Blobs only. */
  size?: number
}

export interface Identity {
  name: string
  email: string
  /** ISO 8601. */
  date: string
}

export interface StoredObject {
  type: ObjectType
  content: Buffer
}

const ZERO_SHA = '0'.repeat(40)
const MAX_OUTPUT = 256 * 1024 * 1024

/** Repositories not yet removed: a process that exits without closing its emulators leaves no folders. */
const open = new Set<GitRepository>()
let exitHookInstalled = false

function removeAllOpen(): void {
  for (const repository of open) repository.remove()
}

export class GitFailure extends Error {
  constructor(
    readonly args: string[],
    readonly status: number | null,
    readonly stderr: string
  ) {
    super(`git ${args.join(' ')} failed (${String(status)}): ${stderr.trim()}`)
  }
}

export class GitRepository {
  private readonly env: NodeJS.ProcessEnv
  private indexCounter = 0

  private constructor(readonly dir: string) {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_'))
    )
    this.env = { ...inherited, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' }
  }

  /** A new, empty bare repository whose HEAD names `defaultBranch`. */
  static create(defaultBranch: string): GitRepository {
    const dir = mkdtempSync(join(tmpdir(), 'github-emulator-')) + '/repo.git'
    const repository = new GitRepository(dir)
    execFileSync('git', ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, dir], {
      env: repository.env
    })
    if (!exitHookInstalled) process.once('exit', removeAllOpen)
    exitHookInstalled = true
    open.add(repository)
    return repository
  }

  /** Removes the repository and the temporary folder holding it. */
  remove(): void {
    open.delete(this)
    rmSync(join(this.dir, '..'), { recursive: true, force: true })
  }

  writeBlob(content: Buffer): string {
    return this.text(['hash-object', '-w', '--stdin'], content)
  }

  /** The object's type, or undefined when the repository has no object with that full sha. */
  objectType(sha: string): ObjectType | undefined {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined
    const result = this.run(['cat-file', '-t', sha], undefined, [0, 1, 128])
    return result.status === 0 ? (result.stdout.toString().trim() as ObjectType) : undefined
  }

  readObject(sha: string): StoredObject | undefined {
    return this.readObjects([sha]).get(sha)
  }

  /** Several objects in one `git cat-file --batch`; missing ones are left out. */
  readObjects(shas: string[]): Map<string, StoredObject> {
    const found = new Map<string, StoredObject>()
    if (shas.length === 0) return found
    const output = this.run(['cat-file', '--batch'], Buffer.from(`${shas.join('\n')}\n`)).stdout
    let offset = 0
    while (offset < output.length) {
      const lineEnd = output.indexOf(10, offset)
      const header = output.subarray(offset, lineEnd).toString()
      offset = lineEnd + 1
      const [sha, type, size] = header.split(' ')
      if (type === 'missing' || sha === undefined || size === undefined) continue
      const length = Number(size)
      found.set(sha, { type: type as ObjectType, content: output.subarray(offset, offset + length) })
      offset += length + 1
    }
    return found
  }

  /** Every object in the repository (reachable or not), with its type. */
  listObjects(): Array<{ sha: string; type: ObjectType }> {
    const output = this.text(['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'])
    return output === ''
      ? []
      : output.split('\n').map((line) => {
          const [sha, type] = line.split(' ')
          return { sha: sha as string, type: type as ObjectType }
        })
  }

  /**
   * A whole tree from full paths, written through a throwaway index (`update-index --index-info`,
   * then `write-tree`, which refuses entries whose objects are missing).
   */
  writeTreeFromPaths(entries: Array<Omit<TreeEntry, 'size'>>): string {
    const index = join(this.dir, `emulator-index-${++this.indexCounter}`)
    try {
      const input = entries.map((entry) => `${entry.mode} ${entry.sha}\t${entry.path}\0`).join('')
      this.run(['update-index', '--add', '-z', '--index-info'], Buffer.from(input), [0], {
        GIT_INDEX_FILE: index
      })
      return this.run(['write-tree'], undefined, [0], { GIT_INDEX_FILE: index }).stdout.toString().trim()
    } finally {
      rmSync(index, { force: true })
    }
  }

  /** A tree's entries; `recursive` lists every blob and gitlink below it by full path. */
  listTree(treeish: string, options: { recursive?: boolean } = {}): TreeEntry[] {
    const args = ['ls-tree', '-z', '--long', ...(options.recursive === true ? ['-r'] : []), treeish]
    return parseTreeListing(this.text(args))
  }

  /** The entry at `path` (slash-separated, from the root) in a commit or tree; the root tree for ''. */
  lookupPath(treeish: string, path: string): TreeEntry | undefined {
    if (path === '') {
      const root = this.run(['rev-parse', '--verify', '--quiet', `${treeish}^{tree}`], undefined, [0, 1, 128])
      return root.status === 0
        ? { mode: '040000', type: 'tree', sha: root.stdout.toString().trim(), path }
        : undefined
    }
    const result = this.run(['ls-tree', '-z', '--long', treeish, '--', path], undefined, [0, 128], {
      GIT_LITERAL_PATHSPECS: '1'
    })
    if (result.status !== 0) return undefined
    return parseTreeListing(result.stdout.toString()).find((entry) => entry.path === path)
  }

  commitTree(input: {
    tree: string
    parents: string[]
    message: string
    author: Identity
    committer: Identity
  }): string {
    const args = ['commit-tree', input.tree, ...input.parents.flatMap((parent) => ['-p', parent])]
    return this.run(args, Buffer.from(input.message), [0], {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: input.author.date,
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
      GIT_COMMITTER_DATE: input.committer.date
    })
      .stdout.toString()
      .trim()
  }

  /**
   * Compare-and-swap: moves `ref` to `sha` only if it still points at `expected` (null: only if it
   * does not exist yet). False when the ref had moved.
   */
  updateRef(ref: string, sha: string, expected: string | null): boolean {
    const result = this.run(['update-ref', ref, sha, expected ?? ZERO_SHA], undefined, [0, 128])
    return result.status === 0
  }

  deleteRef(ref: string, expected: string): boolean {
    return this.run(['update-ref', '-d', ref, expected], undefined, [0, 128]).status === 0
  }

  /** Every ref by full name. */
  refs(): Map<string, string> {
    const output = this.text(['for-each-ref', '--format=%(objectname) %(refname)'])
    const refs = new Map<string, string>()
    for (const line of output.split('\n')) {
      if (line === '') continue
      const space = line.indexOf(' ')
      refs.set(line.slice(space + 1), line.slice(0, space))
    }
    return refs
  }

  /** A ref name, branch, tag or (abbreviated) sha to the commit it names, as `git rev-parse` reads it. */
  resolveCommit(name: string): string | undefined {
    if (name === '' || name.startsWith('-') || /[\s\0]/.test(name)) return undefined
    const result = this.run(['rev-parse', '--verify', '--quiet', `${name}^{commit}`], undefined, [0, 1, 128])
    return result.status === 0 ? result.stdout.toString().trim() : undefined
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    return this.run(['merge-base', '--is-ancestor', ancestor, descendant], undefined, [0, 1]).status === 0
  }

  mergeBase(left: string, right: string): string | undefined {
    const result = this.run(['merge-base', left, right], undefined, [0, 1])
    return result.status === 0 ? result.stdout.toString().trim() : undefined
  }

  /** Commits reachable from `head` and not from any of `exclude`, oldest first (`git rev-list --reverse`). */
  commitsBetween(exclude: string[], head: string): string[] {
    const output = this.text([
      'rev-list',
      '--reverse',
      '--topo-order',
      head,
      ...exclude.map((sha) => `^${sha}`)
    ])
    return output === '' ? [] : output.split('\n')
  }

  countCommits(exclude: string[], head: string): number {
    return Number(this.text(['rev-list', '--count', head, ...exclude.map((sha) => `^${sha}`)]))
  }

  /**
   * `git merge-tree --write-tree`: the tree of merging two commits (git's own three-way merge from
   * their merge base), or the conflicted paths. Unrelated histories are a conflict too.
   */
  mergeTrees(ours: string, theirs: string): { tree: string } | { conflicts: string[] } {
    const result = this.run(
      ['merge-tree', '--write-tree', '--name-only', '-z', ours, theirs],
      undefined,
      [0, 1, 128]
    )
    if (result.status === 128) return { conflicts: [] }
    const [tree, ...rest] = result.stdout.toString().split('\0')
    if (result.status === 0) return { tree: (tree as string).trim() }
    const conflicts: string[] = []
    for (const path of rest) {
      if (path === '') break
      conflicts.push(path)
    }
    return { conflicts }
  }

  /**
   * A path-level three-way merge from an explicit base (`read-tree -m` into a throwaway index, then
   * `write-tree`): each path takes the side that changed it; undefined when both changed one path
   * differently. What replaying a commit onto another needs (git 2.39's merge-tree cannot take a
   * merge base).
   */
  threeWayTree(base: string, ours: string, theirs: string): string | undefined {
    const index = join(this.dir, `emulator-index-${++this.indexCounter}`)
    try {
      const env = { GIT_INDEX_FILE: index }
      this.run(['read-tree', '-m', '-i', '--aggressive', base, ours, theirs], undefined, [0], env)
      const written = this.run(['write-tree'], undefined, [0, 128], env)
      return written.status === 0 ? written.stdout.toString().trim() : undefined
    } finally {
      rmSync(index, { force: true })
    }
  }

  /** Paths that differ between two commits or trees (`git diff-tree -r`), with git's status letter and line counts. */
  diff(
    from: string,
    to: string
  ): Array<{ path: string; status: string; additions: number; deletions: number; sha: string | null }> {
    const raw = this.text(['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to]).split('\0')
    const changes = new Map<string, { status: string; sha: string | null }>()
    for (let index = 0; index + 1 < raw.length; index += 2) {
      const meta = raw[index] as string
      if (!meta.startsWith(':')) break
      const [, , oldSha, newSha, status] = meta.slice(1).split(' ')
      // A removed path keeps the sha of the blob it removed, as GitHub's diff entries do.
      const sha = newSha === ZERO_SHA ? oldSha : newSha
      changes.set(raw[index + 1] as string, {
        status: (status as string).charAt(0),
        sha: sha === undefined || sha === ZERO_SHA ? null : sha
      })
    }
    const counts = new Map<string, { additions: number; deletions: number }>()
    for (const record of this.text(['diff-tree', '-r', '-z', '--no-renames', '--numstat', from, to]).split(
      '\0'
    )) {
      const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record)
      if (match === null) continue
      counts.set(match[3] as string, {
        additions: match[1] === '-' ? 0 : Number(match[1]),
        deletions: match[2] === '-' ? 0 : Number(match[2])
      })
    }
    return [...changes].map(([path, change]) => ({
      path,
      ...change,
      ...(counts.get(path) ?? { additions: 0, deletions: 0 })
    }))
  }

  private text(args: string[], input?: Buffer): string {
    return this.run(args, input).stdout.toString().replace(/\n$/, '')
  }

  private run(
    args: string[],
    input?: Buffer,
    acceptedStatuses: number[] = [0],
    extraEnv: NodeJS.ProcessEnv = {}
  ): { status: number; stdout: Buffer } {
    const result = spawnSync('git', ['--git-dir', this.dir, ...args], {
      input,
      env: { ...this.env, ...extraEnv },
      maxBuffer: MAX_OUTPUT
    })
    if (result.error !== undefined) throw result.error
    const status = result.status ?? -1
    if (!acceptedStatuses.includes(status))
      throw new GitFailure(args, result.status, result.stderr.toString())
    return { status, stdout: result.stdout }
  }
}

/** `git ls-tree -z --long` output: `<mode> SP <type> SP <sha> SP+ <size> TAB <path> NUL`. */
function parseTreeListing(output: string): TreeEntry[] {
  return output
    .split('\0')
    .filter((record) => record !== '')
    .map((record) => {
      const tab = record.indexOf('\t')
      const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/)
      return {
        mode: mode as string,
        type: type as TreeEntry['type'],
        sha: sha as string,
        path: record.slice(tab + 1),
        ...(type === 'blob' ? { size: Number(size) } : {})
      }
    })
}
