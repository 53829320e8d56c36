import { LeaseLock } from '../../kubernetes/lock/lease-lock.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { ClusterConnector } from '../../targets/connect-clusters.js'
import type { HeldLockEntry } from './environment-lock.js'

/**
 * Releases the Leases a main step saved in its state, from its post step (a later process):
 * each only while it is still held by the saved holder. Never throws: a Lease it cannot
 * release expires by itself. Returns how many it released.
 */
export async function releaseSavedLocks(
  entries: readonly HeldLockEntry[],
  options: { connector: ClusterConnector; clock: Clock; logger: Logger; label: string }
): Promise<number> {
  const { connector, clock, logger, label } = options
  let released = 0
  for (const entry of entries) {
    const where = `${entry.namespace}/${entry.name} in cluster ${entry.cluster.name}`
    try {
      const done = await new LeaseLock({ api: connector.connect(entry.cluster).api, clock, logger }).release(
        entry
      )
      if (done) released++
      logger.info(
        done
          ? `Released the ${label} ${where}`
          : `The ${label} ${where} is no longer ours; nothing to release`
      )
    } catch (error) {
      logger.warning(
        `Could not release the ${label} ${where}; it expires by itself: ${(error as Error).message}`
      )
    }
  }
  return released
}
