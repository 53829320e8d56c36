import type { CommitCheck } from '../github/commit-checks.js'
import type { Evidence, GateResult } from './gate-definition.js'
import { matchesName } from './name-patterns.js'

export const checkConclusion = [
  'success',
  'neutral',
  'skipped',
  'failure',
  'cancelled',
  'timed_out',
  'action_required',
  'stale'
] as const

export interface CheckEvaluation {
  passed: CommitCheck[]
  failed: CommitCheck[]
  /** Queued or in progress. */
  running: CommitCheck[]
  /** Patterns that matched no check run or status at all. */
  neverRan: string[]
}

/**
 * Matches `patterns` against a commit's checks (newest per name already chosen) and sorts each
 * match by outcome. `ignore` names the action's own check run, which a `*` must not pick up.
 */
export function evaluateChecks(
  checks: readonly CommitCheck[],
  patterns: readonly string[],
  accepted: readonly string[],
  ignore: string
): CheckEvaluation {
  const evaluation: CheckEvaluation = { passed: [], failed: [], running: [], neverRan: [] }
  const seen = new Set<CommitCheck>()
  for (const pattern of patterns) {
    const matches = checks.filter((c) => c.name !== ignore && matchesName(pattern, c.name))
    if (matches.length === 0) evaluation.neverRan.push(pattern)
    for (const check of matches) {
      if (seen.has(check)) continue
      seen.add(check)
      if (check.state !== 'completed') evaluation.running.push(check)
      else if (accepted.includes(check.conclusion ?? '')) evaluation.passed.push(check)
      else evaluation.failed.push(check)
    }
  }
  return evaluation
}

export function describeCheckState(check: CommitCheck): string {
  if (check.state === 'queued') return 'queued'
  if (check.state === 'in_progress') return check.kind === 'commit status' ? 'pending' : 'in progress'
  return check.conclusion ?? 'completed'
}

/** The verdict and the evidence table rows for an evaluation; failures first, then what is missing. */
export function checkResult(evaluation: CheckEvaluation, what: string): GateResult {
  const { passed, failed, running, neverRan } = evaluation
  const evidence: Evidence[] = [
    ...failed.map((c) => item(c)),
    ...neverRan.map((name) => ({ label: name, value: 'never ran' })),
    ...running.map((c) => item(c)),
    ...passed.map((c) => item(c))
  ]
  const total = passed.length + failed.length + running.length + neverRan.length
  const parts: string[] = []
  if (failed.length)
    parts.push(`failed: ${failed.map((c) => `${c.name} (${describeCheckState(c)})`).join(', ')}`)
  if (neverRan.length) parts.push(`never ran: ${neverRan.join(', ')}`)
  if (running.length)
    parts.push(`not finished: ${running.map((c) => `${c.name} (${describeCheckState(c)})`).join(', ')}`)
  if (failed.length)
    return {
      status: 'failed',
      summary: `${failed.length} of ${total} ${what} did not succeed; ${parts.join('; ')}`,
      evidence
    }
  // GitHub shows a required check that has not reported as "Expected — waiting": it may still run.
  if (running.length || neverRan.length)
    return {
      status: 'pending',
      summary: `${running.length + neverRan.length} of ${total} ${what} not finished; ${parts.join('; ')}`,
      evidence
    }
  return { status: 'passed', summary: `all ${total} ${what} succeeded`, evidence }
}

function item(check: CommitCheck): Evidence {
  return { label: check.name, value: describeCheckState(check), ...(check.url ? { url: check.url } : {}) }
}
