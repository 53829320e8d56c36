/**
 * Splicing replacement text into the original file. The editors never re-stringify a YAML
 * document: they compute edits against source offsets and apply them here, so every byte
 * outside an edit stays as it was.
 */

/** Replace `text.slice(start, end)` with `insert` (start === end inserts). */
export interface TextEdit {
  start: number
  end: number
  insert: string
}

/** Applies edits that do not overlap; edits at the same offset keep their given order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.index - b.index)
  let out = ''
  let at = 0
  for (const { edit } of ordered) {
    if (edit.start < at || edit.end < edit.start || edit.end > text.length)
      throw new Error(`Overlapping or out-of-range edit [${edit.start}, ${edit.end})`)
    out += text.slice(at, edit.start) + edit.insert
    at = edit.end
  }
  return out + text.slice(at)
}

/** Offset of the first character of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1
}

/**
 * Offset just after the line break of the line holding the character at `lastChar` (the last
 * character of a node), or text.length when that line is the last one and has no break.
 */
export function lineEnd(text: string, lastChar: number): number {
  const newline = text.indexOf('\n', Math.max(lastChar, 0))
  return newline === -1 ? text.length : newline + 1
}

/** The 1-based line number of `offset`, for messages. */
export function lineNumber(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** Column of `offset` in its line (0-based, counting characters; a byte order mark is not one). */
export function column(text: string, offset: number): number {
  const start = lineStart(text, offset)
  return offset - start - (start === 0 && text.startsWith('\uFEFF') ? 1 : 0)
}

/**
 * The line break to write near `offset`: the one ending that line, else the one before it,
 * else the file's first, else LF. A CRLF file stays CRLF on inserted lines.
 */
export function lineBreakNear(text: string, offset: number): string {
  const after = text.indexOf('\n', offset)
  const at = after !== -1 ? after : text.lastIndexOf('\n', offset)
  if (at === -1) return '\n'
  return text[at - 1] === '\r' ? '\r\n' : '\n'
}

/**
 * An edit inserting whole lines at `offset` (a line start, or text.length). When the file ends
 * without a line break the new lines go after a break and the file still ends without one.
 */
export function insertLines(text: string, offset: number, lines: readonly string[], eol: string): TextEdit {
  const unterminated = offset === text.length && text.length > 0 && !text.endsWith('\n')
  const insert = unterminated ? eol + lines.join(eol) : lines.map((line) => line + eol).join('')
  return { start: offset, end: offset, insert }
}
