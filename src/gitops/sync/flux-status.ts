import { commitOfRevision, containment, unknownCommits, type Containment } from './revisions.js'
import { waiting, type SyncExpectation, type SyncVerdict } from './sync-verdict.js'

export interface FluxCondition {
  type?: string
  status?: string
  reason?: string
  message?: string
  observedGeneration?: number
}

/** The fields of a Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) or HelmRelease (helm.toolkit.fluxcd.io/v2) this judges. */
export interface FluxObject {
  kind?: string
  metadata?: { name?: string; namespace?: string; generation?: number; annotations?: Record<string, string> }
  spec?: { suspend?: boolean; sourceRef?: { kind?: string; name?: string; namespace?: string } }
  status?: {
    observedGeneration?: number
    conditions?: FluxCondition[]
    lastAppliedRevision?: string
    lastAttemptedRevision?: string
    lastHandledReconcileAt?: string
    /** HelmRelease v2: the releases, newest first. */
    history?: Array<{ chartVersion?: string; status?: string; lastDeployed?: string }>
  }
}

export type FluxKind = 'Kustomization' | 'HelmRelease'

/**
 * Ready=False reasons that end a reconciliation attempt (kustomize-controller and helm-controller
 * reasons); Progressing, ProgressingWithRetry and DependencyNotReady are still on the way.
 */
const FAILURE_REASONS = new Set([
  'BuildFailed',
  'HealthCheckFailed',
  'ReconciliationFailed',
  'PruneFailed',
  'InstallFailed',
  'UpgradeFailed',
  'TestFailed',
  'RollbackSucceeded',
  'RollbackFailed',
  'UninstallSucceeded',
  'UninstallFailed',
  'RetriesExceeded'
])

/**
 * Judges a Flux object against the promotion's commit (kstatus conventions, as `flux` itself reads
 * them):
 * - healthy: `Ready=True` for the current generation (`status.observedGeneration`) at a
 *   revision containing the commit: `status.lastAppliedRevision` (`main@sha1:<commit>`), or for a
 *   HelmRelease the newest release's chart version. kustomize-controller records the applied
 *   revision only after its health checks passed, so Flux has no separate "applied" state.
 * - A HelmRelease whose chart version names no commit (a chart from a Helm repository: the
 *   commit only changed its values) is judged by its generation instead: Ready=True for a
 *   generation newer than when the wait began, or a release deployed after the merge.
 * - failed: `Stalled=True`, or `Ready=False` with a failure reason (HealthCheckFailed,
 *   BuildFailed, UpgradeFailed, ...) once it attempted the commit (`lastAttemptedRevision`);
 *   a suspended object, which will not reconcile at all.
 */
export function evaluateFluxObject(kind: FluxKind, object: FluxObject, expect: SyncExpectation): SyncVerdict {
  const status = object.status ?? {}
  const generation = object.metadata?.generation ?? 0
  const ready = condition(status.conditions, 'Ready')
  const stalled = condition(status.conditions, 'Stalled')
  const current =
    (status.observedGeneration ?? -1) >= generation && (ready?.observedGeneration ?? generation) >= generation
  const appliedRevision =
    kind === 'HelmRelease'
      ? (status.history?.[0]?.chartVersion ?? status.lastAppliedRevision)
      : status.lastAppliedRevision
  const attemptedRevision = status.lastAttemptedRevision
  const revisions = [appliedRevision, attemptedRevision]
  const lookups = unknownCommits(revisions, expect.commit, expect.known)
  const namesCommit = [appliedRevision, attemptedRevision].some((r) => r && commitOfRevision(r) !== undefined)
  const byGeneration = kind === 'HelmRelease' && !namesCommit

  const applied: Containment = byGeneration
    ? newerThanTheMerge(object, expect)
      ? 'yes'
      : 'no'
    : containment(appliedRevision, expect.commit, expect.known)
  const attempted: Containment = byGeneration
    ? applied
    : containment(attemptedRevision, expect.commit, expect.known)
  const readyText = ready
    ? `Ready=${ready.status ?? 'Unknown'}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`
    : 'no Ready condition yet'
  const at = appliedRevision ? ` at ${appliedRevision}` : ''
  const state = `${readyText}${at}`

  if (object.spec?.suspend === true)
    return failed(
      `${kind} is suspended (spec.suspend: true): Flux will not apply the commit; resume it (flux resume)`
    )
  if (stalled?.status === 'True' && (attempted === 'yes' || current))
    return failed(`Stalled${stalled.reason ? ` (${stalled.reason})` : ''}: ${stalled.message ?? ''}`.trim())
  if (ready?.status === 'True' && current && applied === 'yes') {
    const revision = appliedRevision ?? ''
    return {
      state: 'healthy',
      message: byGeneration
        ? `Ready for generation ${generation} (chart ${revision || 'unknown'}, which names no commit)`
        : `Ready at ${revision}`,
      revision
    }
  }
  if (ready?.status === 'False' && attempted === 'yes' && FAILURE_REASONS.has(ready.reason ?? ''))
    return failed(`${ready.reason}: ${ready.message ?? ''}`.trim())
  const why =
    applied === 'unknown' || attempted === 'unknown'
      ? 'checking whether its revision contains the promotion commit'
      : byGeneration
        ? `waiting for a generation newer than ${expect.startGeneration ?? generation}`
        : attempted === 'yes'
          ? 'applying the commit'
          : `waiting for it to fetch ${expect.commit.slice(0, 7)}`
  return waiting(`${state}: ${why}`, lookups)
}

function condition(conditions: FluxCondition[] | undefined, type: string): FluxCondition | undefined {
  return conditions?.find((c) => c.type === type)
}

/** A HelmRelease changed since the wait began, or released after the merge. */
function newerThanTheMerge(object: FluxObject, expect: SyncExpectation): boolean {
  const generation = object.metadata?.generation ?? 0
  if (expect.startGeneration !== undefined && generation > expect.startGeneration) return true
  const deployed = Date.parse(object.status?.history?.[0]?.lastDeployed ?? '')
  return Number.isFinite(deployed) && deployed >= Math.floor(expect.deliveredAt / 1000) * 1000
}

function failed(message: string): SyncVerdict {
  return { state: 'failed', message, resources: [] }
}
