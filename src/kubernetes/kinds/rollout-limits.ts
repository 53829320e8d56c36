import type { IntOrString } from '@kubernetes/client-node'

/**
 * How far a workload's controller lets a rollout go beyond and below its replica count,
 * computed as the controllers compute it:
 *
 * - Deployment `RollingUpdate` (default 25% / 25%): maxSurge rounds **up**, maxUnavailable
 *   rounds **down**; both 0 after rounding makes maxUnavailable 1 (ResolveFenceposts).
 *   `Recreate` deletes every old pod before creating new ones: no surge, all unavailable.
 * - StatefulSet `RollingUpdate`: no surge pods ever (a pod is deleted, then recreated under
 *   its own name); `maxUnavailable` (default 1, rounds up, at least 1) is honoured only where
 *   the MaxUnavailableStatefulSet feature gate is on, otherwise one pod at a time. `OnDelete`:
 *   the controller replaces nothing by itself.
 * - DaemonSet `RollingUpdate`: maxSurge (default 0) and maxUnavailable (default 1) are both
 *   scaled against `status.desiredNumberScheduled` and round **up**; both 0 makes
 *   maxUnavailable 1. `OnDelete` as for StatefulSets.
 */
export interface RolloutLimits {
  strategy: string
  /** Pods the workload runs at full health (DaemonSet: nodes it should run on). */
  replicas: number
  /** Pods the rollout may run above `replicas`. */
  maxSurge: number
  /** Pods the rollout may take below `replicas`. */
  maxUnavailable: number
  /** Values that are not an int or an "N%" string, each described for a person. */
  problems: string[]
}

/**
 * `GetScaledValueFromIntOrPercent`: an int as is, "N%" of `total` rounded up or down,
 * undefined for anything else (a string that is not a whole-number percentage).
 */
export function scaledIntOrPercent(
  value: IntOrString | undefined,
  total: number,
  roundUp: boolean
): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = /^(\d+)%$/.exec(value)
  if (!match) return undefined
  const scaled = (Number(match[1]) * total) / 100
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled)
}

/** An int-or-percent field of a rollout strategy, its default when unset; a bad value is a problem (and the default is used). */
export function resolveIntOrPercent(
  value: IntOrString | undefined,
  fallback: IntOrString,
  total: number,
  roundUp: boolean,
  field: string,
  problems: string[]
): number {
  const scaled = scaledIntOrPercent(value ?? fallback, total, roundUp)
  if (scaled !== undefined && scaled >= 0) return scaled
  problems.push(
    `${field} ${JSON.stringify(value)} is not a non-negative integer or a percentage such as "25%"`
  )
  return scaledIntOrPercent(fallback, total, roundUp)!
}
