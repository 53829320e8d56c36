import { scalarText, type QuoteStyle, type ScalarStyle } from './scalar-text.js'

/** YAML content the editors add (a new key, images entry or nested map), before it is written. */
export type NewContent =
  | { kind: 'scalar'; value: string; style: ScalarStyle }
  | { kind: 'map'; entries: Array<[string, NewContent]> }
  | { kind: 'seq'; items: NewContent[] }

export const scalar = (value: string, style: ScalarStyle = 'PLAIN'): NewContent => ({
  kind: 'scalar',
  value,
  style
})
export const map = (entries: Array<[string, NewContent]>): NewContent => ({ kind: 'map', entries })
export const seq = (items: NewContent[]): NewContent => ({ kind: 'seq', items })

/** Layout habits of the file being edited (see FileStyle), plus flow-brace padding. */
export interface Layout {
  indent: number
  sequenceIndent: number
  itemOffset: number
  quote: QuoteStyle
  /** `{ name: x }` rather than `{name: x}`. */
  flowPadding: boolean
}

/** The JavaScript value of new content, for checking the edited file reads as intended. */
export function contentValue(content: NewContent): unknown {
  if (content.kind === 'scalar') return content.value
  if (content.kind === 'seq') return content.items.map(contentValue)
  return Object.fromEntries(content.entries.map(([key, value]) => [key, contentValue(value)]))
}

/** `content` in flow style, as one line. */
export function flowText(content: NewContent, layout: Layout): string {
  if (content.kind === 'scalar') return scalarText(content.value, content.style, 'flow', layout.quote)
  const pad = layout.flowPadding ? ' ' : ''
  if (content.kind === 'seq') return `[${content.items.map((item) => flowText(item, layout)).join(', ')}]`
  const entries = content.entries.map(
    ([key, value]) => `${keyText(key, 'flow', layout)}: ${flowText(value, layout)}`
  )
  return `{${pad}${entries.join(', ')}${pad}}`
}

/** The lines of `key: content` in block style, the key at `indent` columns. */
export function blockPairLines(key: string, content: NewContent, indent: number, layout: Layout): string[] {
  const head = `${' '.repeat(indent)}${keyText(key, 'block', layout)}:`
  if (content.kind === 'scalar')
    return [`${head} ${scalarText(content.value, content.style, 'block', layout.quote)}`]
  if (content.kind === 'map')
    return content.entries.length === 0
      ? [`${head} {}`]
      : [head, ...blockMapLines(content, indent + layout.indent, layout)]
  if (content.items.length === 0) return [`${head} []`]
  return [head, ...blockSeqLines(content.items, indent + layout.sequenceIndent, layout)]
}

/** The lines of a block sequence's items, each `-` at `indent` columns. */
export function blockSeqLines(items: readonly NewContent[], indent: number, layout: Layout): string[] {
  return items.flatMap((item) => blockItemLines(item, indent, layout))
}

function blockItemLines(item: NewContent, indent: number, layout: Layout): string[] {
  const dash = `${' '.repeat(indent)}-`
  if (item.kind === 'scalar') return [`${dash} ${scalarText(item.value, item.style, 'block', layout.quote)}`]
  if (item.kind === 'seq' || item.entries.length === 0) return [`${dash} ${flowText(item, layout)}`]
  const [first, ...rest] = blockMapLines(item, indent + layout.itemOffset, layout)
  return [`${dash}${' '.repeat(layout.itemOffset - 1)}${first!.trimStart()}`, ...rest]
}

function blockMapLines(content: NewContent & { kind: 'map' }, indent: number, layout: Layout): string[] {
  return content.entries.flatMap(([key, value]) => blockPairLines(key, value, indent, layout))
}

function keyText(key: string, context: 'block' | 'flow', layout: Layout): string {
  return scalarText(key, 'PLAIN', context, layout.quote)
}
