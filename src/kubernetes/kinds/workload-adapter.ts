import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'
import type { Workload, WorkloadKind, WorkloadRef } from '../api/workload-types.js'
import type { RolloutLimits } from './rollout-limits.js'

/**
 * Everything that differs between workload kinds, behind one interface. One adapter file per
 * kind (deployment.ts, statefulset.ts, daemonset.ts), chosen from the table in
 * workload-kinds.ts, which is keyed by kind: a kind without an adapter is a type error.
 * Rollout watching, recording, rollback and verification are written once against this.
 */
export interface WorkloadAdapter<W extends Workload = Workload> {
  readonly kind: WorkloadKind
  /** Lower-case forms accepted in `kind/name` (kubectl's names and short names). */
  readonly aliases: readonly string[]
  /**
   * Its pods belong to ReplicaSets it controls (Deployment): the rollout watcher watches them to
   * tell new pods from old, and recording and rollback read them.
   */
  readonly ownsReplicaSets: boolean
  /** The replicas it runs at full health (DaemonSet: the nodes it should run on). */
  replicas(workload: W): number
  /** How far its controller lets a rollout go beyond and below the replicas (rollout-limits.ts). */
  rolloutLimits(workload: W, replicas?: number): RolloutLimits
  /** kubectl's `rollout status` verdict (polymorphichelpers/rollout_status.go). */
  rolloutStatus(workload: W, revision?: number): RolloutStatus
  /** Which pods belong to the rollout in progress; undefined = cannot tell yet (judge none). */
  newPodMatcher(workload: W, replicaSets: V1ReplicaSet[]): NewPodMatcher | undefined
  /**
   * Its controller reports pods it could not create only as FailedCreate Warning events on the
   * workload itself (StatefulSet, DaemonSet controllers: no status condition), so the rollout
   * watcher watches those. False when the status says it (Deployment: its new ReplicaSet's
   * ReplicaFailure condition).
   */
  readonly createFailuresFromEvents: boolean
  /**
   * Pods of the rollout in progress that its controller could not create because the API
   * server refused them (quota, Pod Security, an admission webhook), from what the watcher has:
   * the workload's ReplicaSets, and the FailedCreate events about it that arrived since the
   * watch began (createFailuresFromEvents kinds only).
   */
  createFailures(workload: W, seen: { replicaSets: V1ReplicaSet[]; events: CoreV1Event[] }): CreateFailure[]
  /** What is recorded before a promotion patches the workload, so a rollback returns to exactly it. */
  record(workload: W, context: RecordContext): Promise<RevisionRecord>
  /** The revision a rolled-out workload reports (the `revisions` output), when the kind has one. */
  revisionAfter(workload: W): string | undefined
  /**
   * Where the recorded images ran before (Deployment: the newest older ReplicaSet with exactly
   * those images), so a record rebuilt from annotations restores the whole template.
   */
  locateRecordedRevision?(record: RevisionRecord, workload: W, api: WorkloadApi): Promise<void>
  /** Returns the workload to `record` (the caller has checked it is the same object). */
  rollback(
    api: WorkloadApi,
    record: RevisionRecord,
    workload: W,
    options: RollbackOptions
  ): Promise<RollbackResult>
  /**
   * What the controller does not do by itself after a rollback (StatefulSet: delete pods stuck at
   * the failed revision, kubernetes#67250). Returns a note for the rollback's message; never throws.
   */
  repairAfterRollback?(ref: WorkloadRef, restored: W, options: RepairOptions): Promise<string>
}

/**
 * kubectl's verdicts: `done` (finished), `failed` (cannot finish without a change: progress
 * deadline exceeded, wrong revision, or a strategy kubectl cannot track), else waiting with
 * kubectl's message (without the trailing newline).
 */
export interface RolloutStatus {
  done: boolean
  failed?: boolean
  message: string
}

/** Pods a controller could not create, as it reported them. */
export interface CreateFailure {
  /** The object the controller reported on: `ReplicaSet` (a Deployment's), `StatefulSet`, `DaemonSet`. */
  kind: string
  name: string
  /** The API server's refusal, as the controller reported it (condition or event message). */
  message: string
}

/** True for a pod of the rollout in progress, so fail-fast never judges old pods. */
export type NewPodMatcher = (pod: V1Pod) => boolean

export interface RecordContext {
  /** The workload as configured (kind, name, namespace): the record's `target`. */
  target: WorkloadRef
  api: WorkloadApi
  now: Date
  /**
   * The Deployment's ReplicaSets from a list the caller made once for many Deployments
   * (replicaSetsByController); without it they are listed by the Deployment's selector.
   */
  ownedReplicaSets?: ((deployment: Workload) => Promise<V1ReplicaSet[]>) | undefined
}

/**
 * What a workload runs before we patch it, so a rollback can return to exactly that, not to
 * kubectl's "second-highest revision" (which is one release too far back when our patch
 * changed nothing). Plain JSON: it can be stored in the action's state between steps.
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

export interface RollbackOptions {
  dryRun?: boolean
}

export interface RollbackResult {
  /** `replica-set`: the recorded template restored; `images`: recorded images patched back; `unchanged`: already there. */
  method: 'replica-set' | 'images' | 'unchanged'
  message: string
  /** The workload as the API returned it after the patch (or as read, when unchanged). */
  workload: Workload
}

export class RollbackError extends Error {
  override readonly name = 'RollbackError'
}

export interface RepairOptions {
  api: WorkloadApi
  timeoutMs: number
  clock: Clock
  logger: Logger
  signal?: AbortSignal
}
