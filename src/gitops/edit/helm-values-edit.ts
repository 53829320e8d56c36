import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml'
import { ConfigurationError, OperationalError } from '../../runtime/errors.js'
import type { FieldChange, ImageTarget, ManifestEdit } from './edit-result.js'
import type { HelmValuePaths } from '../../config/manifest-edit-spec.js'
import { blockPairLines, map, scalar, type NewContent } from './new-content.js'
import { addPair, fillEmptyValue, setScalar, setValue, type EditSite } from './node-edits.js'
import { checkReadsBack, type DataChange } from './read-back-check.js'
import { applyEdits, insertLines, lineBreakNear, lineNumber, type TextEdit } from './text-edits.js'
import { formatValuePath, valuePathSegments } from '../../config/value-path.js'
import {
  aliasUsers,
  fileLayout,
  findPair,
  INVALID_MANIFEST,
  isEmptyDocument,
  parseDocuments,
  refuseShared,
  scalarString,
  type ParsedDocument
} from './yaml-source.js'

export const VALUE_NOT_FOUND = 'Value not found in manifest'

/** One value to write: `clear` empties an existing digest (a tag-only image) and adds nothing. */
interface Assignment {
  path: string
  value: string
  clear: boolean
}

/**
 * Writes `image` into a Helm values file at `paths`. `reference` gets `repository[:tag][@digest]`.
 * With separate paths a digest-only image leaves the tag as it is and a tag-only image empties an
 * existing digest (charts use a digest over a tag when one is set). A missing key is created
 * under `createMissing` (block style, the file's indent); a missing list item never is.
 */
export function editHelmValues(
  original: string,
  path: string,
  paths: HelmValuePaths,
  image: ImageTarget,
  createMissing: boolean
): ManifestEdit {
  const assignments = assignmentsFor(path, paths, image)
  const changes: FieldChange[] = []
  const data: DataChange[] = []
  const previous = describePrevious(paths, (valuePath) => readValue(original, path, valuePath))
  let text = original
  for (const assignment of assignments) {
    const result = assign(text, path, assignment, createMissing)
    if (!result.edits) continue
    text = applyEdits(text, result.edits)
    changes.push({
      field: assignment.path,
      ...(result.from !== undefined ? { from: result.from } : {}),
      to: assignment.value
    })
    data.push({ document: 0, at: valuePathSegments(assignment.path), value: assignment.value })
  }
  if (changes.length === 0) return { content: original, changed: false, previous, changes }
  checkReadsBack(path, original, text, data)
  return { content: text, changed: true, previous, changes }
}

function assignmentsFor(path: string, paths: HelmValuePaths, image: ImageTarget): Assignment[] {
  const where = `manifest ${path}: paths`
  if (paths.reference !== undefined) {
    const reference = `${image.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${image.digest !== undefined ? `@${image.digest}` : ''}`
    return [{ path: paths.reference, value: reference, clear: false }]
  }
  if (image.digest !== undefined && image.tag === undefined && paths.digest === undefined)
    throw new ConfigurationError([
      {
        path: where,
        value: paths,
        expected: 'a digest or reference path, since the image is pinned by digest only'
      }
    ])
  if (image.digest === undefined && paths.tag === undefined && paths.digest !== undefined)
    throw new ConfigurationError([
      { path: where, value: paths, expected: 'a tag or reference path, since the image has no digest' }
    ])
  const list: Assignment[] = []
  if (paths.repository !== undefined)
    list.push({ path: paths.repository, value: image.repository, clear: false })
  if (paths.tag !== undefined && (image.tag !== undefined || image.digest === undefined))
    list.push({ path: paths.tag, value: image.tag ?? 'latest', clear: false })
  if (paths.digest !== undefined)
    list.push({ path: paths.digest, value: image.digest ?? '', clear: image.digest === undefined })
  return list
}

interface Assigned {
  from: string | undefined
  edits: TextEdit[] | undefined
}

function assign(text: string, path: string, assignment: Assignment, createMissing: boolean): Assigned {
  const docs = parseDocuments(text, path)
  const content = docs.filter((doc) => !isEmptyDocument(doc))
  if (content.length > 1)
    throw new OperationalError(`${path} holds ${content.length} YAML documents; a values file has one`, {
      title: INVALID_MANIFEST
    })
  const doc = content[0] ?? docs[0]
  const segments = valuePathSegments(assignment.path)
  const users = doc ? aliasUsers(doc) : new Map()
  const site: EditSite = {
    text,
    path,
    field: assignment.path,
    layout: doc
      ? fileLayout(text, doc)
      : { indent: 2, sequenceIndent: 2, itemOffset: 2, quote: 'QUOTE_DOUBLE', flowPadding: false }
  }
  const found = walk(text, path, doc, segments)

  if (found.kind === 'found') {
    const from = scalarString(found.value)
    if (isScalar(found.value) && found.value.value === assignment.value) return { from, edits: undefined }
    if (assignment.clear && (from === undefined || from === '')) return { from, edits: undefined }
    refuseShared(text, path, assignment.path, found.chain, users)
    const edit =
      found.pair && found.parent
        ? setValue(site, found.parent, found.pair, assignment.value)
        : setScalar(site, found.flow ? 'flow' : 'block', found.node as Node, assignment.value)
    return { from, edits: [edit] }
  }

  if (assignment.clear) return { from: undefined, edits: undefined }
  const missing = formatValuePath(segments.slice(0, found.depth + 1))
  if (!createMissing)
    throw new OperationalError(
      `${path} has no ${missing}${found.depth + 1 < segments.length ? ` (needed for ${assignment.path})` : ''}; ` +
        'add it or set create-missing: true',
      { title: VALUE_NOT_FOUND }
    )
  const rest = segments.slice(found.depth)
  if (rest.some((segment) => typeof segment === 'number'))
    throw new OperationalError(
      `${path} has no ${missing}; create-missing adds mapping keys, not list items`,
      { title: VALUE_NOT_FOUND }
    )
  const [key, ...deeper] = rest as string[]
  const value = deeper.reduceRight<NewContent>((inner, k) => map([[k, inner]]), scalar(assignment.value))
  refuseShared(text, path, assignment.path, found.chain, users)
  if (found.kind === 'missing-key') return { from: undefined, edits: addPair(site, found.map, key!, value) }
  if (found.kind === 'empty-value')
    return { from: undefined, edits: fillEmptyValue(site, found.parent, found.pair, map([[key!, value]])) }
  // An empty file: the first key starts the document.
  const lines = blockPairLines(key!, value, 0, site.layout)
  return { from: undefined, edits: [insertLines(text, text.length, lines, lineBreakNear(text, text.length))] }
}

type Walked =
  /** `node` is what the file has at the path (maybe an alias), `value` what it reads as. */
  | {
      kind: 'found'
      node: unknown
      value: unknown
      chain: unknown[]
      parent?: YAMLMap
      pair?: Pair
      flow: boolean
    }
  /** `segments[depth]` is not a key of `map`. */
  | { kind: 'missing-key'; depth: number; map: YAMLMap; chain: unknown[] }
  /** `segments[depth - 1]` has no value (`image:` or `image: ~`), so `segments[depth]` is missing. */
  | { kind: 'empty-value'; depth: number; parent: YAMLMap; pair: Pair; chain: unknown[] }
  | { kind: 'empty-document'; depth: 0; chain: unknown[] }

function walk(
  text: string,
  path: string,
  doc: ParsedDocument | undefined,
  segments: Array<string | number>
): Walked {
  if (!doc || isEmptyDocument(doc)) return { kind: 'empty-document', depth: 0, chain: [] }
  let node: unknown = doc.contents
  const chain: unknown[] = [node]
  let parent: YAMLMap | undefined
  let pair: Pair | undefined
  let flow = false
  for (const [depth, segment] of segments.entries()) {
    const resolved = isAlias(node) ? node.resolve(doc) : node
    const at = formatValuePath(segments.slice(0, depth)) || 'the document'
    if (typeof segment === 'string') {
      if (isMap(resolved)) {
        const next = findPair(resolved, segment)
        if (!next) return { kind: 'missing-key', depth, map: resolved, chain }
        parent = resolved
        pair = next
        flow = resolved.flow ?? false
        node = next.value
      } else if (
        pair &&
        parent &&
        (resolved === null || (isScalar(resolved) && resolved.value === null)) &&
        !isAlias(node)
      )
        return { kind: 'empty-value', depth, parent, pair, chain }
      else throw notA(text, path, at, resolved, 'a mapping')
    } else {
      if (!isSeq(resolved)) throw notA(text, path, at, resolved, 'a list')
      if (segment >= resolved.items.length)
        throw new OperationalError(
          `${path}: ${at} has ${resolved.items.length} items, so there is no ${formatValuePath(segments.slice(0, depth + 1))}`,
          { title: VALUE_NOT_FOUND }
        )
      parent = undefined
      pair = undefined
      flow = resolved.flow ?? false
      node = resolved.items[segment]
    }
    chain.push(node)
  }
  const value = isAlias(node) ? node.resolve(doc) : node
  return parent && pair
    ? { kind: 'found', node, value, chain, parent, pair, flow }
    : { kind: 'found', node, value, chain, flow }
}

function notA(text: string, path: string, at: string, node: unknown, expected: string): OperationalError {
  const found = isScalar(node)
    ? `a value (${JSON.stringify(scalarString(node) ?? null)})`
    : isSeq(node)
      ? 'a list'
      : isMap(node)
        ? 'a mapping'
        : 'empty'
  const line = (node as Node | null)?.range ? ` (line ${lineNumber(text, (node as Node).range![0])})` : ''
  return new OperationalError(`${path}: ${at}${line} is ${found}, expected ${expected}`, {
    title: INVALID_MANIFEST
  })
}

/** The string at `valuePath`, or undefined when there is none (or the file cannot be read there). */
function readValue(text: string, path: string, valuePath: string): string | undefined {
  try {
    const docs = parseDocuments(text, path)
    const found = walk(
      text,
      path,
      docs.find((doc) => !isEmptyDocument(doc)),
      valuePathSegments(valuePath)
    )
    return found.kind === 'found' ? scalarString(found.value) : undefined
  } catch {
    return undefined
  }
}

function describePrevious(
  paths: HelmValuePaths,
  readAt: (valuePath: string) => string | undefined
): string | undefined {
  const read = (p: string | undefined) => (p === undefined ? undefined : readAt(p) || undefined)
  if (paths.reference !== undefined) return read(paths.reference)
  const repository = read(paths.repository)
  const tag = read(paths.tag)
  const digest = read(paths.digest)
  if (repository === undefined && tag === undefined && digest === undefined) return undefined
  if (repository === undefined) return [tag, digest].filter((part) => part !== undefined).join('@')
  return `${repository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`
}
