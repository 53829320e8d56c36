import type { ResolvedEnvironment } from '../../config/schema.js'
import { describeWorkload, type WorkloadRef } from '../../kubernetes/workload-kinds.js'
import type { ClusterHandle } from '../promote/cluster-connections.js'

/** One workload in one cluster that the verify stage checks (and may roll back). */
export interface VerifyTarget {
  cluster: ClusterHandle
  ref: WorkloadRef
  /** The containers the config names; undefined = those running the promoted repository. */
  containers: string[] | undefined
}

/** `cluster/namespace/kind/name`, the same key the promote stage uses in its outputs. */
export function verifyTargetKey(target: { cluster: { name: string }; ref: WorkloadRef }): string {
  return `${target.cluster.name}/${target.ref.namespace}/${describeWorkload(target.ref)}`
}

/**
 * The environment's targets in every cluster, label selectors expanded. A target that cannot be
 * resolved is returned in `problems` (it fails verification) instead of stopping the others.
 */
export async function resolveVerifyTargets(
  environment: ResolvedEnvironment,
  clusters: ClusterHandle[]
): Promise<{ targets: VerifyTarget[]; problems: Array<{ cluster: string; message: string }> }> {
  const targets: VerifyTarget[] = []
  const problems: Array<{ cluster: string; message: string }> = []
  for (const cluster of clusters) {
    for (const target of environment.targets) {
      const namespace = target.namespace ?? cluster.namespace
      const label = target.name ?? `selector ${JSON.stringify(target.selector)}`
      if (!namespace) {
        problems.push({ cluster: cluster.name, message: `no namespace for target ${label}` })
        continue
      }
      if (target.name) {
        targets.push({
          cluster,
          ref: { kind: target.kind, name: target.name, namespace },
          containers: target.containers
        })
        continue
      }
      try {
        const list = await cluster.api.listWorkloads(target.kind, namespace, {
          labelSelector: target.selector!
        })
        if (list.items.length === 0)
          problems.push({
            cluster: cluster.name,
            message: `no ${target.kind} in namespace ${namespace} matches ${label}`
          })
        for (const name of list.items.map((item) => item.metadata?.name ?? '').sort())
          targets.push({
            cluster,
            ref: { kind: target.kind, name, namespace },
            containers: target.containers
          })
      } catch (error) {
        problems.push({
          cluster: cluster.name,
          message: `could not list ${target.kind} for ${label}: ${(error as Error).message}`
        })
      }
    }
  }
  return { targets, problems }
}
