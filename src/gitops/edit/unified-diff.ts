/**
 * Unified diffs (`diff -u` / `git diff` layout) of a manifest before and after an edit, for
 * dry runs and pull request bodies. Lines compare with their line breaks, so a CRLF file diffs
 * as itself; each line is shown without its break (LF or CRLF), and a last line without one
 * gets `\ No newline at end of file`.
 */

const CONTEXT = 3

interface Line {
  /** The line with its break, as compared. */
  raw: string
  /** The line without its break, as shown. */
  shown: string
  /** The file's last line, without a break. */
  unterminated: boolean
}

interface Op {
  kind: ' ' | '-' | '+'
  line: Line
  /** Lines of `before` / `after` ahead of this one. */
  oldAt: number
  newAt: number
}

/** The unified diff of `before` and `after` as `path` (`--- a/path`, `+++ b/path`); '' when equal. */
export function unifiedDiff(path: string, before: string, after: string, context = CONTEXT): string {
  if (before === after) return ''
  const ops = diffLines(splitLines(before), splitLines(after))
  const out = [`--- a/${path}`, `+++ b/${path}`]
  for (const [start, end] of hunkRanges(ops, context)) {
    const hunk = ops.slice(start, end)
    const oldCount = hunk.filter((op) => op.kind !== '+').length
    const newCount = hunk.filter((op) => op.kind !== '-').length
    out.push(`@@ -${range(hunk[0]!.oldAt, oldCount)} +${range(hunk[0]!.newAt, newCount)} @@`)
    for (const op of hunk) {
      out.push(`${op.kind}${op.line.shown}`)
      if (op.line.unterminated) out.push('\\ No newline at end of file')
    }
  }
  return `${out.join('\n')}\n`
}

function splitLines(text: string): Line[] {
  const lines: Line[] = []
  let at = 0
  while (at < text.length) {
    const newline = text.indexOf('\n', at)
    const end = newline === -1 ? text.length : newline + 1
    const raw = text.slice(at, end)
    lines.push({ raw, shown: raw.replace(/\r?\n$/, ''), unterminated: newline === -1 })
    at = end
  }
  return lines
}

/** `start,count` with diff's conventions: a one-line range is just its line; an empty one names the line before. */
function range(linesBefore: number, count: number): string {
  if (count === 0) return `${linesBefore},0`
  return count === 1 ? `${linesBefore + 1}` : `${linesBefore + 1},${count}`
}

/** [start, end) of each hunk: changes with `context` lines around, merged when their context meets. */
function hunkRanges(ops: readonly Op[], context: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (const [index, op] of ops.entries()) {
    if (op.kind === ' ') continue
    const start = Math.max(0, index - context)
    const end = Math.min(ops.length, index + 1 + context)
    const last = ranges.at(-1)
    if (last && start <= last[1]) last[1] = end
    else ranges.push([start, end])
  }
  return ranges
}

/**
 * A shortest edit script: the common head and tail as they are, Myers' O((N+M)·D) search on
 * the rest, keeping only the k-range [-d, d] of each round (O(D²) memory) for the walk back.
 */
function diffLines(a: readonly Line[], b: readonly Line[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head]!.raw === b[head]!.raw) head++
  let tail = 0
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail]!.raw === b[b.length - 1 - tail]!.raw
  )
    tail++
  const same = (from: number, to: number, shift: number): Op[] =>
    a.slice(from, to).map((line, i) => ({ kind: ' ', line, oldAt: from + i, newAt: from + i + shift }))
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail)).map((op) => ({
    ...op,
    oldAt: op.oldAt + head,
    newAt: op.newAt + head
  }))
  return [...same(0, head, 0), ...middle, ...same(a.length - tail, a.length, b.length - a.length)]
}

function myers(a: readonly Line[], b: readonly Line[]): Op[] {
  const n = a.length
  const m = b.length
  const max = n + m
  const offset = max + 1
  const v = new Array<number>(2 * max + 3).fill(0)
  /** trace[d][k + d]: the furthest x on diagonal k after round d - 1. */
  const trace: number[][] = []
  search: for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d, offset + d + 1))
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[x]!.raw === b[y]!.raw) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) break search
    }
  }
  // Walk the trace back from the end, collecting the snake of each step.
  const ops: Op[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d >= 0; d--) {
    const at = (k: number) => trace[d]![k + d]!
    const k = x - y
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1))
    const previousK = down ? k + 1 : k - 1
    const previousX = d === 0 ? 0 : at(previousK)
    const previousY = d === 0 ? 0 : previousX - previousK
    while (x > previousX && y > previousY) {
      x--
      y--
      ops.push({ kind: ' ', line: a[x]!, oldAt: x, newAt: y })
    }
    if (d === 0) break
    if (down) {
      y--
      ops.push({ kind: '+', line: b[y]!, oldAt: x, newAt: y })
    } else {
      x--
      ops.push({ kind: '-', line: a[x]!, oldAt: x, newAt: y })
    }
  }
  return ops.reverse()
}
