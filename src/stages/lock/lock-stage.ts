import type { KubernetesConnection } from '../../kubernetes/api/client-factory.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { Output } from '../../runtime/action-io.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import { OperationalError } from '../../runtime/errors.js'
import { table } from '../../runtime/markdown.js'
import { isPostStep, markMainStepStarted } from '../../runtime/post-step.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readLockSettings } from '../../settings/lock-settings.js'
import type { HeldLockEntry } from '../../steps/lock/environment-lock.js'
import { lockHolder } from '../../targets/lock-identity.js'

/** What tests, the demo and the bench may replace. */
export interface LockServices {
  clock: Clock
  /** Builds the API for a connection (count or wrap requests). */
  makeApi: (connection: KubernetesConnection) => WorkloadApi
}

export interface LockReport {
  holder: string
  entries: HeldLockEntry[]
  /** The first Lease taken plus hold-for (runner clock). */
  expiresAt: number
}

/**
 * The `lock` sub-action as the entrypoint runs it. Main step: takes the environment lock
 * (the same Leases, names and holder as a promotion) for a secret rotation, with the reason
 * on every Lease, waiting in line like a promotion does; then exits without renewing, so each
 * Lease holds for `hold-for`. Post step (same bundle, after the job): releases what unlock did
 * not (unless unlock-at-job-end is false).
 */
export async function lockStage(context: StageContext): Promise<void> {
  await lock(context)
}

/** The same, in-process, with replaceable services; returns undefined for the post step. */
export async function lock(
  context: StageContext,
  services: Partial<LockServices> = {}
): Promise<LockReport | undefined> {
  const clock = services.clock ?? systemClock
  if (isPostStep(context.io)) {
    const { runLockPostStep } = await import('./lock-post-step.js')
    await runLockPostStep(context, { clock, ...(services.makeApi ? { makeApi: services.makeApi } : {}) })
    return undefined
  }
  markMainStepStarted(context.io)
  const { io, logger, workflow } = context
  const settings = await readLockSettings(io, workflow)
  const [{ ClusterConnector }, { acquireEnvironmentLock }, { saveHeldLocks }, { environmentLockScopes }] =
    await Promise.all([
      import('../../targets/connect-clusters.js'),
      import('../../steps/lock/environment-lock.js'),
      import('../../steps/promotion-state.js'),
      import('../../targets/lock-identity.js')
    ])
  const connector = new ClusterConnector({
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger,
    ...(services.makeApi ? { makeApi: services.makeApi } : {})
  })
  const scopes = environmentLockScopes(connector.clusters(settings.environment), settings.environment)
  if (scopes.length === 0)
    throw new OperationalError(
      `${settings.environmentName} has no cluster and namespace to hold the lock's Lease in: give it a cluster with a namespace (a GitOps environment's promotions then take the Lease too)`,
      { title: 'Nothing to lock' }
    )
  const entries: HeldLockEntry[] = []
  let firstTakenAt: number | undefined
  const lost: string[] = []
  const held = await logger.group(`Lock ${settings.environmentName}`, () =>
    acquireEnvironmentLock({
      environmentName: settings.environmentName,
      targets: scopes.map(({ cluster, namespace }) => ({
        cluster: cluster.locator,
        api: cluster.api,
        namespace
      })),
      workflow,
      purpose: 'rotation',
      reason: settings.reason,
      leaseDurationMs: settings.holdForMs,
      timeoutMs: settings.timeoutMs,
      clock,
      logger,
      signal: context.signal,
      onAcquired: (entry) => {
        firstTakenAt ??= clock.now()
        entries.push(entry)
        if (settings.unlockAtJobEnd) saveHeldLocks(io, entries)
      },
      onLost: (message) => lost.push(message)
    })
  )
  // Nothing renews a Lease once this step exits: each holds for hold-for, or until unlock.
  held.stopRenewing()
  if (lost.length) {
    await held.release()
    throw new OperationalError(`${lost.join(' ')} Nothing is locked; run the rotation again.`, {
      title: 'Rotation lock lost'
    })
  }
  const holder = lockHolder(workflow)
  const expiresAt = (firstTakenAt ?? clock.now()) + settings.holdForMs
  const until = new Date(expiresAt).toISOString()
  io.setOutput(Output.Holder, holder)
  io.setOutput(Output.ExpiresAt, until)
  io.setOutput(Output.Leases, JSON.stringify(entries.map(leaseId)))
  logger.info(
    `Locked ${settings.environmentName} for a secret rotation until ${until}: promotions wait until promote-action/unlock runs${settings.unlockAtJobEnd ? ' (or this job ends)' : ''}`
  )
  await io.appendSummary(
    [
      `### 🔒 ${settings.environmentName} is locked for a secret rotation`,
      '',
      `**Reason:** ${settings.reason}`,
      '',
      `Held by \`${holder}\` until ${until} unless \`promote-action/unlock\` runs first${settings.unlockAtJobEnd ? ' (released when this job ends at the latest)' : ''}. Promotions into ${settings.environmentName} wait for it and show the reason.`,
      '',
      table(
        ['cluster', 'namespace', 'Lease'],
        entries.map((e) => [e.cluster.name, e.namespace, e.name])
      ),
      ''
    ].join('\n')
  )
  return { holder, entries, expiresAt }
}

export function leaseId(entry: HeldLockEntry): string {
  return `${entry.cluster.name}/${entry.namespace}/${entry.name}`
}
