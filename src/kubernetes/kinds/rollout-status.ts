import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node'
import type { Workload, WorkloadKind } from './workload-kinds.js'

/**
 * kubectl's `rollout status` verdicts, branch for branch
 * (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), as pure functions.
 * Messages are kubectl's, without the trailing newline.
 *
 * - `done`: the rollout finished.
 * - `failed`: it cannot finish without a change (kubectl returns an error there):
 *   progress deadline exceeded, wrong revision, or a strategy kubectl cannot track.
 * - otherwise: still waiting, with kubectl's waiting message.
 *
 * Deliberate differences, all for objects the API server would have defaulted:
 * a missing `updateStrategy.type` counts as RollingUpdate (the server default) rather than
 * an error, and missing numbers count as 0, as Go's zero values do.
 */
export interface RolloutStatus {
  done: boolean
  failed?: boolean
  message: string
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision'
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded'

export function rolloutStatus(kind: WorkloadKind, workload: Workload, revision?: number): RolloutStatus {
  switch (kind) {
    case 'Deployment':
      return deploymentRolloutStatus(workload as V1Deployment, revision)
    case 'StatefulSet':
      return statefulSetRolloutStatus(workload as V1StatefulSet)
    case 'DaemonSet':
      return daemonSetRolloutStatus(workload as V1DaemonSet)
  }
}

export function deploymentRolloutStatus(deployment: V1Deployment, revision?: number): RolloutStatus {
  const name = deployment.metadata?.name ?? ''
  if (revision !== undefined && revision > 0) {
    const text = deployment.metadata?.annotations?.[REVISION_ANNOTATION]
    const current = text === undefined ? NaN : Number(text)
    if (text === undefined || !Number.isInteger(current)) {
      return {
        done: false,
        failed: true,
        message: `cannot get the revision of deployment "${name}": invalid or missing ${REVISION_ANNOTATION} annotation`
      }
    }
    if (revision !== current) {
      return {
        done: false,
        failed: true,
        message: `desired revision (${revision}) is different from the running revision (${current})`
      }
    }
  }
  const status = deployment.status ?? {}
  if ((deployment.metadata?.generation ?? 0) <= (status.observedGeneration ?? 0)) {
    const progressing = status.conditions?.find((c) => c.type === 'Progressing')
    if (progressing?.reason === TIMED_OUT_REASON) {
      return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` }
    }
    const updated = status.updatedReplicas ?? 0
    const specReplicas = deployment.spec?.replicas
    if (specReplicas !== undefined && updated < specReplicas) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${specReplicas} new replicas have been updated...`
      )
    }
    const replicas = status.replicas ?? 0
    if (replicas > updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`
      )
    }
    const available = status.availableReplicas ?? 0
    if (available < updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`
      )
    }
    return { done: true, message: `deployment "${name}" successfully rolled out` }
  }
  return waiting('Waiting for deployment spec update to be observed...')
}

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

export function daemonSetRolloutStatus(daemon: V1DaemonSet): RolloutStatus {
  const type = daemon.spec?.updateStrategy?.type ?? 'RollingUpdate'
  if (type !== 'RollingUpdate') {
    return {
      done: false,
      failed: true,
      message: 'rollout status is only available for RollingUpdate strategy type'
    }
  }
  const name = daemon.metadata?.name ?? ''
  const status = daemon.status
  if ((daemon.metadata?.generation ?? 0) <= (status?.observedGeneration ?? 0)) {
    const desired = status?.desiredNumberScheduled ?? 0
    const updated = status?.updatedNumberScheduled ?? 0
    if (updated < desired) {
      return waiting(
        `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`
      )
    }
    const available = status?.numberAvailable ?? 0
    if (available < desired) {
      return waiting(
        `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`
      )
    }
    return { done: true, message: `daemon set "${name}" successfully rolled out` }
  }
  return waiting('Waiting for daemon set spec update to be observed...')
}

function waiting(message: string): RolloutStatus {
  return { done: false, message }
}
