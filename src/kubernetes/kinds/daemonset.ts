import type { V1DaemonSet, V1PodSpec } from '@kubernetes/client-node'
import { failedCreateEvents } from './create-failure-events.js'
import { baseRecord, generationObserved, restoreImages, waiting } from './pod-template.js'
import { controllerUid } from './replica-sets.js'
import type { RolloutStatus, WorkloadAdapter } from './workload-adapter.js'
import { resolveIntOrPercent, type RolloutLimits } from './rollout-limits.js'

/**
 * DaemonSets: rollout status as kubectl. The status names no update revision, and reading
 * ControllerRevisions would need one more RBAC rule, so new pods are those controlled by it whose
 * containers run the template's images (by container name, init containers included; injected
 * sidecars ignored), once the generation is observed: correct for what this action changes
 * (images); a rollout that changes other fields but no image cannot tell new pods from old this
 * way, so nothing is judged then. No revision is recorded; rollback patches the images back.
 */
export const daemonSetAdapter: WorkloadAdapter<V1DaemonSet> = {
  kind: 'DaemonSet',
  aliases: ['daemonset', 'daemonsets', 'ds'],
  ownsReplicaSets: false,
  // Its controller creates pods itself and reports a refused create only as a FailedCreate event on it.
  createFailuresFromEvents: true,
  createFailures: (workload, { events }) => failedCreateEvents(workload, events),
  replicas: (ds) => ds.status?.desiredNumberScheduled ?? 0,
  rolloutLimits: daemonSetLimits,
  rolloutStatus: daemonSetRolloutStatus,

  newPodMatcher(ds) {
    if (!generationObserved(ds)) return undefined
    const uid = ds.metadata?.uid
    if (!uid) return undefined
    const wanted = imagesByContainer(ds.spec?.template?.spec)
    return (pod) => controllerUid(pod.metadata) === uid && runsImages(imagesByContainer(pod.spec), wanted)
  },

  record: async (ds, { target, now }) => baseRecord(target, ds, now),

  revisionAfter: () => undefined,

  rollback: (api, record, ds, options) =>
    restoreImages(api, record, ds, options, `daemonset/${record.target.name}: restored the recorded images`)
}

/** kubectl's verdict for a DaemonSet (rollout_status.go, DaemonSetStatusViewer). */
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

function imagesByContainer(spec: V1PodSpec | undefined): Map<string, string> {
  const images = new Map<string, string>()
  for (const c of spec?.initContainers ?? []) images.set(`init:${c.name}`, c.image ?? '')
  for (const c of spec?.containers ?? []) images.set(c.name, c.image ?? '')
  return images
}

/** Every template container runs its template image in the pod (admission may have added sidecars). */
function runsImages(pod: Map<string, string>, template: Map<string, string>): boolean {
  for (const [name, image] of template) if (pod.get(name) !== image) return false
  return true
}

/** How far the controller lets a rollout go beyond and below the replica count (see rollout-limits.ts). */
function daemonSetLimits(daemonSet: V1DaemonSet, override: number | undefined): RolloutLimits {
  const replicas = override ?? daemonSet.status?.desiredNumberScheduled ?? 0
  const strategy = daemonSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'OnDelete') return { strategy, replicas, maxSurge: 0, maxUnavailable: 0, problems }
  const rolling = daemonSet.spec?.updateStrategy?.rollingUpdate
  const surge = resolveIntOrPercent(rolling?.maxSurge, 0, replicas, true, 'maxSurge', problems)
  let unavailable = resolveIntOrPercent(
    rolling?.maxUnavailable,
    1,
    replicas,
    true,
    'maxUnavailable',
    problems
  )
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { strategy, replicas, maxSurge: surge, maxUnavailable: Math.min(unavailable, replicas), problems }
}
