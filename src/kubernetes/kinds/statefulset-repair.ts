import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { labelSelectorString } from '../api/label-selector.js'
import { controllerUid } from './replica-sets.js'
import type { WorkloadRef } from '../api/workload-types.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'

/**
 * A StatefulSet rolled back while a pod of the bad revision is not Ready does not recover by
 * itself: with OrderedReady the controller waits for that pod to become Ready before it will
 * replace it, and it never does (kubernetes#67250; the documented "forced rollback" is to
 * delete it by hand). After the template is restored, this deletes the set's pods that are
 * neither at the restored update revision nor Ready, so the controller re-creates them from
 * the restored template. Ready pods are left to the controller's normal rolling update.
 *
 * Waits (polling, at most `timeoutMs`) until the controller has observed the rollback's
 * generation, so the update revision it reads is the restored one. Needs `delete` on pods;
 * without it the KubernetesApiError names the rule, and the caller reports the pods to
 * delete by hand.
 */
export interface StuckPodRepairOptions {
  api: WorkloadApi
  /** The generation the rollback patch produced. */
  generation: number
  timeoutMs: number
  clock: Clock
  logger: Logger
  signal?: AbortSignal
}

/** The label a StatefulSet's pods carry with the ControllerRevision they were made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash'

const POLL_MS = 200

export async function deleteStuckStatefulSetPods(
  ref: WorkloadRef & { kind: 'StatefulSet' },
  options: StuckPodRepairOptions
): Promise<string[]> {
  const { api, clock } = options
  const deadline = clock.now() + options.timeoutMs
  let set = (await api.getWorkload(ref)) as V1StatefulSet
  while ((set.status?.observedGeneration ?? 0) < options.generation) {
    if (clock.now() >= deadline || options.signal?.aborted) return []
    await clock.sleep(POLL_MS, options.signal).catch(() => undefined)
    set = (await api.getWorkload(ref)) as V1StatefulSet
  }
  const updateRevision = set.status?.updateRevision
  const uid = set.metadata?.uid
  if (!updateRevision || !uid) return []
  const pods = await api.listPods(ref.namespace, { labelSelector: labelSelectorString(set.spec?.selector) })
  const stuck = pods.items.filter(
    (pod) =>
      controllerUid(pod.metadata) === uid &&
      pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== updateRevision &&
      !pod.metadata?.deletionTimestamp &&
      !isReady(pod)
  )
  const deleted: string[] = []
  for (const pod of stuck) {
    const name = pod.metadata!.name!
    options.logger.info(
      `statefulset/${ref.name}: deleting pod ${name} (revision ${pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]}, not Ready) so the controller re-creates it from the restored template (kubernetes#67250)`
    )
    try {
      await api.deletePod(ref.namespace, name, pod.metadata!.uid!)
    } catch (error) {
      const left = stuck.map((p) => p.metadata?.name).filter((n) => !deleted.includes(n!))
      throw new Error(`${(error as Error).message} (pods to delete: ${left.join(', ')})`, { cause: error })
    }
    deleted.push(name)
  }
  return deleted
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/**
 * Called by restoreRecordedRevision after `rollback()` restored a workload's template: for a
 * StatefulSet, deletes its stuck pods. Returns a note for the
 * rollback's message (empty when there was nothing to do); never throws, so a missing
 * permission leaves the rollback waiting (someone may delete the pod by hand) and says so.
 */
export async function releaseStuckPodsAfterRollback(
  ref: WorkloadRef,
  restored: { metadata?: { generation?: number } },
  options: Omit<StuckPodRepairOptions, 'generation'>
): Promise<string> {
  const generation = restored.metadata?.generation
  if (ref.kind !== 'StatefulSet' || generation === undefined) return ''
  try {
    const deleted = await deleteStuckStatefulSetPods(
      { ...ref, kind: 'StatefulSet' },
      { ...options, generation }
    )
    return deleted.length ? `; deleted pod(s) stuck at the failed revision: ${deleted.join(', ')}` : ''
  } catch (error) {
    const note = `; pods stuck at the failed revision could not be deleted (${(error as Error).message}): delete them by hand (kubectl delete pod NAME -n ${ref.namespace}) and the rollback goes on`
    options.logger.error(`statefulset/${ref.name}${note}`)
    return note
  }
}
