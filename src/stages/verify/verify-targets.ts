import type { ResolvedEnvironment } from '../../config/schema.js'
import type { WorkloadRef } from '../../kubernetes/kinds/workload-kinds.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import { expandTarget, UnresolvedTarget } from '../../targets/expand-target.js'

/** One workload in one cluster that the verify stage checks (and may roll back). */
export interface VerifyTarget {
  cluster: ConnectedCluster
  ref: WorkloadRef
  /** The containers the config names; undefined = those running the promoted repository. */
  containers: string[] | undefined
}

/**
 * The environment's targets in every cluster, label selectors expanded (expandTarget, as the
 * promote stage does). A target that cannot be resolved is returned in `problems` (it fails
 * verification) instead of stopping the others.
 */
export async function resolveVerifyTargets(
  environment: ResolvedEnvironment,
  clusters: ConnectedCluster[]
): Promise<{ targets: VerifyTarget[]; problems: Array<{ cluster: string; message: string }> }> {
  const targets: VerifyTarget[] = []
  const problems: Array<{ cluster: string; message: string }> = []
  for (const cluster of clusters) {
    for (const target of environment.targets) {
      try {
        for (const { ref, containers } of await expandTarget(cluster, target))
          targets.push({ cluster, ref, containers })
      } catch (error) {
        problems.push({
          cluster: cluster.name,
          message:
            error instanceof UnresolvedTarget
              ? error.problem
              : `could not list ${target.kind} for selector ${JSON.stringify(target.selector)}: ${(error as Error).message}`
        })
      }
    }
  }
  return { targets, problems }
}
