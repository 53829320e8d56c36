/** Small markdown builders for job summaries and check-run output. */

export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n')
}

export function details(summary: string, body: string): string {
  return `<details><summary>${escapeCell(summary)}</summary>\n\n${body}\n\n</details>`
}

export function codeBlock(text: string, language = ''): string {
  const fence = text.includes('```') ? '````' : '```'
  return `${fence}${language}\n${text}\n${fence}`
}

/** The runner rejects a step summary over 1 MiB; stay well inside it and say so when cut. */
export const SUMMARY_LIMIT_BYTES = 1_000_000

export function truncateMarkdown(markdown: string, limitBytes: number, link?: string): string {
  if (Buffer.byteLength(markdown) <= limitBytes) return markdown
  const note = `\n\n_…truncated to fit GitHub's size limit${link ? `; the full report is in the [run log](${link})` : ''}._\n`
  let cut = markdown.slice(0, Math.max(0, limitBytes - Buffer.byteLength(note) - 16))
  while (Buffer.byteLength(cut) > limitBytes - Buffer.byteLength(note)) cut = cut.slice(0, -1024)
  return cut + note
}
