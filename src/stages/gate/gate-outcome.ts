import type { GateMode } from '../../settings/gate-settings.js'
import type { GateRecord } from './evaluate-gates.js'

/** What a gate run concluded, for the check run, the job summary, the outputs and the caller. */
export interface GateOutcome {
  environment: string
  upstream: string | undefined
  sha: string
  mode: GateMode
  /** Every gate passed or was skipped (true when none is configured). */
  passed: boolean
  /** The check run's conclusion: success, failure, or neutral when no gate decided anything. */
  conclusion: 'success' | 'failure' | 'neutral'
  gates: GateRecord[]
  /** Names of the gates that failed, errored or are still pending. */
  failedGates: string[]
  freezeOverride: { reason: string; actor: string } | undefined
  durationMs: number
  checkRun: { id: number; url: string | undefined } | undefined
  runUrl: string
}

export function decide(
  gates: readonly GateRecord[]
): Pick<GateOutcome, 'passed' | 'conclusion' | 'failedGates'> {
  const failedGates = gates
    .filter((g) => g.status === 'failed' || g.status === 'errored' || g.status === 'pending')
    .map((g) => g.name)
  const passed = failedGates.length === 0
  const decided = gates.some((g) => g.status !== 'skipped')
  return { passed, failedGates, conclusion: !passed ? 'failure' : decided ? 'success' : 'neutral' }
}

/** The `report` output: everything, as JSON. */
export function reportJson(outcome: GateOutcome): string {
  return JSON.stringify({
    environment: outcome.environment,
    upstream: outcome.upstream ?? null,
    sha: outcome.sha,
    mode: outcome.mode,
    passed: outcome.passed,
    conclusion: outcome.conclusion,
    failedGates: outcome.failedGates,
    freezeOverride: outcome.freezeOverride ?? null,
    durationMs: outcome.durationMs,
    checkRunId: outcome.checkRun?.id ?? null,
    gates: outcome.gates.map((g) => ({
      name: g.name,
      uses: g.uses,
      status: g.status,
      summary: g.summary,
      evidence: g.evidence,
      warnings: g.warnings,
      durationMs: g.durationMs,
      attempts: g.attempts
    }))
  })
}
