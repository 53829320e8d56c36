import type { KnownAncestry } from './revisions.js'

/** A resource the engine names in its verdict (a failed sync result, a Degraded resource). */
export interface SyncResource {
  kind: string
  name: string
  namespace?: string | undefined
  /** The engine's word for it: SyncFailed, Degraded, Missing, a hook phase. */
  status?: string | undefined
  message?: string | undefined
}

/**
 * What one observation of the engine's object says about the promotion's commit:
 * - `waiting`: not there yet (not refreshed, OutOfSync, syncing, a revision to look up);
 * - `applied`: the commit is applied (Argo CD: Synced at it, its operation Succeeded) but not
 *   yet Healthy; the workloads may be watched from now on;
 * - `healthy`: applied and healthy: the engine's part is done;
 * - `failed`: it will not get there by itself (Degraded, a failed operation, Stalled, ...).
 */
export type SyncVerdict =
  | { state: 'waiting'; message: string; lookups: string[] }
  | { state: 'applied'; message: string; revision: string }
  | { state: 'healthy'; message: string; revision: string }
  | { state: 'failed'; message: string; resources: SyncResource[] }

/** What the object is judged against. */
export interface SyncExpectation {
  /** The promotion's commit on the manifests repository's base branch. */
  commit: string
  /** When it landed there (ms since the epoch): an operation started before proves nothing. */
  deliveredAt: number
  /** Ancestry answers so far (revision commit -> contains the commit). */
  known: KnownAncestry
  /**
   * The value of the reconcile request this wait made (Flux `reconcile.fluxcd.io/requestedAt`),
   * echoed in `status.lastHandledReconcileAt` once handled.
   */
  requestToken?: string | undefined
  /** The object's generation when the wait began (a HelmRelease whose revision names no commit). */
  startGeneration?: number | undefined
}

/** `Deployment shop/api: Degraded (Deployment "api" exceeded its progress deadline)` */
export function describeResource(resource: SyncResource): string {
  const where = resource.namespace ? `${resource.namespace}/` : ''
  const status = resource.status ? `: ${resource.status}` : ''
  const message = resource.message ? ` (${resource.message})` : ''
  return `${resource.kind} ${where}${resource.name}${status}${message}`
}

export function describeResources(resources: readonly SyncResource[], limit = 5): string {
  if (resources.length === 0) return ''
  const shown = resources.slice(0, limit).map(describeResource)
  const more = resources.length > limit ? `; and ${resources.length - limit} more` : ''
  return `${shown.join('; ')}${more}`
}

export const waiting = (message: string, lookups: string[] = []): SyncVerdict => ({
  state: 'waiting',
  message,
  lookups
})
