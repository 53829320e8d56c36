import { State, type ActionIO } from '../runtime/action-io.js'
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
