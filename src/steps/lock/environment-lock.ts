import type { V1Lease } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import {
  LeaseLock,
  LeaseRefusedError,
  LeaseTimeoutError,
  type HeldLease
} from '../../kubernetes/lock/lease-lock.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import type { WorkflowContext } from '../../runtime/workflow-context.js'
import type { ClusterLocator } from '../../targets/connect-clusters.js'
import { holderRunUrl, lockHolder, lockName } from '../../targets/lock-identity.js'
import {
  describeLockHolding,
  describePurpose,
  holdingAnnotations,
  lockHolding,
  type LockHolding,
  type LockPurpose
} from '../../targets/lock-holding.js'
import { compareCodeUnits } from '../../runtime/code-unit-order.js'

export { lockName }

/** What the post step needs to release one Lease (saved in the action's state). */
export interface HeldLockEntry {
  cluster: ClusterLocator
  namespace: string
  name: string
  holder: string
}

export interface LockTarget {
  cluster: ClusterLocator
  api: WorkloadApi
  namespace: string
}

export interface EnvironmentLockOptions {
  environmentName: string
  targets: LockTarget[]
  workflow: WorkflowContext
  /** Why the lock is taken, written on each Lease with the holder (default promotion). */
  purpose?: LockPurpose
  /** Rotations: shown to every promotion that waits. */
  reason?: string
  leaseDurationMs: number
  timeoutMs: number
  clock: Clock
  logger: Logger
  signal: AbortSignal
  /** Called once per Lease as soon as it is held, so the post step can release it even if main dies next. */
  onAcquired: (entry: HeldLockEntry) => void
  /** Called when a held Lease is lost (taken by another holder, or not renewed in time). */
  onLost?: (message: string) => void
}

export interface EnvironmentLock {
  entries: HeldLockEntry[]
  /** Releases every Lease it still can; returns those it could not (still ours: the post step tries again). */
  release(): Promise<HeldLockEntry[]>
  /** Stops renewing every Lease without releasing it: each then holds for its lease duration (the `lock` sub-action). */
  stopRenewing(): void
}

/**
 * Takes the environment's Lease in every cluster and namespace it promotes to, one after the
 * other in a fixed order (so two runs never each hold half), waiting in line up to the timeout.
 */
export async function acquireEnvironmentLock(options: EnvironmentLockOptions): Promise<EnvironmentLock> {
  const { workflow, logger, clock } = options
  const purpose = options.purpose ?? 'promotion'
  const holder = lockHolder(workflow)
  const name = lockName(options.environmentName)
  const annotations = holdingAnnotations(purpose, options.reason, workflow.runUrl)
  const lockLabel = purpose === 'rotation' ? 'lock' : 'promotion lock'
  /** The last holder we waited for, as described in the log (the timeout names it too). */
  let waitedFor: LockHolding | undefined
  const started = clock.now()
  const held: Array<{ lease: HeldLease; entry: HeldLockEntry }> = []
  const unique = [
    ...new Map(options.targets.map((t) => [`${t.cluster.name}/${t.namespace}`, t])).values()
  ].sort((a, b) => compareCodeUnits(`${a.cluster.name}/${a.namespace}`, `${b.cluster.name}/${b.namespace}`))
  const release = async (): Promise<HeldLockEntry[]> => {
    const kept: HeldLockEntry[] = []
    for (const { lease, entry } of held.splice(0).reverse()) {
      try {
        await lease.release()
        logger.info(`Released the lock ${entry.namespace}/${entry.name} in cluster ${entry.cluster.name}`)
      } catch (error) {
        kept.push(entry)
        logger.warning(
          `Could not release the lock ${entry.namespace}/${entry.name} in cluster ${entry.cluster.name} (the post step tries again; it expires by itself): ${(error as Error).message}`
        )
      }
    }
    return kept.reverse()
  }
  try {
    for (const target of unique) {
      const where = `${target.namespace}/${name} in cluster ${target.cluster.name}`
      const lock = new LeaseLock({ api: target.api, clock, logger })
      const lease = await lock.acquire({
        name,
        namespace: target.namespace,
        holder,
        leaseDurationSeconds: Math.max(1, Math.round(options.leaseDurationMs / 1000)),
        timeoutMs: Math.max(0, options.timeoutMs - (clock.now() - started)),
        retryMs: Math.min(2000, Math.max(100, Math.round(options.leaseDurationMs / 10))),
        signal: options.signal,
        annotations,
        refuseOwn: (lease) => refuseOwnRotation(lease, purpose, options.environmentName, workflow.serverUrl),
        onWait: (other, _waited, lease) => {
          waitedFor = lockHolding(lease, workflow.serverUrl) ?? fallbackHolding(other, workflow.serverUrl)
          logger.info(`Waiting for the lock ${where}: held by ${describeLockHolding(waitedFor)}`)
        },
        onLost: (reason) => {
          const message = `Lost the lock ${where}: ${reason}. Another promotion may now run concurrently.`
          logger.warning(message)
          options.onLost?.(message)
        }
      })
      const entry: HeldLockEntry = { cluster: target.cluster, namespace: target.namespace, name, holder }
      held.push({ lease, entry })
      options.onAcquired(entry)
      logger.info(
        `Acquired the lock ${where} as ${holder}${describePurpose({ purpose, reason: options.reason })}`
      )
    }
  } catch (error) {
    await release()
    if (error instanceof LeaseTimeoutError) {
      const holding = error.holder
        ? waitedFor?.holder === error.holder
          ? waitedFor
          : fallbackHolding(error.holder, workflow.serverUrl)
        : undefined
      throw new OperationalError(
        `Timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for the ${lockLabel} of ${options.environmentName}${holding ? `, held by ${describeLockHolding(holding)}` : ''}. Raise lock-timeout or retry when that run ends.`,
        { title: `${purpose === 'rotation' ? 'Rotation' : 'Promotion'} lock timeout`, cause: error }
      )
    }
    if (error instanceof LeaseRefusedError)
      throw new OperationalError(error.message, { title: 'Lock held by this run', cause: error })
    if (error instanceof CancellationError) throw error
    throw error
  }
  return {
    entries: held.map((h) => h.entry),
    release,
    stopRenewing: () => {
      for (const { lease } of held) lease.stopRenewing()
    }
  }
}

/**
 * A promotion in the run that holds the lock for a rotation shares its holder: taking the
 * Lease "again" would end the rotation's lock when the promotion releases it. Refused, with
 * what to do instead.
 */
function refuseOwnRotation(
  lease: V1Lease,
  purpose: LockPurpose,
  environmentName: string,
  serverUrl: string
): string | undefined {
  const holding = lockHolding(lease, serverUrl)
  if (purpose !== 'promotion' || holding?.purpose !== 'rotation') return undefined
  return `This run holds the lock of ${environmentName}${describePurpose(holding)}; a promotion cannot run inside its own rotation (it would end the rotation's lock). Run promote-action/unlock first, or restart the workloads to pick up the new secret (kubectl rollout restart) while the lock is held.`
}

function fallbackHolding(holder: string, serverUrl: string): LockHolding {
  const url = holderRunUrl(holder, serverUrl)
  return { holder, purpose: 'promotion', ...(url ? { url } : {}) }
}
