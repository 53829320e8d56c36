import type { WorkloadApi } from '../api/kubernetes-api.js'
import { describeWorkload } from '../api/workload-types.js'
import {
  RollbackError,
  type RevisionRecord,
  type RollbackOptions,
  type RollbackResult
} from '../kinds/workload-adapter.js'
import { adapterFor } from '../kinds/workload-kinds.js'

export { RollbackError, type RollbackOptions, type RollbackResult }

/**
 * Returns a workload to the revision recorded before promotion (revision-record.ts), as its
 * kind's adapter does it (Deployment: `kubectl rollout undo --to-revision`; the others: the
 * recorded images patched back). The caller then waits for it with waitForRollout (without
 * `revision`: the controller gives a restored ReplicaSet a new, highest revision number).
 * A workload deleted and re-created since the record is a different object: never rolled back.
 */
export async function rollback(
  api: WorkloadApi,
  record: RevisionRecord,
  options: RollbackOptions = {}
): Promise<RollbackResult> {
  const target = record.target
  const workload = await api.getWorkload(target)
  if (record.uid && workload.metadata?.uid !== record.uid) {
    throw new RollbackError(
      `${describeWorkload(target)} was deleted and re-created since its revision was recorded (uid ${record.uid}, now ${workload.metadata?.uid}); not rolling back a different object`
    )
  }
  return adapterFor(target.kind).rollback(api, record, workload, options)
}
