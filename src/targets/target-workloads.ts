import type { ResolvedEnvironment, Target } from '../config/schema.js'
import { describeWorkload, type Workload, type WorkloadRef } from '../kubernetes/api/workload-types.js'
import { compareCodeUnits } from '../runtime/code-unit-order.js'
import type { ConnectedCluster } from './connect-clusters.js'
import { targetKey } from './expand-target.js'
import type { LiveObjects } from './live-objects.js'
import { lockScopes, type LockScope } from './lock-identity.js'

/** One workload a configured target names, as listed. */
export interface TargetWorkload {
  cluster: ConnectedCluster
  target: Target
  ref: WorkloadRef
  workload: Workload
  /** `cluster/namespace/kind/name`. */
  key: string
}

/** A target that names nothing in a cluster: no namespace, no such workload, an empty selector. */
export interface UnresolvedTargetWorkload {
  cluster: string
  target: Target
  message: string
}

export interface EnvironmentWorkloads {
  workloads: TargetWorkload[]
  unresolved: UnresolvedTargetWorkload[]
}

/**
 * The workloads an environment's targets name in each of its clusters, read from one list per
 * kind and namespace (and per selector, for selector targets) through `objects`: a target by
 * name is found in the namespace's list instead of being read on its own, so checking fifty
 * workloads costs the same requests as checking one. API errors (a forbidden list) are thrown.
 */
export async function readTargetWorkloads(
  objects: LiveObjects,
  clusters: readonly ConnectedCluster[],
  targets: readonly Target[]
): Promise<EnvironmentWorkloads> {
  const found: TargetWorkload[] = []
  const unresolved: UnresolvedTargetWorkload[] = []
  await Promise.all(
    clusters.flatMap((cluster) =>
      targets.map(async (target) => {
        const namespace = target.namespace ?? cluster.namespace
        if (!namespace) {
          unresolved.push({
            cluster: cluster.name,
            target,
            message: `cluster ${cluster.name}: no namespace for target ${target.name ?? target.selector}`
          })
          return
        }
        const listed = await objects.list<Workload>(cluster.api, target.kind, namespace, target.selector)
        const chosen = target.name ? listed.filter((w) => w.metadata?.name === target.name) : listed
        if (chosen.length === 0) {
          unresolved.push({
            cluster: cluster.name,
            target,
            message: target.name
              ? `${describeWorkload({ kind: target.kind, name: target.name })} does not exist in ${cluster.name}/${namespace}`
              : `no ${target.kind} in ${cluster.name}/${namespace} matches the selector ${target.selector}`
          })
          return
        }
        for (const workload of chosen) {
          const ref: WorkloadRef = { kind: target.kind, name: workload.metadata?.name ?? '', namespace }
          found.push({ cluster, target, ref, workload, key: targetKey({ cluster, ref }) })
        }
      })
    )
  )
  // Promise.all settles in completion order; reports read better in a stable one.
  found.sort((a, b) => compareCodeUnits(a.key, b.key))
  return { workloads: [...new Map(found.map((w) => [w.key, w])).values()], unresolved }
}

/**
 * Every cluster and namespace an environment lives in: its targets' namespaces (as the lock
 * scopes them), or the cluster's default namespace for an environment without targets.
 */
export function environmentScopes(
  clusters: readonly ConnectedCluster[],
  environment: Pick<ResolvedEnvironment, 'targets'>
): LockScope[] {
  return lockScopes(clusters, environment.targets.length > 0 ? environment.targets : [{}])
}
