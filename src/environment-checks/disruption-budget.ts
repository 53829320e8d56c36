import type { V1PodDisruptionBudget } from '@kubernetes/client-node'
import { matchesLabelSelector } from '../kubernetes/api/label-selector.js'
import { describeWorkload, type Workload, type WorkloadKind } from '../kubernetes/api/workload-types.js'
import { scaledIntOrPercent } from '../kubernetes/kinds/rollout-limits.js'
import { rolloutLimits } from '../kubernetes/kinds/workload-kinds.js'

/**
 * Whether a production workload is protected by a PodDisruptionBudget (policy/v1) that a
 * node drain can honour, computed as the disruption controller computes it at full health:
 *
 * - Selection: the PDB's `selector` against the pod template's labels, in the workload's
 *   namespace. policy/v1: an empty selector `{}` selects every pod, an absent one none.
 * - `maxUnavailable` (int or "N%" of the replicas, rounded **up**): desiredHealthy =
 *   replicas − maxUnavailable. `minAvailable` int: desiredHealthy = minAvailable; "N%":
 *   N% of the replicas rounded **up**. allowedDisruptions = max(0, replicas − desiredHealthy).
 *   With neither field set (policy/v1 has no default and accepts that) the controller's
 *   expected count is 0, and it allows no disruption at all.
 * - Zero allowed disruptions (minAvailable ≥ replicas, maxUnavailable 0, "100%") blocks
 *   every drain: `blocks-drains`; minAvailable above the replicas is `unsatisfiable`.
 * - `floor` (default 2, the seed's `minAvailable: 2`): desiredHealthy must be at least that.
 * - Two or more PDBs selecting the pods: the eviction API refuses to evict them at all
 *   ("This pod has more than one PodDisruptionBudget, which the eviction subresource does
 *   not support"): `several-budgets`.
 * - The rollout is not held back by a PDB (controllers delete pods, they do not evict them).
 *   When the strategy may take availability below desiredHealthy (of a budget that allows
 *   disruptions at all), drains are blocked while a rollout runs: `rollout-below-budget`, a
 *   warning.
 *
 * The PDB may select pods of other workloads too; their count is not known here, so the
 * computation uses the workload's replicas alone.
 */
export interface DisruptionBudgetInput {
  kind: WorkloadKind
  workload: Workload
  /** Every PodDisruptionBudget of the workload's namespace. */
  budgets: V1PodDisruptionBudget[]
  /** Least desiredHealthy accepted; the seed's PDB has minAvailable: 2. */
  floor?: number
  /** Overrides the replica count (a DaemonSet's desired number scheduled). */
  replicas?: number
}

export type DisruptionProblem =
  | 'no-budget'
  | 'several-budgets'
  | 'invalid-budget'
  | 'unsatisfiable'
  | 'blocks-drains'
  | 'below-floor'
  | 'rollout-below-budget'

export interface DisruptionFinding {
  problem: DisruptionProblem
  severity: 'error' | 'warning'
  budget?: string
  message: string
}

export interface DisruptionBudgetAssessment {
  workload: string
  /** Names of the PDBs that select the workload's pods. */
  budgets: string[]
  replicas: number
  /** At full health, for the one selecting PDB (undefined with none, several or an invalid one). */
  desiredHealthy?: number
  allowedDisruptions?: number
  /** Least available pods the rollout strategy allows. */
  rolloutMinimum: number
  findings: DisruptionFinding[]
}

export const DEFAULT_DISRUPTION_FLOOR = 2

export function assessDisruptionBudget(input: DisruptionBudgetInput): DisruptionBudgetAssessment {
  const workload = describeWorkload({ kind: input.kind, name: input.workload.metadata?.name ?? '?' })
  const namespace = input.workload.metadata?.namespace
  const labels = input.workload.spec?.template?.metadata?.labels
  const rollout = rolloutLimits(input.kind, input.workload, input.replicas)
  const replicas = rollout.replicas
  const floor = input.floor ?? DEFAULT_DISRUPTION_FLOOR
  const rolloutMinimum = replicas - rollout.maxUnavailable

  const selecting = input.budgets.filter(
    (pdb) =>
      (namespace === undefined ||
        pdb.metadata?.namespace === undefined ||
        pdb.metadata.namespace === namespace) &&
      pdb.spec?.selector !== undefined &&
      pdb.spec.selector !== null &&
      matchesLabelSelector(labels, pdb.spec.selector)
  )
  const names = selecting.map((pdb) => pdb.metadata?.name ?? '?')
  const base = { workload, budgets: names, replicas, rolloutMinimum }
  const findings: DisruptionFinding[] = []

  if (selecting.length === 0) {
    findings.push({
      problem: 'no-budget',
      severity: 'error',
      message: `${workload}: no PodDisruptionBudget selects its pods (labels ${formatLabels(labels)})`
    })
    return { ...base, findings }
  }
  if (selecting.length > 1) {
    findings.push({
      problem: 'several-budgets',
      severity: 'error',
      message: `${workload}: ${selecting.length} PodDisruptionBudgets select its pods (${names.join(', ')}); the eviction API refuses to evict pods with more than one, so every drain stops at them`
    })
    return { ...base, findings }
  }

  const pdb = selecting[0]!
  const name = names[0]!
  const healthy = desiredHealthy(pdb, replicas)
  if (typeof healthy === 'string') {
    findings.push({
      problem: 'invalid-budget',
      severity: 'error',
      budget: name,
      message: `${workload}: PodDisruptionBudget ${name}: ${healthy}`
    })
    return { ...base, findings }
  }
  const allowed = Math.max(0, replicas - healthy)
  const rule = describeRule(pdb)

  if (healthy > replicas)
    findings.push({
      problem: 'unsatisfiable',
      severity: 'error',
      budget: name,
      message: `${workload}: PodDisruptionBudget ${name} (${rule}) wants ${healthy} healthy pods but the workload runs ${replicas}`
    })
  else if (allowed === 0)
    findings.push({
      problem: 'blocks-drains',
      severity: 'error',
      budget: name,
      message: `${workload}: PodDisruptionBudget ${name} (${rule}) allows 0 disruptions with ${replicas} replicas, so every node drain blocks on these pods`
    })
  if (healthy < floor)
    findings.push({
      problem: 'below-floor',
      severity: 'error',
      budget: name,
      message: `${workload}: PodDisruptionBudget ${name} (${rule}) keeps ${healthy} pod${healthy === 1 ? '' : 's'} available with ${replicas} replicas; at least ${floor} required`
    })
  if (rolloutMinimum < healthy && allowed > 0)
    findings.push({
      problem: 'rollout-below-budget',
      severity: 'warning',
      budget: name,
      message: `${workload}: the ${rollout.strategy} rollout may take it down to ${rolloutMinimum} available pod${rolloutMinimum === 1 ? '' : 's'}, below the ${healthy} PodDisruptionBudget ${name} keeps; node drains stall while a rollout runs`
    })
  return { ...base, desiredHealthy: healthy, allowedDisruptions: allowed, findings }
}

/** The disruption controller's desiredHealthy at full health, or a description of an invalid field. */
export function desiredHealthy(pdb: V1PodDisruptionBudget, replicas: number): number | string {
  const spec = pdb.spec ?? {}
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const unavailable = scaledIntOrPercent(spec.maxUnavailable, replicas, true)
    if (unavailable === undefined || unavailable < 0)
      return `maxUnavailable ${JSON.stringify(spec.maxUnavailable)} is not a non-negative integer or a percentage such as "25%"`
    return Math.max(0, replicas - unavailable)
  }
  // Neither field: no disruption is ever allowed, as if every replica had to stay.
  if (spec.minAvailable === undefined || spec.minAvailable === null) return replicas
  const available = scaledIntOrPercent(spec.minAvailable, replicas, true)
  if (available === undefined || available < 0)
    return `minAvailable ${JSON.stringify(spec.minAvailable)} is not a non-negative integer or a percentage such as "50%"`
  return available
}

function describeRule(pdb: V1PodDisruptionBudget): string {
  if (pdb.spec?.maxUnavailable !== undefined && pdb.spec.maxUnavailable !== null)
    return `maxUnavailable: ${pdb.spec.maxUnavailable}`
  if (pdb.spec?.minAvailable !== undefined && pdb.spec.minAvailable !== null)
    return `minAvailable: ${pdb.spec.minAvailable}`
  return 'neither minAvailable nor maxUnavailable set'
}

function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {})
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${v}`).join(',')
}
