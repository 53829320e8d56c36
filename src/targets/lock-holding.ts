import type { V1Lease } from '@kubernetes/client-node'
import {
  LOCK_PURPOSE_ANNOTATION,
  LOCK_REASON_ANNOTATION,
  RUN_URL_ANNOTATION
} from '../kubernetes/api/annotations.js'
import { holderRunLink } from './lock-identity.js'

/**
 * Who holds an environment lock's Lease and why, as every reader shows it: a promotion waiting
 * in line, the concurrency gate, the secrets gate's rotation guard.
 */

/** `promotion`: the promote stage; `rotation`: the `lock` sub-action (a secret rotation). */
export type LockPurpose = 'promotion' | 'rotation'
export const LOCK_PURPOSES: readonly LockPurpose[] = ['promotion', 'rotation']

export interface LockHolding {
  holder: string
  /** A Lease without the annotation (taken before purposes were written) is a promotion's. */
  purpose: LockPurpose
  /** The `lock` sub-action's reason (rotations). */
  reason?: string
  /** The holder's run page. */
  url?: string
  /**
   * renewTime + leaseDurationSeconds, on the holder's clock. Only a one-off reader (a gate)
   * should use it; a waiter judges expiry by what it observes (lease-lock.ts).
   */
  until?: number
}

/** Undefined when nobody holds the Lease (absent, or released: an empty holder). */
export function lockHolding(lease: V1Lease | undefined, serverUrl: string): LockHolding | undefined {
  const holder = lease?.spec?.holderIdentity
  if (!lease || !holder) return undefined
  const annotations = lease.metadata?.annotations ?? {}
  const purpose: LockPurpose = annotations[LOCK_PURPOSE_ANNOTATION] === 'rotation' ? 'rotation' : 'promotion'
  const reason = annotations[LOCK_REASON_ANNOTATION]
  const url = holderRunLink(holder, annotations[RUN_URL_ANNOTATION], serverUrl)
  const renewed = Date.parse(String(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? ''))
  const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000
  return {
    holder,
    purpose,
    ...(purpose === 'rotation' && reason ? { reason } : {}),
    ...(url ? { url } : {}),
    ...(Number.isFinite(renewed) ? { until: renewed + durationMs } : {})
  }
}

/** "acme/shop/1001/1 (https://…/runs/1001/attempts/1) for a secret rotation: rotating the DB password" */
export function describeLockHolding(holding: LockHolding): string {
  const who = holding.url ? `${holding.holder} (${holding.url})` : holding.holder
  return `${who}${describePurpose(holding)}`
}

/** " for a secret rotation: <reason>" for a rotation, "" for a promotion. */
export function describePurpose(holding: Pick<LockHolding, 'purpose' | 'reason'>): string {
  if (holding.purpose !== 'rotation') return ''
  return ` for a secret rotation${holding.reason ? `: ${holding.reason}` : ''}`
}

/** The annotations a holder writes with the Lease: its purpose and reason, and its run page. */
export function holdingAnnotations(
  purpose: LockPurpose,
  reason: string | undefined,
  runUrl: string
): Record<string, string | undefined> {
  return {
    [LOCK_PURPOSE_ANNOTATION]: purpose,
    // A promotion taking over a rotation's Lease must not keep showing the rotation's reason.
    [LOCK_REASON_ANNOTATION]: purpose === 'rotation' ? reason : undefined,
    [RUN_URL_ANNOTATION]: runUrl || undefined
  }
}
