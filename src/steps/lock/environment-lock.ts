import type { Clock } from '../../runtime/clock.js'
import { isConflict } from '../../kubernetes/api/api-error.js'
import { LeaseLock, LeaseTimeoutError, type HeldLease } from '../../kubernetes/lock/lease-lock.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import type { WorkflowContext } from '../../runtime/workflow-context.js'
import type { ClusterLocator } from '../../targets/connect-clusters.js'
import { RUN_URL_ANNOTATION } from '../../kubernetes/api/annotations.js'
import { holderRunLink, holderRunUrl, lockHolder, lockName } from '../../targets/lock-identity.js'
import { compareCodeUnits } from '../../runtime/code-unit-order.js'

export { lockName }

/** The holder's run page, kept on the Lease so a waiting run can link to it. */

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
}

/**
 * Takes the environment's Lease in every cluster and namespace it promotes to, one after the
 * other in a fixed order (so two runs never each hold half), waiting in line up to the timeout.
 */
export async function acquireEnvironmentLock(options: EnvironmentLockOptions): Promise<EnvironmentLock> {
  const { workflow, logger, clock } = options
  const holder = lockHolder(workflow)
  const name = lockName(options.environmentName)
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
        onWait: (other) => {
          void describeHolder(target, name, other, workflow.serverUrl).then((text) =>
            logger.info(`Waiting for the lock ${where}: held by ${text}`)
          )
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
      await annotateRunUrl(target, name, holder, workflow.runUrl, logger)
      logger.info(`Acquired the lock ${where} as ${holder}`)
    }
  } catch (error) {
    await release()
    if (error instanceof LeaseTimeoutError) {
      const url = error.holder ? holderRunUrl(error.holder, workflow.serverUrl) : undefined
      throw new OperationalError(
        `Timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for the promotion lock of ${options.environmentName}${error.holder ? `, held by ${error.holder}${url ? ` (${url})` : ''}` : ''}. Raise lock-timeout or retry when that run ends.`,
        { title: 'Promotion lock timeout', cause: error }
      )
    }
    if (error instanceof CancellationError) throw error
    throw error
  }
  return { entries: held.map((h) => h.entry), release }
}

async function describeHolder(
  target: LockTarget,
  name: string,
  holder: string,
  serverUrl: string
): Promise<string> {
  let annotated: string | undefined
  try {
    annotated = (await target.api.getLease(target.namespace, name))?.metadata?.annotations?.[
      RUN_URL_ANNOTATION
    ]
  } catch {
    // The derived URL is as good.
  }
  const url = holderRunLink(holder, annotated, serverUrl)
  return url ? `${holder} (${url})` : holder
}

/** Best effort: the Lease's spec is the lock; the annotation only helps a waiting run link to us. */
async function annotateRunUrl(
  target: LockTarget,
  name: string,
  holder: string,
  runUrl: string,
  logger: Logger
): Promise<void> {
  if (!runUrl) return
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const lease = await target.api.getLease(target.namespace, name)
      if (!lease || lease.spec?.holderIdentity !== holder) return
      lease.metadata = {
        ...lease.metadata,
        annotations: { ...lease.metadata?.annotations, [RUN_URL_ANNOTATION]: runUrl }
      }
      await target.api.replaceLease(target.namespace, lease)
      return
    } catch (error) {
      if (!isConflict(error)) {
        logger.debug(`could not annotate the lock with the run URL: ${(error as Error).message}`)
        return
      }
    }
  }
}
