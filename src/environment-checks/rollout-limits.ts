import type { IntOrString, V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node'
import type { Workload, WorkloadKind } from '../kubernetes/workload-kinds.js'

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

/**
 * The rollout limits of `workload`. `replicas` overrides the count read from the object
 * (needed for a DaemonSet whose status is not filled in yet).
 */
export function rolloutLimits(kind: WorkloadKind, workload: Workload, replicas?: number): RolloutLimits {
  switch (kind) {
    case 'Deployment':
      return deploymentLimits(workload as V1Deployment, replicas)
    case 'StatefulSet':
      return statefulSetLimits(workload as V1StatefulSet, replicas)
    case 'DaemonSet':
      return daemonSetLimits(workload as V1DaemonSet, replicas)
  }
}

/** Spec replicas with the API default of 1 (a DaemonSet reads its desired number scheduled). */
export function workloadReplicas(kind: WorkloadKind, workload: Workload): number {
  if (kind === 'DaemonSet') return (workload as V1DaemonSet).status?.desiredNumberScheduled ?? 0
  return (workload as V1Deployment | V1StatefulSet).spec?.replicas ?? 1
}

function deploymentLimits(deployment: V1Deployment, override: number | undefined): RolloutLimits {
  const replicas = override ?? deployment.spec?.replicas ?? 1
  const strategy = deployment.spec?.strategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'Recreate') return { strategy, replicas, maxSurge: 0, maxUnavailable: replicas, problems }
  const rolling = deployment.spec?.strategy?.rollingUpdate
  const surge = resolve(rolling?.maxSurge, '25%', replicas, true, 'maxSurge', problems)
  let unavailable = resolve(rolling?.maxUnavailable, '25%', replicas, false, 'maxUnavailable', problems)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { strategy, replicas, maxSurge: surge, maxUnavailable: Math.min(unavailable, replicas), problems }
}

function statefulSetLimits(statefulSet: V1StatefulSet, override: number | undefined): RolloutLimits {
  const replicas = override ?? statefulSet.spec?.replicas ?? 1
  const strategy = statefulSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'OnDelete') return { strategy, replicas, maxSurge: 0, maxUnavailable: 0, problems }
  const given = statefulSet.spec?.updateStrategy?.rollingUpdate?.maxUnavailable
  const unavailable = Math.max(1, resolve(given, 1, replicas, true, 'maxUnavailable', problems))
  return { strategy, replicas, maxSurge: 0, maxUnavailable: Math.min(unavailable, replicas), problems }
}

function daemonSetLimits(daemonSet: V1DaemonSet, override: number | undefined): RolloutLimits {
  const replicas = override ?? daemonSet.status?.desiredNumberScheduled ?? 0
  const strategy = daemonSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'OnDelete') return { strategy, replicas, maxSurge: 0, maxUnavailable: 0, problems }
  const rolling = daemonSet.spec?.updateStrategy?.rollingUpdate
  const surge = resolve(rolling?.maxSurge, 0, replicas, true, 'maxSurge', problems)
  let unavailable = resolve(rolling?.maxUnavailable, 1, replicas, true, 'maxUnavailable', problems)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { strategy, replicas, maxSurge: surge, maxUnavailable: Math.min(unavailable, replicas), problems }
}

function resolve(
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
