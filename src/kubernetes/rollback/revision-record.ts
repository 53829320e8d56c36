import type { V1Deployment, V1PodSpec, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node'
import { listOwnedReplicaSets } from '../kinds/new-pods.js'
import { REVISION_ANNOTATION } from '../kinds/rollout-status.js'
import type { Workload, WorkloadRef } from '../kinds/workload-kinds.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'

/**
 * What a workload runs before we patch it, so a rollback can return to exactly that, not to
 * kubectl's "second-highest revision" (which is one release too far back when our patch
 * changed nothing). Plain JSON: it can be stored in the action's state between steps.
 *
 * - Deployment: the Deployment's `deployment.kubernetes.io/revision` (the current ReplicaSet's
 *   revision) and that ReplicaSet's name (stable even if the controller renumbers it).
 * - StatefulSet: status.updateRevision / currentRevision (ControllerRevision names), for the record.
 * - DaemonSet: no revision (reading ControllerRevisions needs another RBAC rule); images only.
 * Images are recorded for all kinds: they are what a StatefulSet/DaemonSet rollback restores,
 * and the Deployment fallback when the recorded ReplicaSet was garbage-collected.
 */
export interface RevisionRecord {
  target: WorkloadRef
  uid: string
  generation: number
  revision?: string
  /** Deployment: name of the ReplicaSet at `revision`. */
  replicaSet?: string
  /** StatefulSet: status.currentRevision at record time (may differ mid-rollout). */
  currentRevision?: string
  images: { containers: Record<string, string>; initContainers: Record<string, string> }
  recordedAt: string
}

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
  ownedReplicaSets?: (deployment: V1Deployment) => Promise<V1ReplicaSet[]>
): Promise<RevisionRecord> {
  const workload = current ?? (await api.getWorkload(target))
  const record = revisionRecordOf(target, workload, now)
  if (target.kind === 'Deployment' && record.revision !== undefined) {
    const deployment = workload as V1Deployment
    const sets = ownedReplicaSets
      ? await ownedReplicaSets(deployment)
      : await listOwnedReplicaSets(api, target.namespace, deployment)
    const current = sets.find((rs) => rs.metadata?.annotations?.[REVISION_ANNOTATION] === record.revision)
    if (current?.metadata?.name) record.replicaSet = current.metadata.name
  }
  return record
}

/** The record without the ReplicaSet lookup (pure). */
export function revisionRecordOf(
  target: WorkloadRef,
  workload: Workload,
  now: Date = new Date()
): RevisionRecord {
  const record: RevisionRecord = {
    target: { kind: target.kind, name: target.name, namespace: target.namespace },
    uid: workload.metadata?.uid ?? '',
    generation: workload.metadata?.generation ?? 0,
    images: imagesOf(workload.spec?.template?.spec),
    recordedAt: now.toISOString()
  }
  if (target.kind === 'Deployment') {
    const revision = workload.metadata?.annotations?.[REVISION_ANNOTATION]
    if (revision) record.revision = revision
  } else if (target.kind === 'StatefulSet') {
    const status = (workload as V1StatefulSet).status
    if (status?.updateRevision) record.revision = status.updateRevision
    if (status?.currentRevision) record.currentRevision = status.currentRevision
  }
  return record
}

export function imagesOf(spec: V1PodSpec | undefined): RevisionRecord['images'] {
  const byName = (containers: Array<{ name: string; image?: string }> | undefined) =>
    Object.fromEntries((containers ?? []).map((c) => [c.name, c.image ?? '']))
  return { containers: byName(spec?.containers), initContainers: byName(spec?.initContainers) }
}
