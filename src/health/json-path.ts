/**
 * A deliberately small path syntax for asserting on health-endpoint JSON, without a dependency:
 *
 *   version                 property `version` of the top-level object
 *   build.sha               nested properties, separated by dots
 *   items[0].name           array index in brackets
 *   [0].status              a top-level array
 *   meta["app.io/version"]  a property whose name has dots or other punctuation, as a JSON string
 *
 * Names between dots may hold any character except `.`, `[`, `]` and `"`. No wildcards or filters.
 */
export type JsonPathSegment = string | number

export class JsonPathError extends Error {
  override name = 'JsonPathError'
}

export function parseJsonPath(path: string): JsonPathSegment[] {
  const segments: JsonPathSegment[] = []
  const fail = (why: string, at: number): never => {
    throw new JsonPathError(`invalid json path ${JSON.stringify(path)}: ${why} at position ${at}`)
  }
  if (path.length === 0) fail('empty path', 0)
  let i = 0
  const readName = (): void => {
    const start = i
    while (i < path.length && !'.[]"'.includes(path[i]!)) i++
    if (i === start) fail('expected a property name', start)
    segments.push(path.slice(start, i))
  }
  if (path[0] !== '[') readName()
  while (i < path.length) {
    const c = path[i]!
    if (c === '.') {
      i++
      readName()
    } else if (c === '[') {
      const start = i
      i++
      if (path[i] === '"') {
        const close = findClosingQuote(path, i + 1)
        if (close < 0) fail('unterminated string', i)
        let name: string
        try {
          name = JSON.parse(path.slice(i, close + 1)) as string
        } catch {
          return fail('bad string', i)
        }
        segments.push(name)
        i = close + 1
      } else {
        const digits = /^\d+/.exec(path.slice(i))
        if (!digits) fail('expected an index or a quoted name in brackets', i)
        segments.push(Number(digits![0]))
        i += digits![0].length
      }
      if (path[i] !== ']') fail(`expected "]" to close "[" from position ${start}`, i)
      i++
    } else {
      fail(`unexpected ${JSON.stringify(c)}`, i)
    }
  }
  return segments
}

function findClosingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return -1
}

export type JsonPathLookup = { found: true; value: unknown } | { found: false; missing: string }

/** Follows `segments` into `value`; when a step is absent, `missing` names the prefix that was. */
export function readJsonPath(value: unknown, segments: readonly JsonPathSegment[]): JsonPathLookup {
  let current = value
  let walked = ''
  for (const segment of segments) {
    walked += typeof segment === 'number' ? `[${segment}]` : walked === '' ? segment : `.${segment}`
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false, missing: walked }
      current = current[segment]
    } else {
      if (
        current === null ||
        typeof current !== 'object' ||
        Array.isArray(current) ||
        !Object.prototype.hasOwnProperty.call(current, segment)
      ) {
        return { found: false, missing: walked }
      }
      current = (current as Record<string, unknown>)[segment]
    }
  }
  return { found: true, value: current }
}
