/**
 * Shows a runner's raw stdout the way the Actions log view does: groups as headings,
 * annotations as coloured lines, masks and debug lines hidden.
 */
const colour = process.stdout.isTTY && !process.env['NO_COLOR']
const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text)
export const bold = (t: string) => paint('1', t)
export const dim = (t: string) => paint('2', t)
export const red = (t: string) => paint('31', t)
export const green = (t: string) => paint('32', t)
export const yellow = (t: string) => paint('33', t)
export const cyan = (t: string) => paint('36', t)

export function renderRunnerLine(line: string, indent = '    '): string | undefined {
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::') || line.startsWith('::save-state'))
    return undefined
  const group = /^::group::(.*)$/.exec(line)
  if (group) return `${indent}${cyan('▸')} ${bold(group[1]!)}`
  if (line === '::endgroup::') return undefined
  const annotation = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
  if (annotation) {
    const [, level, props, message] = annotation
    const title = /title=([^,]*)/.exec(props ?? '')?.[1]
    const text = `${level === 'error' ? 'Error' : level === 'warning' ? 'Warning' : 'Notice'}${title ? ` (${decode(title)})` : ''}: ${decode(message!)}`
    return `${indent}${level === 'error' ? red(text) : level === 'warning' ? yellow(text) : text}`
  }
  return `${indent}  ${line}`
}

function decode(text: string): string {
  return text
    .replace(/%0A/g, '\n      ')
    .replace(/%0D/g, '')
    .replace(/%25/g, '%')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
}

/** A job summary, shortened to its tables and headings so the demo stays readable. */
export function renderSummary(markdown: string, indent = '    '): string {
  const lines = markdown
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('<') && !/^\|\s*---/.test(l))
    .slice(0, 40)
  return lines.map((l) => `${indent}${dim('│')} ${l}`).join('\n')
}
