import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml'
import type { ImageReference } from '../../image/image-reference.js'
import { OperationalError } from '../../runtime/errors.js'

export interface KustomizationEdit {
  /** The file after the edit (the same text when unchanged). */
  content: string
  /** What the `images[]` entry pointed at before (`name` alone when it only renamed nothing), or undefined when there was no entry. */
  previous: string | undefined
  changed: boolean
}

/**
 * Points the kustomization's `images[]` entry named `imageName` at `image`: `newName` is the
 * repository, then `digest` when the image has one (a tag beside it would be ignored by
 * kustomize, so `newTag` goes) or else `newTag`. Adds the entry when there is none. The YAML
 * Document API keeps comments, key order and quoting; only the edited scalars change.
 */
export function setKustomizationImage(
  text: string,
  path: string,
  imageName: string,
  image: ImageReference
): KustomizationEdit {
  const doc = parseDocument(text)
  if (doc.errors.length > 0)
    throw new OperationalError(`${path} is not valid YAML: ${doc.errors[0]!.message}`, {
      title: 'Invalid kustomization file'
    })
  if (doc.contents !== null && !isMap(doc.contents))
    throw new OperationalError(
      `${path} is not a YAML mapping (a kustomization has images: at the top level)`,
      {
        title: 'Invalid kustomization file'
      }
    )
  const wanted: Record<string, string> = {
    name: imageName,
    newName: image.repository,
    ...(image.digest !== undefined ? { digest: image.digest } : { newTag: image.tag ?? 'latest' })
  }

  let images = doc.get('images', true)
  if (images === undefined || images === null || (!isSeq(images) && isScalarNull(images))) {
    doc.set('images', doc.createNode([]))
    images = doc.get('images', true)
  }
  if (!isSeq(images))
    throw new OperationalError(`${path}: images: is not a list`, { title: 'Invalid kustomization file' })

  const entry = images.items.find(
    (item): item is YAMLMap => isMap(item) && String(item.get('name')) === imageName
  )
  if (!entry) {
    images.add(doc.createNode(wanted))
    return { content: render(doc, text), previous: undefined, changed: true }
  }

  const previous = describeEntry(entry, imageName)
  const current = {
    newName: stringOrUndefined(entry.get('newName')),
    newTag: stringOrUndefined(entry.get('newTag')),
    digest: stringOrUndefined(entry.get('digest'))
  }
  if (
    current.newName === wanted['newName'] &&
    current.newTag === wanted['newTag'] &&
    current.digest === wanted['digest']
  )
    return { content: text, previous, changed: false }

  entry.set('newName', wanted['newName'])
  if (wanted['digest'] !== undefined) {
    entry.delete('newTag')
    entry.set('digest', wanted['digest'])
  } else {
    entry.delete('digest')
    entry.set('newTag', wanted['newTag'])
  }
  return { content: render(doc, text), previous, changed: true }
}

function isScalarNull(node: unknown): boolean {
  return (
    typeof node === 'object' &&
    node !== null &&
    'value' in node &&
    (node as { value: unknown }).value === null
  )
}

function stringOrUndefined(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value)
}

function describeEntry(entry: YAMLMap, imageName: string): string {
  const name = stringOrUndefined(entry.get('newName')) ?? imageName
  const tag = stringOrUndefined(entry.get('newTag'))
  const digest = stringOrUndefined(entry.get('digest'))
  return `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`
}

/** Writes the document back in the file's own list style (`kustomize edit` writes `- ` unindented). */
function render(doc: ReturnType<typeof parseDocument>, original: string): string {
  const indentSeq = !/^[A-Za-z_][\w.-]*:[ \t]*(#.*)?\r?\n- /m.test(original)
  return doc.toString({ indentSeq, lineWidth: 0 })
}
