import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { globMatches, type ScannedFile } from '../environment-checks/secret-scan.js'

/**
 * The text files that paths in the config name in the workspace: a file, a folder (every file
 * under it), or a glob (`k8s/**\/*.yaml`: `**` crosses folders, `*` and `?` do not). Paths come
 * back relative to the workspace with `/`, as the config writes them. Binary files (a NUL in
 * the first 8 KiB), files over 1 MiB, and `.git` and `node_modules` folders are skipped.
 */
export interface WorkspaceFiles {
  files: ScannedFile[]
  /** Entries that named nothing. */
  unmatched: string[]
  skipped: { path: string; why: string }[]
}

const MAX_BYTES = 1 << 20
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules'])

export function readWorkspaceFiles(entries: readonly string[], workspace: string): WorkspaceFiles {
  const result: WorkspaceFiles = { files: [], unmatched: [], skipped: [] }
  const seen = new Set<string>()
  const add = (full: string) => {
    const path = relative(workspace, full).split(sep).join('/')
    if (seen.has(path)) return
    seen.add(path)
    const size = statSync(full).size
    if (size > MAX_BYTES) {
      result.skipped.push({ path, why: `larger than ${MAX_BYTES} bytes` })
      return
    }
    const bytes = readFileSync(full)
    if (bytes.subarray(0, 8192).includes(0)) {
      result.skipped.push({ path, why: 'binary' })
      return
    }
    result.files.push({ path, text: bytes.toString('utf8') })
  }
  for (const raw of entries) {
    const entry = raw.replace(/^\.\//, '').replace(/\/+$/, '')
    const before = seen.size
    if (/[*?]/.test(entry)) {
      const segments = entry.split('/')
      const firstGlob = segments.findIndex((s) => /[*?]/.test(s))
      const root = join(workspace, ...segments.slice(0, firstGlob))
      for (const full of walk(root))
        if (globMatches(entry, relative(workspace, full).split(sep).join('/'))) add(full)
    } else {
      const full = join(workspace, entry)
      if (existsSync(full)) {
        if (statSync(full).isDirectory()) for (const file of walk(full)) add(file)
        else add(full)
      }
    }
    if (seen.size === before && !result.files.some((f) => globMatches(entry, f.path)))
      result.unmatched.push(raw)
  }
  result.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return result
}

function* walk(folder: string): Generator<string> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  )
  for (const entry of entries) {
    const full = join(folder, entry.name)
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) yield* walk(full)
    } else if (entry.isFile()) yield full
  }
}
