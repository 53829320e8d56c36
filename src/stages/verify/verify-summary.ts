import { codeBlock, details, table } from '../../runtime/markdown.js'
import type { VerificationRound, VerifyReport } from './verify-report.js'

const ms = (value: number | null): string => (value === null ? '–' : `${Math.round(value)} ms`)

function roundTable(round: VerificationRound): string {
  if (round.checks.length === 0) return '_No checks configured._'
  return table(
    ['Check', 'Attempts', 'Status', 'p50', 'p95', 'Details'],
    round.checks.map((c) => [
      c.name,
      c.attempts === null ? '–' : String(c.attempts),
      c.healthy ? '✅ healthy' : '❌ failed',
      ms(c.p50Ms),
      ms(c.p95Ms),
      c.detail
    ])
  )
}

function failureDetails(round: VerificationRound): string {
  const failed = round.checks.filter((c) => !c.healthy && c.probes?.length)
  return failed
    .map((c) =>
      details(
        `${c.name}: ${c.probes!.length} probe(s)`,
        codeBlock(
          c
            .probes!.map((p, i) => `#${i + 1} ${p.status ?? 'no response'} ${p.latencyMs} ms ${p.reason}`)
            .join('\n')
        )
      )
    )
    .join('\n\n')
}

/** The job summary: the verdict, a table per verification round, and the probes of failed checks. */
export function verifySummary(report: VerifyReport): string {
  const parts: string[] = []
  const verdict = report.healthy ? '✅ healthy' : '❌ not healthy'
  parts.push(`## Verify ${report.environment}: ${verdict}`)
  parts.push(
    `Commit \`${report.sha}\`${report.image ? `, image \`${report.image}\`` : ''}; verified in ${Math.round(report.verification.durationMs)} ms.`
  )
  parts.push(roundTable(report.verification))
  const failures = failureDetails(report.verification)
  if (failures) parts.push(failures)
  if (report.rollback) {
    parts.push('### Rollback')
    parts.push(
      table(
        ['Target', 'Method', 'Rollout', 'Details'],
        report.rollback.targets.map((t) => [t.target, t.method, t.rollout ?? '–', t.message])
      )
    )
    if (report.rollback.verification) {
      const after = report.rollback.verification
      parts.push(`### Verification after rollback: ${after.healthy ? '✅ healthy' : '❌ not healthy'}`)
      parts.push(roundTable(after))
      const more = failureDetails(after)
      if (more) parts.push(more)
    }
  }
  if (report.deployment)
    parts.push(
      report.deployment.id === null
        ? `GitHub Deployment: ${report.deployment.note}`
        : `GitHub Deployment ${report.deployment.id} set to **${report.deployment.state}**: ${report.deployment.description}`
    )
  return parts.join('\n\n') + '\n'
}
