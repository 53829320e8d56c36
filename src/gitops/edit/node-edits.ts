/**
 * Text edits that change one node of a parsed document: set a scalar, rename or remove a key,
 * add a key or a sequence item. Each works from source ranges and touches only the bytes of
 * what it changes; block or flow style is the collection's own.
 */
import { isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml'
import { OperationalError } from '../../runtime/errors.js'
import { blockPairLines, blockSeqLines, flowText, type Layout, type NewContent } from './new-content.js'
import { scalarText, type ScalarStyle } from './scalar-text.js'
import {
  column,
  insertLines,
  lineBreakNear,
  lineEnd,
  lineNumber,
  lineStart,
  type TextEdit
} from './text-edits.js'
import { EDIT_REFUSED, pairEnd, pairStart } from './yaml-source.js'

/** What an edit needs besides the node: the file, for messages its path and the field's name. */
export interface EditSite {
  text: string
  path: string
  field: string
  layout: Layout
}

/** Writes `value` as the value of `pair` (in `parent`), keeping its quote style and anchor. */
export function setValue(site: EditSite, parent: YAMLMap, pair: Pair, value: string): TextEdit {
  const { text, layout } = site
  const context = parent.flow ? 'flow' : 'block'
  const node = pair.value as Node | null
  if (node === null || isEmptyScalar(node)) {
    const rendered = scalarText(value, 'PLAIN', context, layout.quote)
    if (context === 'flow' && node?.range && /\s/.test(text[node.range[0] - 1] ?? ''))
      return { start: node.range[0], end: node.range[0], insert: rendered }
    const colon = afterColon(text, pair)
    return { start: colon, end: colon, insert: ` ${rendered}` }
  }
  return setScalar(site, context, node, value)
}

/** Rewrites the scalar `node` as `value` in its own style; refuses collections and block scalars. */
export function setScalar(site: EditSite, context: 'block' | 'flow', node: Node, value: string): TextEdit {
  const { text, layout } = site
  if (!isScalar(node) || !node.range)
    throw new OperationalError(
      `${site.path}: ${site.field} (line ${lineNumber(text, node.range![0])}) is a ${isSeq(node) ? 'list' : 'mapping'}, not a value`,
      { title: EDIT_REFUSED }
    )
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')
    throw new OperationalError(
      `${site.path}: ${site.field} (line ${lineNumber(text, node.range[0])}) is a block scalar (| or >); write it as a plain or quoted value to let it be edited`,
      { title: EDIT_REFUSED }
    )
  const style: ScalarStyle =
    node.value === null ? 'PLAIN' : ((node.type as ScalarStyle | undefined) ?? 'PLAIN')
  return { start: node.range[0], end: node.range[1], insert: scalarText(value, style, context, layout.quote) }
}

/** Renames the key of `pair`, in the key's own quote style. */
export function renameKey(site: EditSite, parent: YAMLMap, pair: Pair, key: string): TextEdit {
  const node = pair.key as Node
  const style = isScalar(node) ? ((node.type as ScalarStyle | undefined) ?? 'PLAIN') : 'PLAIN'
  const insert = scalarText(key, style, parent.flow ? 'flow' : 'block', site.layout.quote)
  return { start: node.range![0], end: node.range![1], insert }
}

/**
 * Removes `pair` from `parent`: its whole line (with any comment on it) in a block mapping,
 * the item and one separating comma in a flow mapping.
 */
export function removePair(site: EditSite, parent: YAMLMap, pair: Pair): TextEdit {
  const { text } = site
  const index = parent.items.indexOf(pair)
  const previous = parent.items[index - 1]
  const next = parent.items[index + 1]
  if (parent.flow) {
    if (previous) return { start: pairEnd(previous), end: pairEnd(pair), insert: '' }
    return { start: pairStart(pair), end: next ? pairStart(next) : pairEnd(pair), insert: '' }
  }
  const start = pairStart(pair)
  const first = lineStart(text, start)
  if (text.slice(first, start).trim() === '')
    return { start: first, end: lineEnd(text, pairEnd(pair) - 1), insert: '' }
  // The key shares its line with a `- `: the next key moves up onto that line.
  if (next) return { start, end: pairStart(next), insert: '' }
  throw new OperationalError(`${site.path}: cannot remove ${site.field}, the only key of its list item`, {
    title: EDIT_REFUSED
  })
}

/** Adds `key: content` to `parent` after `after` (default: after its last key). */
export function addPair(
  site: EditSite,
  parent: YAMLMap,
  key: string,
  content: NewContent,
  after: Pair | undefined = parent.items.at(-1)
): TextEdit[] {
  const { text, layout } = site
  if (parent.flow) {
    const pair = `${scalarText(key, 'PLAIN', 'flow', layout.quote)}: ${flowText(content, layout)}`
    if (after) return [{ start: pairEnd(after), end: pairEnd(after), insert: `, ${pair}` }]
    const open = parent.range![0] + 1
    const pad = layout.flowPadding ? ' ' : ''
    return [{ start: open, end: open, insert: `${pad}${pair}${pad}` }]
  }
  if (!after) throw new Error('A block mapping always has a key')
  const indent = column(text, pairStart(parent.items[0]!))
  const at = lineEnd(text, pairEnd(after) - 1)
  return [insertLines(text, at, blockPairLines(key, content, indent, layout), lineBreakNear(text, at - 1))]
}

/**
 * Gives a key without a value (`key:`, `key: ~`, `key: null`) the collection `content`:
 * block lines under the key, or flow text in a flow mapping.
 */
export function fillEmptyValue(site: EditSite, parent: YAMLMap, pair: Pair, content: NewContent): TextEdit[] {
  const { text, layout } = site
  const node = pair.value as Node | null
  const colon = afterColon(text, pair)
  const valueEnd = node?.range && !isEmptyScalar(node) ? node.range[1] : colon
  if (parent.flow || content.kind === 'scalar')
    return [{ start: colon, end: valueEnd, insert: ` ${flowText(content, layout)}` }]
  const keyColumn = column(text, pairStart(pair))
  const lines =
    content.kind === 'map'
      ? content.entries.flatMap(([key, value]) =>
          blockPairLines(key, value, keyColumn + layout.indent, layout)
        )
      : blockSeqLines(content.items, keyColumn + layout.sequenceIndent, layout)
  const at = lineEnd(text, Math.max(valueEnd, colon) - 1)
  const edits: TextEdit[] = []
  if (valueEnd > colon) edits.push({ start: colon, end: valueEnd, insert: '' })
  edits.push(insertLines(text, at, lines, lineBreakNear(text, at - 1)))
  return edits
}

/** Appends `item` to `list`, in its style: a new `- ` entry like the last one, or `, item` in a flow list. */
export function appendItem(site: EditSite, list: YAMLSeq, item: NewContent): TextEdit[] {
  const { text, layout } = site
  const last = list.items.at(-1) as Node | undefined
  if (list.flow) {
    if (!last?.range) {
      const open = list.range![0] + 1
      return [{ start: open, end: open, insert: flowText(item, layout) }]
    }
    const multiline = text.slice(list.range![0], (list.items[0] as Node).range![0]).includes('\n')
    const first = (list.items[0] as Node).range![0]
    const separator = multiline ? `,${lineBreakNear(text, first)}${' '.repeat(column(text, first))}` : ', '
    return [{ start: last.range[1], end: last.range[1], insert: `${separator}${flowText(item, layout)}` }]
  }
  const dashColumn = column(text, list.range![0])
  const lastEnd = last?.range ? last.range[1] : list.range![0] + 1
  const at = lineEnd(text, lastEnd - 1)
  return [insertLines(text, at, blockSeqLines([item], dashColumn, layout), lineBreakNear(text, at - 1))]
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && !node.source
}

/** Offset just after the `:` that ends the key of `pair`. */
function afterColon(text: string, pair: Pair): number {
  return text.indexOf(':', (pair.key as Node).range![1]) + 1
}
