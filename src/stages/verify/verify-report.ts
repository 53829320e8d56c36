import type { HealthCheckResult } from '../../health/probe-until-healthy.js'

/** One line of the verdict: an HTTP check or a Kubernetes check, in the same shape. */
export interface CheckOutcome {
  name: string
  type: 'http' | 'rollout' | 'no-restarts' | 'pod-disruption-budget' | 'target' | 'gitops-sync'
  healthy: boolean
  /** HTTP probes made; Kubernetes checks have none. */
  attempts: number | null
  p50Ms: number | null
  p95Ms: number | null
  durationMs: number
  /** Why it passed or failed, in a sentence. */
  detail: string
  /** HTTP only: every probe (status, latency, reason), as the log shows them. */
  probes?: Array<{ status: number | null; latencyMs: number; reason: string }>
  url?: string
}

/** One verification pass: after promotion, or again after a rollback. */
export interface VerificationRound {
  healthy: boolean
  durationMs: number
  checks: CheckOutcome[]
}

export interface RollbackTargetReport {
  target: string
  /** `replica-set`, `images` or `unchanged` as the rollback reported, or `skipped` / `failed`. */
  method: string
  message: string
  /** The rollout after the rollback: succeeded, failed, timed-out, ... */
  rollout?: string
}

/** The `report` output: everything the verdict rests on. */
export interface VerifyReport {
  environment: string
  sha: string
  image?: string
  healthy: boolean
  onFailure: 'rollback' | 'report'
  verification: VerificationRound
  rollback?: {
    targets: RollbackTargetReport[]
    /** The verification after the rollback, when one ran. */
    verification?: VerificationRound
  }
  deployment?: { id: number; state: 'success' | 'failure'; description: string } | { id: null; note: string }
}

export function outcomeFromHttp(result: HealthCheckResult): CheckOutcome {
  return {
    name: result.name,
    type: 'http',
    healthy: result.healthy,
    attempts: result.attempts,
    p50Ms: result.p50Ms,
    p95Ms: result.p95Ms,
    durationMs: result.durationMs,
    detail: result.finalReason,
    url: result.url,
    probes: result.probes.map((p) => ({ status: p.status ?? null, latencyMs: p.latencyMs, reason: p.reason }))
  }
}

/** `{ "name": { "p50": 12, "p95": 30 } }` for the `latencies` output (HTTP checks only). */
export function latencies(
  round: VerificationRound
): Record<string, { p50: number | null; p95: number | null }> {
  return Object.fromEntries(
    round.checks.filter((c) => c.type === 'http').map((c) => [c.name, { p50: c.p50Ms, p95: c.p95Ms }])
  )
}

/** The failing checks' reasons, one sentence each, for the Deployment status and the error. */
export function failureReasons(round: VerificationRound): string[] {
  return round.checks.filter((c) => !c.healthy).map((c) => `${c.name}: ${c.detail}`)
}
