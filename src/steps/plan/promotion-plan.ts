import type { V1ReplicaSet } from '@kubernetes/client-node'
import type { ResolvedEnvironment } from '../../config/schema.js'
import type { ImageReference } from '../../image/image-reference.js'
import { replicaSetsByController } from '../../kubernetes/kinds/replica-sets.js'
import { recordRevision, type RevisionRecord } from '../../kubernetes/rollback/revision-record.js'
import {
  ContainerSelectionError,
  planSetImage,
  type SetImagePlan
} from '../../kubernetes/rollout/set-image-patch.js'
import { adapterFor, type Workload, type WorkloadRef } from '../../kubernetes/kinds/workload-kinds.js'
import { isNotFound } from '../../kubernetes/api/api-error.js'
import { OperationalError } from '../../runtime/errors.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import { expandTarget } from '../../targets/expand-target.js'

/** One workload in one cluster, with what it runs now and the patch that promotes it. */
export interface PlannedTarget {
  cluster: ConnectedCluster
  ref: WorkloadRef
  /** What ran before: the rollback goes back to exactly this. */
  record: RevisionRecord
  plan: SetImagePlan
  /** Its labels and annotations as planned (who else manages it: Argo CD, Flux). */
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }
}

export interface PlanRequest {
  environment: ResolvedEnvironment
  clusters: ConnectedCluster[]
  image: ImageReference
  sourceSha: string
  actor: string
  runUrl: string
  now: Date
}

/**
 * Finds every target in every cluster (names and label selectors), records what each runs
 * and plans its patch. Reads only. A selector matching nothing, a missing workload or no
 * matching container is an error: never a silent no-op.
 */
export async function planPromotion(request: PlanRequest): Promise<PlannedTarget[]> {
  const perCluster = await Promise.all(
    request.clusters.map(async (cluster) => {
      const refs = (
        await Promise.all(request.environment.targets.map((target) => expandTarget(cluster, target)))
      ).flat()
      // Several Deployments in one namespace: one ReplicaSet list serves all their records.
      const deploymentsPerNamespace = new Map<string, number>()
      for (const { ref } of refs)
        if (adapterFor(ref.kind).ownsReplicaSets)
          deploymentsPerNamespace.set(ref.namespace, (deploymentsPerNamespace.get(ref.namespace) ?? 0) + 1)
      const replicaSetLists = new Map<string, Promise<(deployment: Workload) => V1ReplicaSet[]>>()
      const sharedReplicaSets = (namespace: string) =>
        (deploymentsPerNamespace.get(namespace) ?? 0) > 1
          ? async (deployment: Workload) => {
              if (!replicaSetLists.has(namespace))
                replicaSetLists.set(
                  namespace,
                  cluster.api.listReplicaSets(namespace).then((list) => replicaSetsByController(list.items))
                )
              return (await replicaSetLists.get(namespace)!)(deployment)
            }
          : undefined
      return Promise.all(
        refs.map(async ({ ref, containers, workload: listed }) => {
          // Only a 404 means the target is missing; a 429 or 5xx that outlasted the retries is
          // an API error and is reported as one.
          const notFound = (error: unknown): never => {
            if (!isNotFound(error)) throw error
            throw new OperationalError(`cluster ${cluster.name}: ${(error as Error).message}`, {
              title: 'Target not found',
              cause: error
            })
          }
          const workload = listed ?? (await cluster.api.getWorkload(ref).catch(notFound))
          const record = await recordRevision(
            cluster.api,
            ref,
            request.now,
            workload,
            sharedReplicaSets(ref.namespace)
          ).catch(notFound)
          let plan: SetImagePlan
          try {
            plan = planSetImage(ref.kind, workload, {
              image: request.image,
              ...(containers ? { containers } : {}),
              sourceSha: request.sourceSha,
              actor: request.actor,
              runUrl: request.runUrl,
              promotedAt: request.now
            })
          } catch (error) {
            if (error instanceof ContainerSelectionError)
              throw new OperationalError(`cluster ${cluster.name}: ${error.message}`, {
                title: 'No matching container',
                cause: error
              })
            throw error
          }
          const { labels, annotations } = workload.metadata ?? {}
          return {
            cluster,
            ref,
            record,
            plan,
            metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) }
          }
        })
      )
    })
  )
  return perCluster.flat()
}
