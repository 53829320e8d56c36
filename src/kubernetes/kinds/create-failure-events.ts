import type { CoreV1Event } from '@kubernetes/client-node'
import type { Workload } from '../api/workload-types.js'
import type { CreateFailure } from './workload-adapter.js'

/** The reason the pod-creating controllers give refused creates (controller_utils FailedCreatePodReason). */
export const FAILED_CREATE_REASON = 'FailedCreate'

/**
 * The FailedCreate Warning events about this very workload (matched by uid: a deleted and
 * re-created workload of the same name has older events), newest occurrence last. The
 * StatefulSet controller reports "Create Pod db-1 in StatefulSet db failed error: <refusal>"
 * (a similar one for its PVC claims), the DaemonSet controller "Error creating: <refusal>".
 */
export function failedCreateEvents(workload: Workload, events: CoreV1Event[]): CreateFailure[] {
  const uid = workload.metadata?.uid
  const kind = workload.kind ?? ''
  const name = workload.metadata?.name ?? ''
  return events
    .filter(
      (e) =>
        e.type === 'Warning' &&
        e.reason === FAILED_CREATE_REASON &&
        e.involvedObject?.name === name &&
        (uid === undefined || e.involvedObject?.uid === undefined || e.involvedObject.uid === uid)
    )
    .map((e) => ({ kind: e.involvedObject?.kind ?? kind, name, message: e.message ?? '' }))
}
