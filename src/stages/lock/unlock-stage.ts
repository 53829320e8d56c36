import type { V1Lease } from '@kubernetes/client-node'
import { Output } from '../../runtime/action-io.js'
import { systemClock } from '../../runtime/clock.js'
import { table } from '../../runtime/markdown.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readUnlockSettings } from '../../settings/lock-settings.js'
import { lockHolder, lockName } from '../../targets/lock-identity.js'
import { describeLockHolding, lockHolding } from '../../targets/lock-holding.js'
import type { LockServices } from './lock-stage.js'

/** One Lease of the lock and what became of it. */
export interface UnlockOutcome {
  lease: string
  /** released: ours until now; not-held: nobody held it (released already, or never locked); taken: another holder has it. */
  status: 'released' | 'not-held' | 'taken'
  detail: string
}

export interface UnlockReport {
  released: boolean
  outcomes: UnlockOutcome[]
}

/**
 * The `unlock` sub-action: releases the environment lock this workflow run (any attempt) took with
 * promote-action/lock, in every cluster and namespace the lock covers (found from the config,
 * as lock found them: a step's state does not reach the next step). A Lease that is no longer
 * this run's is left alone and reported: it was released already, or it expired (hold-for was
 * too short) and another run took it, in which case a promotion may have overlapped the rotation.
 */
export async function unlockStage(context: StageContext): Promise<void> {
  await unlock(context)
}

export async function unlock(
  context: StageContext,
  services: Partial<LockServices> = {}
): Promise<UnlockReport> {
  const { io, logger, workflow } = context
  const clock = services.clock ?? systemClock
  const settings = await readUnlockSettings(io, workflow)
  const [{ ClusterConnector }, { LeaseLock }, { environmentLockScopes }] = await Promise.all([
    import('../../targets/connect-clusters.js'),
    import('../../kubernetes/lock/lease-lock.js'),
    import('../../targets/lock-identity.js')
  ])
  const connector = new ClusterConnector({
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger,
    ...(services.makeApi ? { makeApi: services.makeApi } : {})
  })
  const holder = lockHolder(workflow)
  const name = lockName(settings.environmentName)
  const scopes = environmentLockScopes(connector.clusters(settings.environment), settings.environment)
  const outcomes: UnlockOutcome[] = []
  await logger.group(`Unlock ${settings.environmentName}`, async () => {
    for (const { cluster, namespace } of scopes) {
      const lease = `${cluster.name}/${namespace}/${name}`
      const where = `${namespace}/${name} in cluster ${cluster.name}`
      const before = await cluster.api.getLease(namespace, name)
      const holding = lockHolding(before, workflow.serverUrl)
      if (holding && sameRun(holding.holder, holder)) {
        const expired = expiredAt(before, clock.now())
        const released = await new LeaseLock({ api: cluster.api, clock, logger }).release({
          name,
          namespace,
          holder: holding.holder
        })
        if (released) {
          outcomes.push({ lease, status: 'released', detail: expired ? `released (${expired})` : 'released' })
          logger.info(`Released the lock ${where}`)
          if (expired)
            logger.warning(
              `The lock ${where} ${expired} before unlock: a promotion could have taken it meanwhile. Raise hold-for above how long the rotation takes.`,
              { title: 'Rotation lock expired before unlock' }
            )
          continue
        }
      }
      const now = lockHolding(await cluster.api.getLease(namespace, name), workflow.serverUrl)
      if (now && !sameRun(now.holder, holder)) {
        const text = describeLockHolding(now)
        outcomes.push({ lease, status: 'taken', detail: `held by ${text}` })
        logger.warning(
          `The lock ${where} is held by ${text}, not by this run: this run's lock expired (hold-for) and was taken, so the rotation may have overlapped a promotion. Left alone.`,
          { title: 'Rotation lock lost before unlock' }
        )
      } else {
        outcomes.push({ lease, status: 'not-held', detail: 'not held (released already, or never locked)' })
        logger.info(
          `The lock ${where} is not held by this run (released already, or never locked); nothing to release`
        )
      }
    }
  })
  const released = outcomes.length > 0 && outcomes.every((o) => o.status === 'released')
  io.setOutput(Output.Released, String(released))
  io.setOutput(Output.Leases, JSON.stringify(outcomes.map((o) => o.lease)))
  await io.appendSummary(
    [
      `### 🔓 ${released ? `${settings.environmentName} is unlocked` : `Unlock of ${settings.environmentName}: not every Lease was this run's`}`,
      '',
      table(
        ['Lease', 'outcome'],
        outcomes.map((o) => [o.lease, o.detail])
      ),
      ''
    ].join('\n')
  )
  return { released, outcomes }
}

/**
 * A holder of this workflow run, this attempt or an earlier one: "re-run failed jobs" gives the
 * unlock job a new attempt, while the Lease still names the attempt whose lock job took it (a
 * run is re-run only after it ended, so an earlier attempt's lock is nobody else's).
 */
function sameRun(leaseHolder: string, ours: string): boolean {
  if (leaseHolder === ours) return true
  const [theirs, attempt] = splitAttempt(leaseHolder)
  const [mine, myAttempt] = splitAttempt(ours)
  return theirs !== undefined && theirs === mine && attempt! <= myAttempt!
}

/** `owner/repo/run_id/attempt` as [`owner/repo/run_id`, attempt]. */
function splitAttempt(holder: string): [string | undefined, number | undefined] {
  const match = /^(.+\/\d+)\/(\d+)$/.exec(holder)
  return match ? [match[1], Number(match[2])] : [undefined, undefined]
}

/** "expired at <time>" when the holder's own renewTime + duration has passed (same run: one clock). */
function expiredAt(lease: V1Lease | undefined, now: number): string | undefined {
  const until = lockHolding(lease, '')?.until
  return until !== undefined && until <= now ? `expired at ${new Date(until).toISOString()}` : undefined
}
