import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { listOpenCodeScanningAlerts } from '../github/code-scanning.js'
import { defineGate } from './gate-context.js'
import type { Evidence, GateResult } from './gate-definition.js'
import { atLeast, readSarif, SEVERITY_ORDER } from './sarif.js'

export const securitySettings = z.strictObject({
  severity: z
    .enum(['low', 'medium', 'high', 'critical'])
    .default('critical')
    .describe(
      'Fail on open findings at or above this security severity (GitHub rates security-severity >= 9.0 critical, >= 7.0 high, >= 4.0 medium).'
    ),
  ref: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The Git ref whose code scanning alerts count (refs/heads/main, refs/pull/12/merge). Default: the ref the workflow runs on.'
    ),
  tool: z
    .string()
    .min(1)
    .optional()
    .describe('Only alerts from this code scanning tool (CodeQL, Trivy, ...).'),
  sarif: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Read this SARIF file (the job's own scan, relative to the workspace) instead of asking the code scanning API."
    )
})

const LISTED = 50

export const security = defineGate({
  name: 'security',
  description:
    "No open code scanning alerts at or above a security severity (default critical) for the ref, or none in a SARIF file from the job's own scan. Lists the offending alerts. The API needs `security-events: read`.",
  settings: securitySettings,
  async run(settings, context) {
    const threshold = settings.severity
    if (settings.sarif) {
      const path = context.resolvePath(settings.sarif)
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        return {
          status: 'errored',
          summary: `cannot read the SARIF file ${settings.sarif} (${code ?? String(error)}): did the scan step run and write it?`,
          evidence: []
        }
      }
      let sarif
      try {
        sarif = readSarif(text)
      } catch (error) {
        return {
          status: 'errored',
          summary: `${settings.sarif} is ${(error as Error).message}`,
          evidence: []
        }
      }
      const offending = sarif.findings.filter((f) => atLeast(f.severity, threshold)).sort(bySeverity)
      return verdict(
        threshold,
        `in ${settings.sarif}`,
        offending.map((f) => ({
          label: `${f.severity} ${f.rule}${f.location ? ` at ${f.location}` : ''}`,
          value: truncate(f.message)
        })),
        [
          { label: 'findings with a security severity', value: sarif.findings.length },
          ...(sarif.unrated
            ? [{ label: 'results without security severity (ignored)', value: sarif.unrated }]
            : []),
          ...(sarif.suppressed ? [{ label: 'suppressed results (ignored)', value: sarif.suppressed }] : [])
        ]
      )
    }
    const ref = settings.ref ?? (context.workflow.ref || undefined)
    const alerts = await listOpenCodeScanningAlerts(context.github.octokit, context.github, {
      ref,
      toolName: settings.tool
    })
    const offending = alerts.filter((a) => atLeast(a.severity, threshold)).sort(bySeverity)
    return verdict(
      threshold,
      `for ${ref ?? 'the default branch'}`,
      offending.map((a) => ({
        label: `#${a.number} ${a.severity} ${a.rule}${a.location ? ` at ${a.location}` : ''}`,
        value: truncate(a.description),
        url: a.url
      })),
      [
        { label: 'open alerts', value: alerts.length },
        {
          label: 'alerts list',
          url: `${context.workflow.serverUrl}/${context.workflow.repository}/security/code-scanning${ref ? `?query=${encodeURIComponent(`is:open ref:${ref}`)}` : ''}`
        }
      ]
    )
  }
})

function verdict(threshold: string, where: string, offending: Evidence[], context: Evidence[]): GateResult {
  if (offending.length === 0)
    return {
      status: 'passed',
      summary: `no open findings of severity ${threshold} or higher ${where}`,
      evidence: context
    }
  const shown = offending.slice(0, LISTED)
  const more = offending.length - shown.length
  return {
    status: 'failed',
    summary: `${offending.length} open finding(s) of severity ${threshold} or higher ${where}: ${shown
      .slice(0, 3)
      .map((e) => e.label)
      .join('; ')}${offending.length > 3 ? '; ...' : ''}`,
    evidence: [...shown, ...(more > 0 ? [{ label: `${more} more`, value: 'not listed' }] : []), ...context]
  }
}

function bySeverity<T extends { severity: string | undefined }>(a: T, b: T): number {
  return SEVERITY_ORDER.indexOf(b.severity as never) - SEVERITY_ORDER.indexOf(a.severity as never)
}

function truncate(text: string): string {
  return text.length > 140 ? `${text.slice(0, 137)}...` : text
}
