import type { WorkloadApi } from '../api/kubernetes-api.js'
import type { RepairOptions, RevisionRecord, RollbackResult } from '../kinds/workload-adapter.js'
import { adapterFor } from '../kinds/workload-kinds.js'
import { rollback } from './rollback.js'

/**
 * What both rollback paths (promote's on a failed rollout, verify's on failed checks) do:
 * `rollback()` to the recorded revision, then the kind's repair of what its controller does not
 * recover by itself (a StatefulSet's pods stuck at the failed revision, kubernetes#67250), noting
 * that in the result's message. Throws what `rollback()` throws; the repair never throws (it
 * says what to do by hand instead).
 */
export async function restoreRecordedRevision(
  api: WorkloadApi,
  record: RevisionRecord,
  repair: Omit<RepairOptions, 'api'>
): Promise<RollbackResult> {
  const result = await rollback(api, record)
  const adapter = adapterFor(record.target.kind)
  if (result.method !== 'unchanged' && adapter.repairAfterRollback)
    result.message += await adapter.repairAfterRollback(record.target, result.workload, { api, ...repair })
  return result
}
