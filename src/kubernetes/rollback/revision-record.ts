import type { V1ReplicaSet } from '@kubernetes/client-node'
import type { WorkloadApi } from '../api/kubernetes-api.js'
import type { Workload, WorkloadRef } from '../api/workload-types.js'
import type { RevisionRecord } from '../kinds/workload-adapter.js'
import { adapterFor } from '../kinds/workload-kinds.js'

export type { RevisionRecord }
export { imagesOf } from '../kinds/pod-template.js'

/**
 * Records what a workload runs before we patch it (see RevisionRecord), as its kind's adapter
 * knows it: a Deployment's revision and ReplicaSet, a StatefulSet's revisions, and every kind's
 * images.
 */
export async function recordRevision(
  api: WorkloadApi,
  target: WorkloadRef,
  now: Date = new Date(),
  /** The workload as just read, to save a second read. */
  current?: Workload,
  /**
   * The Deployment's ReplicaSets from a list the caller made once for many Deployments
   * (replicaSetsByController); without it they are listed by the Deployment's selector.
   */
  ownedReplicaSets?: (deployment: Workload) => Promise<V1ReplicaSet[]>
): Promise<RevisionRecord> {
  const workload = current ?? (await api.getWorkload(target))
  return adapterFor(target.kind).record(workload, { target, api, now, ownedReplicaSets })
}
