import type { Evidence, GateStatus } from '../../gates/gate-definition.js'
import type { GateRecord } from './evaluate-gates.js'
import type { GateOutcome } from './gate-outcome.js'

const ICON: Record<GateStatus, string> = {
  passed: '✅',
  failed: '❌',
  pending: '⏳',
  skipped: '⏭️',
  errored: '⚠️'
}

export interface RenderLimits {
  /** The most characters the markdown may have (65535 for a check run's summary and text). */
  maxLength: number
}

/** "3 of 5 gates did not pass" */
export function headline(
  outcome: Pick<GateOutcome, 'passed' | 'conclusion' | 'gates' | 'failedGates' | 'environment'>
): string {
  if (outcome.gates.length === 0) return `No promotion gates configured for ${outcome.environment}`
  if (outcome.passed) return `Promotion gates passed for ${outcome.environment}`
  return `${outcome.failedGates.length} of ${outcome.gates.length} promotion gates did not pass for ${outcome.environment}`
}

/**
 * The verdict and the table (gate, status, evidence, duration), kept under `maxLength`: cells
 * are shortened first, then rows dropped with a pointer to the run, so a report is always
 * published however much evidence the gates found.
 */
export function renderSummary(outcome: GateOutcome, limits: RenderLimits, progress?: string): string {
  const head = header(outcome, progress)
  const footer = `\n\n[Run log and job summary](${outcome.runUrl || '#'})`
  // Progressively less per cell until it fits: all evidence, then 5 items, then 1, then none.
  for (const shape of [
    { items: 20, cell: 4000 },
    { items: 5, cell: 1200 },
    { items: 1, cell: 400 },
    { items: 0, cell: 200 }
  ]) {
    const rows = outcome.gates.map((g) => row(g, shape.items, shape.cell))
    const text = `${head}${table(rows)}${footer}`
    if (text.length <= limits.maxLength) return text
  }
  // Still too long: as many rows as fit, then say where the rest is.
  const rows = outcome.gates.map((g) => row(g, 0, 200))
  let kept = rows.length
  const note = (dropped: number) =>
    `\n\n… ${dropped} more gate(s) not shown: the full report is in the [run's job summary](${outcome.runUrl || '#'}) and the \`report\` output.`
  while (
    kept > 0 &&
    `${head}${table(rows.slice(0, kept), rows.length)}${note(rows.length - kept)}`.length > limits.maxLength
  )
    kept--
  return clip(
    `${head}${table(rows.slice(0, kept), rows.length)}${note(rows.length - kept)}`,
    limits.maxLength
  )
}

/** Every gate's full evidence, for the check run's `text` (the details below the summary). */
export function renderDetails(outcome: GateOutcome, limits: RenderLimits): string {
  const sections = outcome.gates.map((g) => {
    const lines = [`### ${ICON[g.status]} ${escapeText(g.name)}: ${g.status}`, '', escapeText(g.summary)]
    for (const warning of g.warnings) lines.push('', `> ⚠️ ${escapeText(warning)}`)
    if (g.evidence.length) lines.push('', ...g.evidence.map((e) => `- ${evidenceText(e)}`))
    return lines.join('\n')
  })
  const text = sections.join('\n\n')
  if (text.length <= limits.maxLength) return text
  const tail = `\n\n… truncated to fit GitHub's limit; the full report is in the [run's job summary](${outcome.runUrl || '#'}) and the \`report\` output.`
  return clip(text, limits.maxLength - tail.length) + tail
}

function header(outcome: GateOutcome, progress: string | undefined): string {
  const icon = progress ? '⏳' : outcome.gates.length === 0 ? '➖' : outcome.passed ? '✅' : '❌'
  const lines = [`## ${icon} ${progress ?? headline(outcome)}`, '']
  const from = outcome.upstream ? ` from ${outcome.upstream}` : ''
  const seconds = (outcome.durationMs / 1000).toFixed(1)
  lines.push(
    `\`${outcome.sha.slice(0, 7)}\` → **${escapeText(outcome.environment)}**${escapeText(from)} · mode: **${outcome.mode}**${outcome.mode === 'report' ? ' (the step never fails; this check carries the verdict)' : ''} · ${outcome.gates.length} gate(s) in ${seconds} s`
  )
  if (outcome.freezeOverride)
    lines.push(
      '',
      `> ⚠️ **Freeze override** by @${escapeText(outcome.freezeOverride.actor || 'unknown')}: "${escapeText(outcome.freezeOverride.reason)}"`
    )
  lines.push('', '')
  return lines.join('\n')
}

function table(rows: string[], configured = rows.length): string {
  if (configured === 0)
    return '_No gates are configured for this environment (gates: in the promotion config)._'
  if (rows.length === 0) return ''
  return ['| Gate | Status | Evidence | Duration |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function row(gate: GateRecord, items: number, cell: number): string {
  const parts = [escapeCell(gate.summary)]
  for (const warning of gate.warnings) parts.push(`⚠️ ${escapeCell(warning)}`)
  const shown = gate.evidence.slice(0, items)
  for (const e of shown) parts.push(escapeCell(evidenceText(e), true))
  if (gate.evidence.length > shown.length && items > 0)
    parts.push(`… ${gate.evidence.length - shown.length} more`)
  const evidence = clip(parts.join('<br>'), cell)
  const attempts = gate.attempts > 1 ? ` (${gate.attempts} checks)` : ''
  return `| ${clip(escapeCell(gate.name), 200)} | ${ICON[gate.status]} ${gate.status} | ${evidence} | ${formatSeconds(gate.durationMs)}${attempts} |`
}

function evidenceText(e: Evidence): string {
  const label = e.url ? `[${escapeText(e.label).replace(/[[\]]/g, '')}](${e.url})` : escapeText(e.label)
  return e.value !== undefined && e.value !== '' ? `${label}: ${escapeText(String(e.value))}` : label
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** Markdown-significant characters that would break a table cell or inject markup. */
function escapeText(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
}

function escapeCell(text: string, alreadyEscaped = false): string {
  const base = alreadyEscaped ? text : escapeText(text)
  return base.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

/** Cuts at `max` characters without splitting a surrogate pair or leaving a dangling escape. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = text.slice(0, Math.max(0, max - 1))
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  cut = cut
    .replace(/\\$/, '')
    .replace(/<b?r?$/, '')
    .replace(/&[a-z]{0,3}$/, '')
  return `${cut}…`
}
