import type { HttpCheck, ProbePolicy } from './http-check.js'
import {
  probeUntilHealthy,
  type HealthCheckResult,
  type ProbeUntilHealthyDeps
} from './probe-until-healthy.js'

/**
 * Runs every check at once and returns all results in the order of `checks`, so twenty URLs take
 * about as long as the slowest one. No check stops the others: the caller reports every failing
 * endpoint, not just the first. Log lines are prefixed with the check's name because parallel
 * checks interleave (and log groups cannot).
 */
export async function checkAll(
  checks: readonly HttpCheck[],
  policy: ProbePolicy | ((check: HttpCheck) => ProbePolicy),
  deps: ProbeUntilHealthyDeps
): Promise<HealthCheckResult[]> {
  const policyFor = typeof policy === 'function' ? policy : () => policy
  return Promise.all(checks.map((check) => probeUntilHealthy(check, policyFor(check), deps)))
}
