import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'

/** 1-based, as editors and GitHub annotations count. */
export interface SourcePosition {
  line: number
  column: number
}

/** Where the value at `path` (keys and list indexes) was written, or undefined when nothing on the path is there. */
export type SourceLocator = (path: readonly PropertyKey[]) => SourcePosition | undefined

/**
 * Finds config paths in the YAML text, with the `yaml` package's node ranges (js-yaml, which
 * loads the config, keeps no positions). A path points at the key that holds its value, or at
 * the list item; a path that goes on past what is written (a missing key) points at the deepest
 * part that is there, where the user would add it. An alias is followed to its anchor, where
 * the value was written.
 */
export function locateInYaml(text: string): SourceLocator {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false })
  const position = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset)
    return { line, column: col }
  }
  return (path) => {
    let node: unknown = doc.contents
    let offset: number | undefined
    for (const key of path) {
      node = resolved(node, doc)
      if (isMap(node)) {
        // `<<` is an ordinary key to js-yaml 5, which loads the config, so it is one here too.
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))
        if (!pair) break
        offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : offset
        node = pair.value
      } else if (isSeq(node) && typeof key === 'number') {
        const item: unknown = node.items[key]
        if (!item) break
        offset = rangeStart(item) ?? offset
        node = item
      } else break
    }
    return offset === undefined ? undefined : position(offset)
  }
}

function resolved(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return range?.[0]
}
