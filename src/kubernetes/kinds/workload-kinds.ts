import type { V1ReplicaSet } from '@kubernetes/client-node'
import type { Workload, WorkloadKind, WorkloadOf, WorkloadRef } from '../api/workload-types.js'
import { daemonSetAdapter } from './daemonset.js'
import { deploymentAdapter } from './deployment.js'
import { statefulSetAdapter } from './statefulset.js'
import type { RolloutLimits } from './rollout-limits.js'
import type { NewPodMatcher, RolloutStatus, WorkloadAdapter } from './workload-adapter.js'
export type { CreateFailure } from './workload-adapter.js'

export type { RolloutLimits }

export {
  describeWorkload,
  type Workload,
  type WorkloadKind,
  type WorkloadRef
} from '../api/workload-types.js'

/**
 * The adapter of every workload kind the action promotes. Keyed by the config's kinds: adding a
 * kind to the config's enum without an adapter here is a type error, and adding one is an
 * adapter file plus one line (and a controller in the simulator).
 */
const ADAPTERS: { [K in WorkloadKind]: WorkloadAdapter<WorkloadOf<K>> } = {
  Deployment: deploymentAdapter,
  StatefulSet: statefulSetAdapter,
  DaemonSet: daemonSetAdapter
}

export function adapterFor(kind: WorkloadKind): WorkloadAdapter {
  return ADAPTERS[kind]
}

/** kubectl's rollout-status verdict for a workload of any kind. */
export function rolloutStatus(kind: WorkloadKind, workload: Workload, revision?: number): RolloutStatus {
  return adapterFor(kind).rolloutStatus(workload, revision)
}

/** How far the controller lets a rollout of the workload go beyond and below its replicas. */
export function rolloutLimits(kind: WorkloadKind, workload: Workload, replicas?: number): RolloutLimits {
  return adapterFor(kind).rolloutLimits(workload, replicas)
}

/** The replicas a workload runs at full health (a DaemonSet: the nodes it should run on). */
export function workloadReplicas(kind: WorkloadKind, workload: Workload): number {
  return adapterFor(kind).replicas(workload)
}

/** Which pods belong to the rollout in progress; undefined means "cannot tell yet": judge no pod. */
export function newPodMatcher(
  kind: WorkloadKind,
  workload: Workload,
  replicaSets: V1ReplicaSet[] = []
): NewPodMatcher | undefined {
  return adapterFor(kind).newPodMatcher(workload, replicaSets)
}

/** Resolves a kind as a user may write it (`deploy`, `Deployment`, `statefulsets`); undefined when unknown. */
export function workloadKindFromAlias(alias: string): WorkloadKind | undefined {
  const lower = alias.toLowerCase()
  return Object.values(ADAPTERS).find((adapter) => adapter.aliases.includes(lower))?.kind
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/**
 * Parses `kind/name` (kubectl style) into a WorkloadRef in `namespace`.
 * Throws naming the value and the expected form.
 */
export function parseWorkloadRef(value: string, namespace: string): WorkloadRef {
  const expected =
    'expected KIND/NAME with KIND one of deployment, statefulset, daemonset (or deploy, sts, ds), e.g. deployment/api'
  const parts = value.split('/')
  if (parts.length !== 2) throw new Error(`Invalid workload ${JSON.stringify(value)}: ${expected}`)
  const [kindText, name] = parts as [string, string]
  const kind = workloadKindFromAlias(kindText)
  if (kind === undefined)
    throw new Error(
      `Invalid workload ${JSON.stringify(value)}: unknown kind ${JSON.stringify(kindText)}; ${expected}`
    )
  if (!NAME.test(name) || name.length > 253) {
    throw new Error(
      `Invalid workload ${JSON.stringify(value)}: name ${JSON.stringify(name)} is not a valid Kubernetes object name (lower-case letters, digits, "-", ".")`
    )
  }
  return { kind, name, namespace }
}
