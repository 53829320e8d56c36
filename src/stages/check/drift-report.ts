import type { GateStatus } from '../../gates/gate-definition.js'
import { escapeCell, SUMMARY_LIMIT_BYTES, truncateMarkdown } from '../../runtime/markdown.js'

/** One environment check's answer for one environment. */
export interface CheckRecord {
  environment: string
  upstream: string | undefined
  /** The check (gate) name: parity, config, ... */
  check: string
  /** The gate entry's display name, else the check's. */
  name: string
  /** Whether the environment's gates name it (else it ran with its defaults). */
  configured: boolean
  status: GateStatus
  summary: string
  warnings: string[]
  markdown: string
  findings: unknown[]
  durationMs: number
}

/** Version 1 of the check stage's `report` output. Add fields; never change or remove one. */
export interface DriftReportJson {
  schemaVersion: 1
  /** ISO time the report was made (from the stage's Clock). */
  generatedAt: string
  sha: string
  failOn: 'drift' | 'never'
  /** Whether any check found drift or could not finish (errored). */
  drift: boolean
  durationMs: number
  environments: {
    environment: string
    upstream: string | undefined
    drift: boolean
    checks: Omit<CheckRecord, 'environment' | 'upstream' | 'markdown'>[]
  }[]
}

/** A check found drift when it failed; one that errored could not tell, and counts too. */
export function isDrift(status: GateStatus): boolean {
  return status === 'failed' || status === 'errored'
}

export function driftReportJson(
  records: CheckRecord[],
  meta: Pick<DriftReportJson, 'generatedAt' | 'sha' | 'failOn' | 'durationMs'>,
  environments: string[]
): DriftReportJson {
  return {
    schemaVersion: 1,
    ...meta,
    drift: records.some((r) => isDrift(r.status)),
    environments: environments.map((environment) => {
      const mine = records.filter((r) => r.environment === environment)
      return {
        environment,
        upstream: mine[0]?.upstream,
        drift: mine.some((r) => isDrift(r.status)),
        checks: mine.map(({ environment: _e, upstream: _u, markdown: _m, ...rest }) => rest)
      }
    })
  }
}

const ICON: Record<GateStatus, string> = {
  passed: '✅',
  failed: '❌',
  pending: '⏳',
  skipped: '⏭️',
  errored: '⚠️'
}

/**
 * The job summary: an overview (environment × check) and, per environment, each check's
 * verdict with its tables; checks that passed show their one-line summary only.
 */
export function driftReportMarkdown(
  records: CheckRecord[],
  report: DriftReportJson,
  options: { runUrl: string | undefined; checkOrder: readonly string[] }
): string {
  const { runUrl } = options
  const ran = new Set(records.map((r) => r.check))
  const checks = options.checkOrder.filter((check) => ran.has(check))
  const drifted = report.environments.filter((e) => e.drift).length
  const lines = [
    `## ${report.drift ? '❌' : '✅'} Drift report: ${
      report.drift
        ? `${drifted} of ${report.environments.length} environment(s) drifted`
        : `no drift in ${report.environments.length} environment(s)`
    }`,
    '',
    `\`${report.sha.slice(0, 7)}\` · ${records.length} check(s) in ${(report.durationMs / 1000).toFixed(1)} s · fail-on: **${report.failOn}** · ${report.generatedAt}`,
    ''
  ]
  if (checks.length > 0) {
    lines.push(
      `| Environment | From | ${checks.join(' | ')} |`,
      `| --- | --- | ${checks.map(() => '---').join(' | ')} |`
    )
    for (const env of report.environments) {
      const cells = checks.map((check) => {
        const mine = records.filter((r) => r.environment === env.environment && r.check === check)
        return mine.length === 0 ? '➖' : mine.map((r) => ICON[r.status]).join(' ')
      })
      lines.push(
        `| ${escapeCell(env.environment)} | ${escapeCell(env.upstream ?? '')} | ${cells.join(' | ')} |`
      )
    }
  } else lines.push('_No environment checks apply to this config._')
  for (const env of report.environments) {
    const mine = records.filter((r) => r.environment === env.environment)
    if (mine.length === 0) continue
    lines.push(
      '',
      `### ${env.drift ? '❌' : '✅'} ${env.environment}${env.upstream ? ` ← ${env.upstream}` : ''}`
    )
    for (const record of mine) {
      const defaults = record.configured ? '' : ' _(default settings)_'
      lines.push(
        '',
        `#### ${ICON[record.status]} ${record.name}: ${record.status}${defaults}`,
        '',
        record.summary
      )
      for (const warning of record.warnings) lines.push('', `> ⚠️ ${warning}`)
      if (isDrift(record.status) && record.markdown) lines.push('', record.markdown)
    }
  }
  lines.push(
    '',
    `The JSON form of this report is the \`report\` output${runUrl ? ` ([run](${runUrl}))` : ''}.`
  )
  return truncateMarkdown(`${lines.join('\n')}\n`, SUMMARY_LIMIT_BYTES, runUrl)
}
