import { rollback, type RollbackResult } from './rollback.js'
import type { RevisionRecord } from './revision-record.js'
import { releaseStuckPodsAfterRollback, type StuckPodRepairOptions } from '../kinds/statefulset-repair.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'

/**
 * What both rollback paths (promote's on a failed rollout, verify's on failed checks) do:
 * `rollback()` to the recorded revision, then, for a StatefulSet, delete its pods stuck at
 * the failed revision (kubernetes#67250), noting that in the result's message. Throws what
 * `rollback()` throws; the pod repair never throws (it says what to do by hand instead).
 */
export async function restoreRecordedRevision(
  api: WorkloadApi,
  record: RevisionRecord,
  repair: Omit<StuckPodRepairOptions, 'api' | 'generation'>
): Promise<RollbackResult> {
  const result = await rollback(api, record)
  if (result.method !== 'unchanged')
    result.message += await releaseStuckPodsAfterRollback(record.target, result.workload, { api, ...repair })
  return result
}
