import { State, type ActionIO } from '../runtime/action-io.js'
import type { RevisionRecord } from '../kubernetes/rollback/revision-record.js'
import type { ClusterLocator } from '../targets/connect-clusters.js'
import type { HeldLockEntry } from './lock/environment-lock.js'

/**
 * What the main step hands to its post step through GITHUB_STATE: the Leases it holds (so they
 * are released even when main was killed), the Deployment record, and whether main finished.
 * Saved as soon as each exists; a later save of the same name replaces the earlier one.
 */
export function saveHeldLocks(io: ActionIO, entries: HeldLockEntry[]): void {
  io.saveState(State.LockHeld, JSON.stringify(entries))
}

export function readHeldLocks(io: ActionIO): HeldLockEntry[] {
  const text = io.getState(State.LockHeld)
  if (!text) return []
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? (parsed as HeldLockEntry[]) : []
  } catch {
    return []
  }
}

export function saveDeploymentId(io: ActionIO, id: number): void {
  io.saveState(State.DeploymentId, String(id))
}

export function readDeploymentId(io: ActionIO): number | undefined {
  const id = Number(io.getState(State.DeploymentId))
  return Number.isInteger(id) && id > 0 ? id : undefined
}

export function markFinished(io: ActionIO): void {
  io.saveState(State.Finished, 'true')
}

export function isFinished(io: ActionIO): boolean {
  return io.getState(State.Finished) === 'true'
}

/**
 * The promotion as the post step needs it when the main step was killed mid-rollout: every
 * target to be patched, with its cluster, what it ran (the record a rollback restores) and the
 * image it was being given, and whether to roll back.
 */
export interface SavedPlan {
  image: string
  rollback: 'auto' | 'never'
  /** How long the post step lets each rollback roll out. */
  timeoutMs: number
  targets: Array<{
    key: string
    cluster: ClusterLocator
    record: RevisionRecord
    images: Record<string, string>
  }>
}

export function savePlan(io: ActionIO, plan: SavedPlan): void {
  io.saveState(State.Plan, JSON.stringify(plan))
}

export function readPlan(io: ActionIO): SavedPlan | undefined {
  const text = io.getState(State.Plan)
  if (!text) return undefined
  try {
    const parsed = JSON.parse(text) as Partial<SavedPlan>
    return Array.isArray(parsed.targets) && typeof parsed.image === 'string'
      ? (parsed as SavedPlan)
      : undefined
  } catch {
    return undefined
  }
}
