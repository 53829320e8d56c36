import type { V1StatefulSet } from '@kubernetes/client-node'
import { failedCreateEvents } from './create-failure-events.js'
import { baseRecord, generationObserved, restoreImages, waiting } from './pod-template.js'
import { controllerUid } from './replica-sets.js'
import { CONTROLLER_REVISION_HASH_LABEL, releaseStuckPodsAfterRollback } from './statefulset-repair.js'
import type { RolloutStatus, WorkloadAdapter } from './workload-adapter.js'
import { resolveIntOrPercent, type RolloutLimits } from './rollout-limits.js'

/**
 * StatefulSets: rollout status as kubectl; new pods carry the update revision's
 * controller-revision-hash; the record keeps updateRevision/currentRevision (ControllerRevision
 * names); rollback patches the recorded images back, then deletes pods stuck at the failed
 * revision (kubernetes#67250).
 */
export const statefulSetAdapter: WorkloadAdapter<V1StatefulSet> = {
  kind: 'StatefulSet',
  aliases: ['statefulset', 'statefulsets', 'sts'],
  ownsReplicaSets: false,
  // Its controller creates pods itself and reports a refused create only as a FailedCreate event on it.
  createFailuresFromEvents: true,
  createFailures: (workload, { events }) => failedCreateEvents(workload, events),
  replicas: (sts) => sts.spec?.replicas ?? 1,
  rolloutLimits: statefulSetLimits,
  rolloutStatus: statefulSetRolloutStatus,

  /** Pods controlled by it whose controller-revision-hash is status.updateRevision, once the current generation is observed. */
  newPodMatcher(sts) {
    if (!generationObserved(sts)) return undefined
    const revision = sts.status?.updateRevision
    const uid = sts.metadata?.uid
    if (!revision || !uid) return undefined
    return (pod) =>
      controllerUid(pod.metadata) === uid &&
      pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === revision
  },

  async record(sts, { target, now }) {
    const record = baseRecord(target, sts, now)
    const status = sts.status
    if (status?.updateRevision) record.revision = status.updateRevision
    if (status?.currentRevision) record.currentRevision = status.currentRevision
    return record
  },

  revisionAfter: (sts) => sts.status?.updateRevision,

  rollback: (api, record, sts, options) =>
    restoreImages(
      api,
      record,
      sts,
      options,
      `statefulset/${record.target.name}: restored the recorded images`
    ),

  repairAfterRollback: releaseStuckPodsAfterRollback
}

/** kubectl's verdict for a StatefulSet (rollout_status.go, StatefulSetStatusViewer). */
export function statefulSetRolloutStatus(sts: V1StatefulSet): RolloutStatus {
  const strategy = sts.spec?.updateStrategy
  const type = strategy?.type ?? 'RollingUpdate'
  if (type !== 'RollingUpdate') {
    return {
      done: false,
      failed: true,
      message: 'rollout status is only available for RollingUpdate strategy type'
    }
  }
  const status = sts.status ?? { replicas: 0 }
  const observed = status.observedGeneration ?? 0
  if (observed === 0 || (sts.metadata?.generation ?? 0) > observed) {
    return waiting('Waiting for statefulset spec update to be observed...')
  }
  const specReplicas = sts.spec?.replicas
  const ready = status.readyReplicas ?? 0
  if (specReplicas !== undefined && ready < specReplicas) {
    return waiting(`Waiting for ${specReplicas - ready} pods to be ready...`)
  }
  // kubectl takes this branch whenever rollingUpdate is set (the API server always sets it,
  // with partition 0), so in practice "done" means updatedReplicas >= replicas - partition.
  const rollingUpdate = strategy?.rollingUpdate
  const updated = status.updatedReplicas ?? 0
  if (rollingUpdate !== undefined && rollingUpdate !== null) {
    if (
      specReplicas !== undefined &&
      rollingUpdate.partition !== undefined &&
      rollingUpdate.partition !== null
    ) {
      const wanted = specReplicas - rollingUpdate.partition
      if (updated < wanted) {
        return waiting(
          `Waiting for partitioned roll out to finish: ${updated} out of ${wanted} new pods have been updated...`
        )
      }
    }
    return { done: true, message: `partitioned roll out complete: ${updated} new pods have been updated...` }
  }
  if (status.updateRevision !== status.currentRevision) {
    return waiting(
      `waiting for statefulset rolling update to complete ${updated} pods at revision ${status.updateRevision ?? ''}...`
    )
  }
  return {
    done: true,
    message: `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision ?? ''}...`
  }
}

/** How far the controller lets a rollout go beyond and below the replica count (see rollout-limits.ts). */
function statefulSetLimits(statefulSet: V1StatefulSet, override: number | undefined): RolloutLimits {
  const replicas = override ?? statefulSet.spec?.replicas ?? 1
  const strategy = statefulSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'OnDelete') return { strategy, replicas, maxSurge: 0, maxUnavailable: 0, problems }
  const given = statefulSet.spec?.updateStrategy?.rollingUpdate?.maxUnavailable
  const unavailable = Math.max(1, resolveIntOrPercent(given, 1, replicas, true, 'maxUnavailable', problems))
  return { strategy, replicas, maxSurge: 0, maxUnavailable: Math.min(unavailable, replicas), problems }
}
