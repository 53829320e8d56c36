import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap
} from 'yaml'
import { OperationalError } from '../../runtime/errors.js'
import type { Layout } from './new-content.js'
import type { QuoteStyle } from './scalar-text.js'
import { column, lineNumber } from './text-edits.js'

export const INVALID_MANIFEST = 'Invalid manifest file'
export const EDIT_REFUSED = 'Manifest edit refused'

export type ParsedDocument = Document.Parsed

/** Every document of `text`; throws when any has a syntax error (the first one, with its line). */
export function parseDocuments(text: string, path: string): ParsedDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: false })
  const list = Array.isArray(docs) ? docs : []
  for (const doc of list) {
    const error = doc.errors[0]
    if (error)
      throw new OperationalError(
        `${path} is not valid YAML (line ${lineNumber(text, error.pos[0])}): ${error.message.split('\n')[0]}`,
        { title: INVALID_MANIFEST }
      )
    try {
      doc.toJS() // the composer accepts an alias to no anchor; reading it does not
    } catch (cause) {
      throw new OperationalError(`${path} is not valid YAML: ${(cause as Error).message}`, {
        title: INVALID_MANIFEST,
        cause
      })
    }
  }
  return list
}

/** A document holding nothing (an empty file, only comments). */
export function isEmptyDocument(doc: ParsedDocument): boolean {
  const contents = doc.contents as unknown
  return contents === null || (isScalar(contents) && contents.value === null && !contents.source)
}

/** The string a scalar reads as (non-strings as written), or undefined for anything else. */
export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined
  return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value))
}

export function findPair(map: YAMLMap, key: string): Pair<Scalar, unknown> | undefined {
  return map.items.find(
    (pair): pair is Pair<Scalar, unknown> => isScalar(pair.key) && scalarString(pair.key) === key
  )
}

/** Source offset where a pair ends: the end of its value, or of its key when it has none. */
export function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null
  const node = value?.range ? value : (pair.key as Node)
  return node.range![1]
}

export function pairStart(pair: Pair): number {
  return (pair.key as Node).range![0]
}

/**
 * Which nodes are the target of an alias in `doc`, with the aliases' offsets. A node with
 * users is shared: editing it (or anything inside it) edits what the aliases read too.
 */
export function aliasUsers(doc: ParsedDocument): Map<Node, Alias[]> {
  const users = new Map<Node, Alias[]>()
  visit(doc, {
    Alias(_, alias) {
      const target = alias.resolve(doc)
      if (target) users.set(target, [...(users.get(target) ?? []), alias])
    }
  })
  return users
}

/**
 * Refuses to edit `chain` (a node and its ancestors, outermost first) when one of them is an
 * alias or is anchored and used by an alias: the edit would change the other users as well.
 */
export function refuseShared(
  text: string,
  path: string,
  field: string,
  chain: readonly unknown[],
  users: Map<Node, Alias[]>
): void {
  for (const node of chain) {
    if (isAlias(node))
      throw new OperationalError(
        `${path}: ${field} is reached through the alias *${node.source} (line ${lineNumber(text, node.range![0])}); ` +
          `editing it would change every user of &${node.source}. Write the value out in place of the alias.`,
        { title: EDIT_REFUSED }
      )
    const aliases = isNodeWithAnchor(node) ? users.get(node) : undefined
    if (aliases && aliases.length > 0)
      throw new OperationalError(
        `${path}: ${field} is inside the anchor &${(node as Node).anchor} (line ${lineNumber(text, (node as Node).range![0])}), ` +
          `which is also used at line ${aliases.map((a) => lineNumber(text, a.range![0])).join(', ')}; ` +
          `editing it would change those too. Give ${field} its own value.`,
        { title: EDIT_REFUSED }
      )
  }
}

function isNodeWithAnchor(node: unknown): node is Node {
  return (isScalar(node) || isMap(node) || isSeq(node)) && typeof node.anchor === 'string'
}

/** How the file writes new things, inferred from what it already has (defaults: 2, 2, 2, double quotes). */
export function fileLayout(text: string, doc: ParsedDocument): Layout {
  let indent: number | undefined
  let sequenceIndent: number | undefined
  let itemOffset: number | undefined
  let quote: QuoteStyle | undefined
  let flowPadding: boolean | undefined
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !pair.key.range) return
      const keyColumn = column(text, pair.key.range[0])
      if (isMap(pair.value) && !pair.value.flow && pair.value.items[0] && indent === undefined) {
        const childKey = pair.value.items[0].key as Node | null
        if (childKey?.range) indent = column(text, childKey.range[0]) - keyColumn
      }
      if (isSeq(pair.value) && !pair.value.flow && pair.value.range && sequenceIndent === undefined)
        sequenceIndent = column(text, pair.value.range[0]) - keyColumn
    },
    Map(_, map) {
      if (map.flow && map.range && map.items.length > 0 && flowPadding === undefined)
        flowPadding = text[map.range[0] + 1] === ' '
    },
    Seq(_, seq) {
      if (seq.flow || !seq.range || itemOffset !== undefined) return
      const first = seq.items[0] as Node | undefined
      if (
        isMap(first) &&
        !first.flow &&
        first.range &&
        !text.slice(seq.range[0], first.range[0]).includes('\n')
      )
        itemOffset = first.range[0] - seq.range[0]
    },
    Scalar(_, scalar) {
      if (quote === undefined && (scalar.type === 'QUOTE_SINGLE' || scalar.type === 'QUOTE_DOUBLE'))
        quote = scalar.type
    }
  })
  return {
    indent: indent !== undefined && indent > 0 ? indent : 2,
    sequenceIndent: sequenceIndent !== undefined && sequenceIndent >= 0 ? sequenceIndent : 2,
    itemOffset: itemOffset !== undefined && itemOffset > 1 ? itemOffset : 2,
    quote: quote ?? 'QUOTE_DOUBLE',
    flowPadding: flowPadding ?? false
  }
}
