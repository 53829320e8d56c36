import type { SecuritySeverity } from '../github/code-scanning.js'

/** One result from a SARIF 2.1.0 log that carries a security severity. */
export interface SarifFinding {
  rule: string
  message: string
  severity: SecuritySeverity
  score: number
  tool: string
  location: string | undefined
}

export interface SarifSummary {
  findings: SarifFinding[]
  /** Results without a security-severity (code quality, lint): not security findings. */
  unrated: number
  /** Results suppressed in the log (suppressions[] not rejected) or no longer present. */
  suppressed: number
}

export const SEVERITY_ORDER: readonly SecuritySeverity[] = ['low', 'medium', 'high', 'critical']

/** GitHub's bands for the `security-severity` score (a CVSS number as a string). */
export function severityOfScore(score: number): SecuritySeverity | undefined {
  if (!(score > 0)) return undefined
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  return 'low'
}

export function atLeast(severity: SecuritySeverity | undefined, threshold: SecuritySeverity): boolean {
  return severity !== undefined && SEVERITY_ORDER.indexOf(severity) >= SEVERITY_ORDER.indexOf(threshold)
}

type Json = Record<string, unknown>

const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {}
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/**
 * Reads the findings of a SARIF log as GitHub code scanning would rate them: a result's
 * severity comes from `properties["security-severity"]` on the result or else on its rule
 * (looked up by ruleIndex or ruleId in the driver and its extensions).
 */
export function readSarif(text: string): SarifSummary {
  let log: Json
  try {
    log = obj(JSON.parse(text))
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`, { cause: error })
  }
  if (!Array.isArray(log['runs'])) throw new Error('not a SARIF log: it has no runs[]')
  const summary: SarifSummary = { findings: [], unrated: 0, suppressed: 0 }
  for (const run of arr(log['runs']).map(obj)) {
    const tool = obj(run['tool'])
    const driver = obj(tool['driver'])
    const toolName = typeof driver['name'] === 'string' ? driver['name'] : 'unknown tool'
    const rules = [driver, ...arr(tool['extensions']).map(obj)].flatMap((component) =>
      arr(component['rules']).map(obj)
    )
    const driverRules = arr(driver['rules']).map(obj)
    for (const result of arr(run['results']).map(obj)) {
      const suppressed = arr(result['suppressions']).some((s) => obj(s)['status'] !== 'rejected')
      if (suppressed || result['baselineState'] === 'absent') {
        summary.suppressed++
        continue
      }
      const ruleId =
        typeof result['ruleId'] === 'string'
          ? result['ruleId']
          : typeof obj(result['rule'])['id'] === 'string'
            ? (obj(result['rule'])['id'] as string)
            : undefined
      const index = typeof result['ruleIndex'] === 'number' ? result['ruleIndex'] : undefined
      const rule =
        (index !== undefined ? driverRules[index] : undefined) ?? rules.find((r) => r['id'] === ruleId) ?? {}
      const raw =
        obj(result['properties'])['security-severity'] ?? obj(rule['properties'])['security-severity']
      const score = Number(raw)
      const severity = raw === undefined ? undefined : severityOfScore(score)
      if (severity === undefined) {
        summary.unrated++
        continue
      }
      const location = obj(obj(arr(result['locations'])[0])['physicalLocation'])
      const path = obj(location['artifactLocation'])['uri']
      const line = obj(location['region'])['startLine']
      summary.findings.push({
        rule: ruleId ?? (typeof rule['id'] === 'string' ? rule['id'] : 'unknown rule'),
        message: String(obj(result['message'])['text'] ?? obj(rule['shortDescription'])['text'] ?? ''),
        severity,
        score,
        tool: toolName,
        location:
          typeof path === 'string' ? `${path}${typeof line === 'number' ? `:${line}` : ''}` : undefined
      })
    }
  }
  return summary
}
