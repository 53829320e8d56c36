import type { V1ObjectMeta } from '@kubernetes/client-node'
import { parseGoDuration } from './go-duration.js'

/**
 * The state of External Secrets Operator `ExternalSecret`s (external-secrets.io v1 and
 * v1beta1 read the same here), from their status alone:
 *
 * - Ready: the condition `Ready` is `True` with reason `SecretSynced` (`SecretSyncedError`
 *   and others are not ready).
 * - Spec observed: `status.syncedResourceVersion` is `<generation>-<hash of labels and
 *   annotations>`; a generation below `metadata.generation` means the controller has not
 *   synced the current spec yet.
 * - Fresh: with `spec.refreshPolicy` `Periodic` (the default) and a `spec.refreshInterval`
 *   above 0 (a Go duration, default `1h`), `status.refreshTime` must be within the interval
 *   (plus `graceMs`) of `now`. An interval of `0` and the policies `CreatedOnce` and `OnChange`
 *   never refresh on a timer, so they are never stale.
 * - Recently refreshed: `status.refreshTime` within `cooldownMs` of `now`. The seed says not
 *   to rotate secrets and deploy together; the controller sets refreshTime on every
 *   successful sync, changed values or not, so with a refresh interval shorter than the
 *   cool-down this is always true. It tells "synced lately", not "rotated lately".
 */
export interface ExternalSecret {
  apiVersion?: string
  kind?: string
  metadata?: V1ObjectMeta
  spec?: {
    refreshInterval?: string
    refreshPolicy?: string
    target?: { name?: string }
  }
  status?: {
    conditions?: {
      type: string
      status: string
      reason?: string
      message?: string
      lastTransitionTime?: string | Date
    }[]
    refreshTime?: string | Date | null
    syncedResourceVersion?: string
  }
}

export interface ExternalSecretOptions {
  /** Milliseconds since the epoch. */
  now: number
  /** How long after a refresh a deployment should wait; 0 (default) turns the check off. */
  cooldownMs?: number
  /** Slack beyond the refresh interval before a secret counts as stale (default 60 s). */
  graceMs?: number
}

export type ExternalSecretProblem =
  'not-ready' | 'never-synced' | 'spec-not-synced' | 'stale' | 'recently-refreshed' | 'invalid-interval'

export interface ExternalSecretVerdict {
  namespace: string
  name: string
  /** The Secret it writes (`spec.target.name`, defaulting to its own name). */
  target: string
  ready: boolean
  reason?: string
  /** The Ready condition's message, which ESO fills with provider errors (no secret values). */
  message?: string
  /** ISO time of the last successful sync, if any. */
  refreshTime?: string
  /** Periodic interval in ms; undefined when it never refreshes on a timer. */
  refreshIntervalMs?: number
  stale: boolean
  recentlyRefreshed: boolean
  problems: { problem: ExternalSecretProblem; message: string }[]
}

export const DEFAULT_REFRESH_GRACE_MS = 60_000

export function assessExternalSecrets(
  externalSecrets: ExternalSecret[],
  options: ExternalSecretOptions
): ExternalSecretVerdict[] {
  return externalSecrets.map((es) => assessExternalSecret(es, options))
}

export function assessExternalSecret(
  es: ExternalSecret,
  options: ExternalSecretOptions
): ExternalSecretVerdict {
  const namespace = es.metadata?.namespace ?? 'default'
  const name = es.metadata?.name ?? '?'
  const label = `externalsecret/${name} in ${namespace}`
  const problems: ExternalSecretVerdict['problems'] = []

  const condition = es.status?.conditions?.find((c) => c.type === 'Ready')
  const ready = condition?.status === 'True' && condition.reason === 'SecretSynced'
  if (!ready)
    problems.push({
      problem: 'not-ready',
      message: condition
        ? `${label} is not ready: Ready=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}`
        : `${label} has no Ready condition yet`
    })

  const refreshed = timestamp(es.status?.refreshTime)
  if (refreshed === undefined)
    problems.push({ problem: 'never-synced', message: `${label} has never synced (no status.refreshTime)` })

  const synced = syncedGeneration(es.status?.syncedResourceVersion)
  const generation = es.metadata?.generation
  if (synced !== undefined && generation !== undefined && synced < generation)
    problems.push({
      problem: 'spec-not-synced',
      message: `${label}: generation ${generation} is not synced yet (last synced generation ${synced})`
    })

  const policy = es.spec?.refreshPolicy ?? 'Periodic'
  const intervalText = es.spec?.refreshInterval ?? '1h'
  const parsed = parseGoDuration(intervalText)
  let refreshIntervalMs: number | undefined
  if (parsed === undefined || parsed < 0)
    problems.push({
      problem: 'invalid-interval',
      message: `${label}: spec.refreshInterval ${JSON.stringify(intervalText)} is not a Go duration such as 1h, 15m or 0`
    })
  else if (policy === 'Periodic' && parsed > 0) refreshIntervalMs = parsed

  const age = refreshed === undefined ? undefined : options.now - refreshed
  const stale =
    refreshIntervalMs !== undefined &&
    age !== undefined &&
    age > refreshIntervalMs + (options.graceMs ?? DEFAULT_REFRESH_GRACE_MS)
  if (stale)
    problems.push({
      problem: 'stale',
      message: `${label} last synced ${formatAge(age!)} ago, longer than its refresh interval ${intervalText}`
    })

  const cooldown = options.cooldownMs ?? 0
  const recentlyRefreshed = cooldown > 0 && age !== undefined && age < cooldown
  if (recentlyRefreshed)
    problems.push({
      problem: 'recently-refreshed',
      message: `${label} synced ${formatAge(Math.max(0, age!))} ago, within the ${formatAge(cooldown)} cool-down after a secret refresh`
    })

  return {
    namespace,
    name,
    target: es.spec?.target?.name ?? name,
    ready,
    reason: condition?.reason,
    message: condition?.message,
    refreshTime: refreshed === undefined ? undefined : new Date(refreshed).toISOString(),
    refreshIntervalMs,
    stale,
    recentlyRefreshed,
    problems
  }
}

/** The generation in `syncedResourceVersion` (`"3-1a2b..."`, or a bare number). */
function syncedGeneration(version: string | undefined): number | undefined {
  const match = version === undefined ? null : /^(\d+)(?:-|$)/.exec(version)
  return match ? Number(match[1]) : undefined
}

function timestamp(value: string | Date | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const ms = value instanceof Date ? value.getTime() : Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

function formatAge(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 120) return `${minutes}m`
  return `${Math.round(minutes / 6) / 10}h`
}
