/**
 * Writes simulator/github/openapi/api.github.com.subset.json: the operations the GitHub emulator
 * serves (simulator/github/operations.ts), copied from GitHub's published OpenAPI description with
 * every component they reach.
 *
 * The description ships in the npm package @octokit/openapi, which is 385 MB installed (every GHES
 * version), so it is not a dependency: this script `npm pack`s the pinned version into a temporary
 * folder and reads only generated/api.github.com.json from the tarball.
 *
 *   npx tsx scripts/extract-github-openapi.ts                       # pinned version
 *   npx tsx scripts/extract-github-openapi.ts --version 23.0.2      # another version
 *   npx tsx scripts/extract-github-openapi.ts --source ./api.github.com.json   # no download
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { EMULATED_OPERATIONS, ERROR_SCHEMAS } from '../simulator/github/operations.js'

/** The description that @octokit/openapi-types 29.0.1 (used by @actions/github 9) was generated from. */
const PINNED_VERSION = '23.0.1'
const PACKAGE = '@octokit/openapi'
const FILE_IN_PACKAGE = 'generated/api.github.com.json'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outputFile = join(root, 'simulator/github/openapi/api.github.com.subset.json')

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

function parseArguments(argv: string[]): { version: string; source?: string } {
  const options: { version: string; source?: string } = { version: PINNED_VERSION }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const value = argv[index + 1]
    if ((flag === '--version' || flag === '--source') && value !== undefined) {
      options[flag === '--version' ? 'version' : 'source'] = value
      index++
    } else {
      throw new Error(`Unknown argument '${flag}'. Expected --version <semver> or --source <file>.`)
    }
  }
  return options
}

/** Downloads the package tarball with npm (no install) and extracts the one description file. */
function readDescriptionFromRegistry(version: string): JsonObject {
  const folder = mkdtempSync(join(tmpdir(), 'octokit-openapi-'))
  try {
    execFileSync('npm', ['pack', `${PACKAGE}@${version}`, '--silent', '--pack-destination', folder], {
      stdio: ['ignore', 'ignore', 'inherit']
    })
    const tarball = readdirSync(folder).find((name) => name.endsWith('.tgz'))
    if (tarball === undefined) throw new Error(`npm pack ${PACKAGE}@${version} produced no tarball`)
    execFileSync('tar', ['-xzf', join(folder, tarball), '-C', folder, `package/${FILE_IN_PACKAGE}`])
    return JSON.parse(readFileSync(join(folder, 'package', FILE_IN_PACKAGE), 'utf8')) as JsonObject
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function collectRefs(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into)
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value)
      else collectRefs(value, into)
    }
  }
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** Copies the listed operations and, transitively, every `#/components/...` they reference. */
export function extractSubset(description: JsonObject, operationIds: readonly string[]): JsonObject {
  const paths: JsonObject = {}
  const found = new Set<string>()
  const refs = new Set<string>(ERROR_SCHEMAS.map((name) => `#/components/schemas/${name}`))
  for (const [path, item] of Object.entries(description.paths as JsonObject)) {
    if (!isObject(item)) continue
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method) || !isObject(operation)) continue
      const operationId = operation.operationId
      if (typeof operationId !== 'string' || !operationIds.includes(operationId)) continue
      found.add(operationId)
      const subsetItem = (paths[path] ??= {}) as JsonObject
      subsetItem[method] = operation
      if (item.parameters !== undefined) subsetItem.parameters = item.parameters
      collectRefs(subsetItem, refs)
    }
  }
  const missing = operationIds.filter((id) => !found.has(id))
  if (missing.length > 0) throw new Error(`Operations not in the description: ${missing.join(', ')}`)

  const components: { [kind: string]: JsonObject } = {}
  const pending = [...refs]
  const seen = new Set<string>()
  while (pending.length > 0) {
    const ref = pending.pop() as string
    if (seen.has(ref)) continue
    seen.add(ref)
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref)
    if (match === null) throw new Error(`Unsupported $ref '${ref}': expected #/components/<kind>/<name>`)
    const kind = unescapePointer(match[1] as string)
    const name = unescapePointer(match[2] as string)
    const target = (description.components as { [kind: string]: JsonObject })[kind]?.[name]
    if (target === undefined) throw new Error(`Dangling $ref '${ref}'`)
    ;(components[kind] ??= {})[name] = target
    const inner = new Set<string>()
    collectRefs(target, inner)
    pending.push(...inner)
  }

  const info = description.info as JsonObject
  return {
    'x-subset': {
      source: `${PACKAGE}@${String(info.version)}`,
      file: FILE_IN_PACKAGE,
      generatedBy: 'scripts/extract-github-openapi.ts',
      operations: [...operationIds].sort(),
      extraComponents: ERROR_SCHEMAS.map((name) => `#/components/schemas/${name}`)
    },
    openapi: description.openapi as Json,
    info: description.info as Json,
    paths: sortKeys(paths),
    components: sortKeys(components as JsonObject)
  }
}

/** Sorted keys at every level, so a rerun on the same source gives byte-identical output. */
function sortKeys(node: Json): Json {
  if (Array.isArray(node)) return node.map(sortKeys)
  if (!isObject(node)) return node
  const sorted: JsonObject = {}
  for (const key of Object.keys(node).sort()) sorted[key] = sortKeys(node[key] as Json)
  return sorted
}

async function main(): Promise<void> {
  const { version, source } = parseArguments(process.argv.slice(2))
  const description =
    source === undefined
      ? readDescriptionFromRegistry(version)
      : (JSON.parse(readFileSync(source, 'utf8')) as JsonObject)
  const subset = extractSubset(description, EMULATED_OPERATIONS)
  // Formatted as the repository's prettier config would, so `prettier --check` passes on it.
  const { format } = await import('prettier')
  const text = await format(JSON.stringify(subset), { parser: 'json', printWidth: 110 })
  mkdirSync(dirname(outputFile), { recursive: true })
  writeFileSync(outputFile, text)
  const componentCount = Object.values(subset.components as JsonObject)
    .map((group) => Object.keys(group as JsonObject).length)
    .reduce((total, count) => total + count, 0)
  console.log(
    `Wrote ${relative(root, outputFile)} from ${(subset['x-subset'] as JsonObject).source}: ` +
      `${EMULATED_OPERATIONS.length} operations, ${componentCount} components, ${text.length} bytes`
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
