import { anyContains, shortRevision, unknownCommits, type Containment } from './revisions.js'
import {
  describeResources,
  waiting,
  type SyncExpectation,
  type SyncResource,
  type SyncVerdict
} from './sync-verdict.js'

/** The fields of an Argo CD Application (argoproj.io/v1alpha1) this judges; see ../shared/reference/gitops.md. */
export interface ArgoApplication {
  metadata?: { name?: string; namespace?: string; generation?: number; annotations?: Record<string, string> }
  spec?: { syncPolicy?: { automated?: { selfHeal?: boolean; prune?: boolean } | null } }
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] }
    health?: { status?: string; message?: string }
    operationState?: {
      phase?: string
      message?: string
      startedAt?: string
      finishedAt?: string
      operation?: { sync?: { revision?: string; revisions?: string[] } }
      syncResult?: {
        revision?: string
        revisions?: string[]
        resources?: Array<{
          group?: string
          kind?: string
          name?: string
          namespace?: string
          status?: string
          message?: string
          hookPhase?: string
        }>
      }
    }
    conditions?: Array<{ type?: string; message?: string }>
    resources?: Array<{
      kind?: string
      name?: string
      namespace?: string
      status?: string
      health?: { status?: string; message?: string }
    }>
    reconciledAt?: string
  }
}

const FAILED_OPERATION = new Set(['Failed', 'Error'])
const RUNNING_OPERATION = new Set(['Running', 'Terminating'])

/**
 * Judges an Application against the promotion's commit, the way Argo CD's own status means it:
 *
 * - applied: `status.sync.status: Synced` at a revision containing the commit (`sync.revision`,
 *   or any of `sync.revisions` for a multi-source app), with no operation for it still running
 *   or failed. An operation counts when the revision it synced (or is syncing) contains the
 *   commit; one that names no revision counts when it started after the merge. Synced at the
 *   commit with no such operation means the live state already matched: nothing to apply.
 * - healthy: applied and `status.health.status: Healthy`.
 * - failed: that operation `Failed`/`Error` (its message, and the resources its sync result
 *   marks SyncFailed or whose hook failed); `Degraded` or `Missing` once the commit is applied
 *   (the health message, the resources with that health).
 * Everything else waits, with the reason as the message (OutOfSync at an older revision, an
 * operation running, Progressing, a ComparisonError condition, ...).
 */
export function evaluateArgoApplication(app: ArgoApplication, expect: SyncExpectation): SyncVerdict {
  const status = app.status ?? {}
  const syncStatus = status.sync?.status ?? 'Unknown'
  const revisions = [status.sync?.revision, ...(status.sync?.revisions ?? [])].filter(nonEmpty)
  const health = status.health?.status ?? 'Unknown'
  const operation = status.operationState
  const operationRevisions = [
    operation?.syncResult?.revision,
    ...(operation?.syncResult?.revisions ?? []),
    operation?.operation?.sync?.revision,
    ...(operation?.operation?.sync?.revisions ?? [])
  ].filter(nonEmpty)

  const atCommit = anyContains(revisions, expect.commit, expect.known)
  const operationForCommit: Containment = !operation
    ? 'no'
    : operationRevisions.length > 0
      ? anyContains(operationRevisions, expect.commit, expect.known)
      : startedAfter(operation.startedAt, expect.deliveredAt)
        ? 'yes'
        : 'no'
  const lookups = unknownCommits([...revisions, ...operationRevisions], expect.commit, expect.known)
  const at = revisions.length ? ` at ${revisions.map(shortRevision).join(', ')}` : ''
  const conditions = (status.conditions ?? [])
    .filter((c) => c.type && /Error$/.test(c.type))
    .map((c) => `${c.type}: ${c.message ?? ''}`.trim())
  const state = `${syncStatus}${at}, ${health}${status.health?.message ? ` (${status.health.message})` : ''}${
    conditions.length ? `; ${conditions.join('; ')}` : ''
  }`

  if (operationForCommit === 'yes' && operation) {
    const phase = operation.phase ?? 'Unknown'
    if (FAILED_OPERATION.has(phase)) {
      const resources = failedSyncResources(operation.syncResult?.resources ?? [])
      return failed(
        `the sync operation ${phase === 'Error' ? 'errored' : 'failed'}: ${operation.message ?? phase}`,
        resources
      )
    }
    // Health during the operation may still describe what ran before (a fix for a Degraded app):
    // it is judged once the commit is applied; the pods' own failures are watched meanwhile.
    if (RUNNING_OPERATION.has(phase))
      return waiting(
        `sync operation ${phase}${operation.message ? `: ${operation.message}` : ''} (${state})`,
        lookups
      )
  }
  if (atCommit !== 'yes' || syncStatus !== 'Synced') {
    const why =
      atCommit === 'unknown' || operationForCommit === 'unknown'
        ? 'checking whether its revision contains the promotion commit'
        : atCommit === 'yes'
          ? 'waiting for it to sync'
          : `waiting for it to compare against ${expect.commit.slice(0, 7)}`
    return waiting(`${state}: ${why}`, lookups)
  }
  if (operationForCommit === 'unknown')
    return waiting(`${state}: checking its sync operation's revision`, lookups)
  const revision =
    revisions.find((r) => anyContains([r], expect.commit, expect.known) === 'yes') ?? revisions[0]!
  if (health === 'Healthy')
    return { state: 'healthy', message: `Synced at ${shortRevision(revision)} and Healthy`, revision }
  if (health === 'Degraded') return degraded(status)
  if (health === 'Missing')
    return failed(
      `Missing after the sync to ${shortRevision(revision)}${status.health?.message ? `: ${status.health.message}` : ''}`,
      resourcesWithHealth(status, 'Missing')
    )
  return {
    state: 'applied',
    message: `Synced at ${shortRevision(revision)}, ${health}${status.health?.message ? ` (${status.health.message})` : ''}`,
    revision
  }
}

function degraded(status: NonNullable<ArgoApplication['status']>): SyncVerdict {
  const resources = resourcesWithHealth(status, 'Degraded')
  return failed(`Degraded${status.health?.message ? `: ${status.health.message}` : ''}`, resources)
}

function failed(message: string, resources: SyncResource[]): SyncVerdict {
  const named = describeResources(resources)
  return { state: 'failed', message: named ? `${message}; ${named}` : message, resources }
}

/** Sync result entries that failed: status SyncFailed, or a hook that failed or errored. */
function failedSyncResources(
  entries: NonNullable<
    NonNullable<NonNullable<ArgoApplication['status']>['operationState']>['syncResult']
  >['resources']
): SyncResource[] {
  return (entries ?? [])
    .filter((r) => r.status === 'SyncFailed' || r.hookPhase === 'Failed' || r.hookPhase === 'Error')
    .map((r) => ({
      kind: r.kind ?? '?',
      name: r.name ?? '?',
      namespace: r.namespace || undefined,
      status: r.status === 'SyncFailed' ? 'SyncFailed' : `hook ${r.hookPhase}`,
      message: r.message || undefined
    }))
}

/**
 * The resources whose health is `wanted`, from `status.resources` (Argo CD 3.x keeps resource
 * health in the resource tree instead unless `controller.resource.health.persist` is on, so the
 * list may be empty; the Application's own health message still says why).
 */
function resourcesWithHealth(status: NonNullable<ArgoApplication['status']>, wanted: string): SyncResource[] {
  return (status.resources ?? [])
    .filter((r) => r.health?.status === wanted)
    .map((r) => ({
      kind: r.kind ?? '?',
      name: r.name ?? '?',
      namespace: r.namespace || undefined,
      status: wanted,
      message: r.health?.message || undefined
    }))
}

function startedAfter(startedAt: string | undefined, deliveredAt: number): boolean {
  const started = startedAt ? Date.parse(startedAt) : NaN
  // Argo CD writes whole seconds (RFC 3339): an operation in the second of the merge counts.
  return Number.isFinite(started) && started >= Math.floor(deliveredAt / 1000) * 1000
}

function nonEmpty(value: string | undefined): value is string {
  return typeof value === 'string' && value !== ''
}

/** Whether Argo CD reverts changes made outside Git to what this Application manages. */
export function selfHeals(app: ArgoApplication): boolean {
  return app.spec?.syncPolicy?.automated?.selfHeal === true
}
