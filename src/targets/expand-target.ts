import type { Target } from '../config/schema.js'
import { describeWorkload, type Workload, type WorkloadRef } from '../kubernetes/kinds/workload-kinds.js'
import { compareCodeUnits } from '../runtime/code-unit-order.js'
import { OperationalError } from '../runtime/errors.js'
import type { ConnectedCluster } from './connect-clusters.js'

/** `cluster/namespace/kind/name`: the key of a target in outputs, logs and both stages' reports. */
export function targetKey(target: { cluster: { name: string }; ref: WorkloadRef }): string {
  return `${target.cluster.name}/${target.ref.namespace}/${describeWorkload(target.ref)}`
}

/** One workload a configured target names in one cluster. */
export interface ExpandedTarget {
  ref: WorkloadRef
  /** The containers the config names; undefined = those running the promoted repository. */
  containers: string[] | undefined
  /** The workload as listed, when a label selector was expanded (no need to read it again). */
  workload?: Workload
}

/** A configured target that names no workload in a cluster: no namespace, or a selector that selects nothing. */
export class UnresolvedTarget extends OperationalError {
  constructor(
    readonly cluster: string,
    /** What is wrong, without the cluster. */
    readonly problem: string,
    title: string
  ) {
    super(`cluster ${cluster}: ${problem}`, { title })
  }
}

/**
 * A configured target as the workloads it names in one cluster: the named one, or what its
 * label selector selects there, in name order. The promote and verify stages both expand
 * targets here. Throws UnresolvedTarget; API errors (a forbidden list) are thrown as they are.
 */
export async function expandTarget(cluster: ConnectedCluster, target: Target): Promise<ExpandedTarget[]> {
  const namespace = target.namespace ?? cluster.namespace
  if (!namespace)
    throw new UnresolvedTarget(
      cluster.name,
      `no namespace for target ${target.name ?? JSON.stringify(target.selector)}: set the environment's or the cluster's namespace`,
      'Target has no namespace'
    )
  if (target.name)
    return [{ ref: { kind: target.kind, name: target.name, namespace }, containers: target.containers }]
  const list = await cluster.api.listWorkloads(target.kind, namespace, { labelSelector: target.selector! })
  if (list.items.length === 0)
    throw new UnresolvedTarget(
      cluster.name,
      `no ${target.kind} in namespace ${namespace} matches the selector ${JSON.stringify(target.selector)}`,
      'No matching target'
    )
  return list.items
    .sort((a, b) => compareCodeUnits(a.metadata?.name ?? '', b.metadata?.name ?? ''))
    .map((item) => ({
      ref: { kind: target.kind, name: item.metadata?.name ?? '', namespace },
      containers: target.containers,
      workload: item as Workload
    }))
}
