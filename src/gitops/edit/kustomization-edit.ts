import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml'
import { OperationalError } from '../../runtime/errors.js'
import type { FieldChange, ImageTarget, ManifestEdit } from './edit-result.js'
import { kustomizationDocument } from './kustomization-document.js'
import { contentValue, map, scalar, seq, type NewContent } from './new-content.js'
import {
  addPair,
  appendItem,
  fillEmptyValue,
  removePair,
  renameKey,
  setValue,
  type EditSite
} from './node-edits.js'
import { checkReadsBack, type DataChange } from './read-back-check.js'
import type { ScalarStyle } from './scalar-text.js'
import { applyEdits, lineNumber, type TextEdit } from './text-edits.js'
import {
  aliasUsers,
  fileLayout,
  findPair,
  INVALID_MANIFEST,
  parseDocuments,
  refuseShared,
  scalarString
} from './yaml-source.js'

export const IMAGE_NOT_FOUND = 'Image not found in manifest'

/**
 * Points the kustomization's `images[]` entry named exactly `imageName` at `image`: `newName`
 * is the repository (not added when the entry lacks it and the repository is the name itself),
 * then `digest` when the image has one, since kustomize ignores `newTag` beside a digest and the
 * tag key goes, or else `newTag` (`latest` for an image with neither). Each step re-reads the
 * edited text, so every splice works from fresh source ranges.
 */
export function editKustomization(
  original: string,
  path: string,
  imageName: string,
  image: ImageTarget,
  createMissing: boolean
): ManifestEdit {
  const tagKey = image.digest !== undefined ? 'digest' : 'newTag'
  const otherKey = tagKey === 'digest' ? 'newTag' : 'digest'
  const tagValue = image.digest ?? image.tag ?? 'latest'
  const field = (key: string) => `images[${imageName}].${key}`
  const changes: FieldChange[] = []
  const data: DataChange[] = []
  let text = original

  const first = locate(text, path, imageName)
  if (!first.entry) {
    if (!createMissing) throw notFound(path, imageName, first.images)
    const created = createEntry(first, imageName, image, tagKey, tagValue)
    text = applyEdits(text, created.edits)
    data.push(created.data)
    if (image.repository !== imageName) changes.push({ field: field('newName'), to: image.repository })
    changes.push({ field: field(tagKey), to: tagValue })
    checkReadsBack(path, original, text, data)
    return { content: text, changed: true, previous: undefined, changes }
  }
  const previous = describeEntry(first.entry, imageName)
  const entryAt = first.entry.at

  // newName: set it, or add it after `name` when the repository is not the name itself.
  {
    const { entry, site } = locateEntry(text, path, imageName, field('newName'))
    const pair = findPair(entry.node, 'newName')
    if (pair) {
      const edit = setIfDifferent(site, entry, pair, image.repository, changes)
      if (edit) text = applyEdits(text, [edit])
    } else if (image.repository !== imageName) {
      refuseShared(text, path, field('newName'), entry.chain, entry.users)
      text = applyEdits(
        text,
        addPair(site, entry.node, 'newName', scalar(image.repository), findPair(entry.node, 'name'))
      )
      changes.push({ field: field('newName'), to: image.repository })
    }
    if (pair || image.repository !== imageName)
      data.push({ ...entryAt, at: [...entryAt.at, 'newName'], value: image.repository })
  }

  // newTag or digest: set it; else turn the other key into it in place (one changed line); else add it.
  let otherRemains = false
  {
    const { entry, site } = locateEntry(text, path, imageName, field(tagKey))
    const pair = findPair(entry.node, tagKey)
    const other = findPair(entry.node, otherKey)
    if (pair) {
      const edit = setIfDifferent(site, entry, pair, tagValue, changes)
      if (edit) text = applyEdits(text, [edit])
      otherRemains = other !== undefined
    } else if (other) {
      refuseShared(text, path, field(otherKey), [...entry.chain, other.value], entry.users)
      text = applyEdits(text, [
        renameKey(site, entry.node, other, tagKey),
        setValue(site, entry.node, other, tagValue)
      ])
      changes.push({ field: field(otherKey), from: scalarString(other.value) ?? '' })
      changes.push({ field: field(tagKey), to: tagValue })
    } else {
      const after = findPair(entry.node, 'newName') ?? findPair(entry.node, 'name')
      refuseShared(text, path, field(tagKey), entry.chain, entry.users)
      text = applyEdits(text, addPair(site, entry.node, tagKey, scalar(tagValue), after))
      changes.push({ field: field(tagKey), to: tagValue })
    }
    data.push({ ...entryAt, at: [...entryAt.at, tagKey], value: tagValue })
    data.push({ ...entryAt, at: [...entryAt.at, otherKey], remove: true })
  }

  if (otherRemains) {
    const { entry, site } = locateEntry(text, path, imageName, field(otherKey))
    const other = findPair(entry.node, otherKey)!
    refuseShared(text, path, field(otherKey), [...entry.chain, other.value], entry.users)
    text = applyEdits(text, [removePair(site, entry.node, other)])
    changes.push({ field: field(otherKey), from: scalarString(other.value) ?? '' })
  }

  if (changes.length === 0) return { content: original, changed: false, previous, changes }
  checkReadsBack(path, original, text, data)
  return { content: text, changed: true, previous, changes }
}

interface Located {
  text: string
  path: string
  document: number
  root: YAMLMap
  imagesPair: Pair | undefined
  images: YAMLSeq | undefined
  entry:
    | {
        node: YAMLMap
        chain: unknown[]
        at: Pick<DataChange, 'document' | 'at'>
        resolve: (node: unknown) => unknown
      }
    | undefined
  users: ReturnType<typeof aliasUsers>
  site: (field: string) => EditSite
}

function locate(text: string, path: string, imageName: string): Located {
  const docs = parseDocuments(text, path)
  const { index, root } = kustomizationDocument(text, path, docs)
  const doc = docs[index]!
  const users = aliasUsers(doc)
  const layout = fileLayout(text, doc)
  const site = (field: string): EditSite => ({ text, path, field, layout })
  const imagesPair = findPair(root, 'images')
  const value = imagesPair?.value as Node | null | undefined
  const base = { text, path, document: index, root, imagesPair, users, site }
  if (value === undefined || value === null || (isScalar(value) && value.value === null))
    return { ...base, images: undefined, entry: undefined }
  if (isAlias(value)) refuseShared(text, path, 'images', [value], users)
  if (!isSeq(value))
    throw new OperationalError(
      `${path}: images (line ${lineNumber(text, value.range![0])}) is ${isMap(value) ? 'a mapping' : 'a single value'}; ` +
        'expected a list of {name, newName, newTag or digest} entries',
      { title: INVALID_MANIFEST }
    )
  const matches = value.items.flatMap((item, position) => {
    const node = isAlias(item) ? item.resolve(doc) : item
    if (!isMap(node)) return []
    const name = findPair(node, 'name')?.value
    const named = isAlias(name) ? name.resolve(doc) : name
    return scalarString(named) === imageName ? [{ item, node, position }] : []
  })
  if (matches.length > 1)
    throw new OperationalError(
      `${path} has ${matches.length} images[] entries named "${imageName}" (lines ${matches
        .map((m) => lineNumber(text, (m.item as Node).range![0]))
        .join(', ')}); kustomize would apply only one, so the edit would be ambiguous`,
      { title: INVALID_MANIFEST }
    )
  const match = matches[0]
  if (!match) return { ...base, images: value, entry: undefined }
  const chain = [root, value, match.item]
  return {
    ...base,
    images: value,
    entry: {
      node: match.node,
      chain,
      at: { document: index, at: ['images', match.position] },
      resolve: (node: unknown) => (isAlias(node) ? node.resolve(doc) : node)
    }
  }
}

/** Re-reads `text` and returns the (known to exist) entry, with an edit site for `field`. */
function locateEntry(text: string, path: string, imageName: string, field: string) {
  const located = locate(text, path, imageName)
  const entry = located.entry!
  return { entry: { ...entry, users: located.users }, site: located.site(field) }
}

function setIfDifferent(
  site: EditSite,
  entry: NonNullable<Located['entry']> & { users: Located['users'] },
  pair: Pair,
  value: string,
  changes: FieldChange[]
): TextEdit | undefined {
  const node = pair.value
  const current = entry.resolve(node)
  if (isScalar(current) && current.value === value) return undefined
  refuseShared(site.text, site.path, site.field, [...entry.chain, node], entry.users)
  const from = scalarString(current)
  changes.push(from === undefined ? { field: site.field, to: value } : { field: site.field, from, to: value })
  return setValue(site, entry.node, pair, value)
}

function createEntry(
  located: Located,
  imageName: string,
  image: ImageTarget,
  tagKey: string,
  tagValue: string
): { edits: TextEdit[]; data: DataChange } {
  const { images, imagesPair, root, document } = located
  refuseShared(located.text, located.path, 'images', images ? [root, images] : [root], located.users)
  const site = located.site('images')
  const style = (key: string) => siblingStyle(images, key)
  const entries: Array<[string, NewContent]> = [['name', scalar(imageName, style('name'))]]
  if (image.repository !== imageName) entries.push(['newName', scalar(image.repository, style('newName'))])
  entries.push([tagKey, scalar(tagValue, style(tagKey))])
  const entry = map(entries)
  if (images)
    return {
      edits: appendItem(site, images, entry),
      data: { document, at: ['images', images.items.length], value: contentValue(entry) }
    }
  const edits = imagesPair
    ? fillEmptyValue(site, root, imagesPair, seq([entry]))
    : addPair(site, root, 'images', seq([entry]))
  return { edits, data: { document, at: ['images'], value: [contentValue(entry)] } }
}

/** The quote style siblings give `key` (`newTag: '1.0'` everywhere makes a new one quoted too). */
function siblingStyle(images: YAMLSeq | undefined, key: string): ScalarStyle {
  for (const item of images?.items ?? []) {
    const value = isMap(item) ? findPair(item, key)?.value : undefined
    if (isScalar(value) && (value.type === 'QUOTE_SINGLE' || value.type === 'QUOTE_DOUBLE')) return value.type
  }
  return 'PLAIN'
}

function notFound(path: string, imageName: string, images: YAMLSeq | undefined): OperationalError {
  const names = (images?.items ?? []).flatMap((item) => {
    const name = isMap(item) ? scalarString(findPair(item, 'name')?.value) : undefined
    return name === undefined ? [] : [name]
  })
  const has = images
    ? names.length > 0
      ? `its images are ${names.map((n) => `"${n}"`).join(', ')}`
      : 'its images list is empty'
    : 'it has no images'
  return new OperationalError(
    `${path} has no images[] entry named "${imageName}" (${has}; the name must match exactly). ` +
      'Add the entry or set create-missing: true.',
    { title: IMAGE_NOT_FOUND }
  )
}

function describeEntry(entry: NonNullable<Located['entry']>, imageName: string): string {
  const read = (key: string) => scalarString(entry.resolve(findPair(entry.node, key)?.value))
  const name = read('newName') ?? imageName
  const tag = read('newTag')
  const digest = read('digest')
  return `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`
}
