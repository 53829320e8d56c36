import type { Workload } from '../../kubernetes/kinds/workload-kinds.js'
import { isNotFound } from '../../kubernetes/api/api-error.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { LeaseLock, LeaseTimeoutError, type HeldLease } from '../../kubernetes/lock/lease-lock.js'
import { restoreRecordedRevision } from '../../kubernetes/rollback/restore-recorded-revision.js'
import { waitForRollout } from '../../kubernetes/rollout/rollout-watcher.js'
import { systemClock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { SUMMARY_LIMIT_BYTES, table, truncateMarkdown } from '../../runtime/markdown.js'
import type { StageContext } from '../../runtime/run-stage.js'
import type { HeldLockEntry } from '../../steps/lock/environment-lock.js'
import type { SavedPlan } from '../../steps/promotion-state.js'
import type { ClusterConnector } from '../../targets/connect-clusters.js'

/** How long the post step lets a rollback roll out: the runner gives a post step little time. */
const ROLLBACK_WAIT_MS = 120_000

type TargetState = 'promoted' | 'previous' | 'other' | 'gone' | 'unreadable'

interface TargetReport {
  key: string
  state: TargetState
  /** What the promoted containers run now. */
  running: string
  action: string
}

/**
 * The post step's part when the main step was killed after it planned its patches (the runner
 * killed it, the machine died): which targets are left on which image, said in the log and the
 * job summary, and with `rollback: auto` those left on the new image are returned to what they
 * ran before, from the plan the main step saved. Only while the environment is still ours: the
 * post step takes the main step's Leases again first, and if another run holds one now it may
 * be promoting, so nothing is rolled back. Returns a line for the Deployment record.
 */
export async function recoverInterruptedPromotion(
  context: StageContext,
  plan: SavedPlan,
  locks: HeldLockEntry[],
  connector: ClusterConnector
): Promise<string> {
  const { logger, io } = context
  const retaken: HeldLease[] = []
  let fenced: string | undefined
  for (const entry of locks) {
    try {
      retaken.push(
        await new LeaseLock({
          api: connector.connect(entry.cluster).api,
          clock: systemClock,
          logger
        }).acquire({
          name: entry.name,
          namespace: entry.namespace,
          holder: entry.holder,
          timeoutMs: 0
        })
      )
    } catch (error) {
      fenced =
        error instanceof LeaseTimeoutError && error.holder
          ? `the lock ${entry.namespace}/${entry.name} in cluster ${entry.cluster.name} is now held by ${error.holder}`
          : `the lock ${entry.namespace}/${entry.name} in cluster ${entry.cluster.name} could not be taken again: ${(error as Error).message}`
      break
    }
  }
  try {
    const reports = await Promise.all(plan.targets.map((target) => inspect(target, connector)))
    const promoted = reports.filter((r) => r.report.state === 'promoted')
    const rollBack = plan.rollback === 'auto' && !fenced
    if (promoted.length && rollBack)
      await logger.group(`Rolling back ${promoted.length} target(s) the interrupted promotion changed`, () =>
        Promise.all(promoted.map((target) => restore(target, logger)))
      )
    else
      for (const { report } of promoted)
        report.action = fenced
          ? `left as it is: ${fenced}, which may be promoting`
          : 'left as it is (rollback: never)'
    for (const { report } of reports) {
      const line = `${report.key}: ${describeState(report)}; ${report.action}`
      if (report.state === 'promoted' && !report.action.startsWith('rolled back')) logger.warning(line)
      else logger.info(line)
    }
    await io.appendSummary(
      truncateMarkdown(
        summary(
          plan,
          reports.map((r) => r.report),
          fenced
        ),
        SUMMARY_LIMIT_BYTES,
        context.workflow.runUrl
      )
    )
    const left = reports.filter(
      (r) => r.report.state === 'promoted' && !r.report.action.startsWith('rolled back')
    )
    const restored = promoted.length - left.length
    return left.length
      ? `; ${left.length} target(s) left on ${plan.image}`
      : restored
        ? `; rolled back ${restored} target(s)`
        : ''
  } finally {
    // Still ours: the post step releases them next, as it releases every lock main held.
    for (const lease of retaken) lease.stopRenewing()
  }
}

async function inspect(
  target: SavedPlan['targets'][number],
  connector: ClusterConnector
): Promise<{ target: SavedPlan['targets'][number]; api: WorkloadApi | undefined; report: TargetReport }> {
  const report: TargetReport = { key: target.key, state: 'unreadable', running: '?', action: 'nothing to do' }
  let api: WorkloadApi | undefined
  try {
    api = connector.connect(target.cluster).api
    const workload: Workload = await api.getWorkload(target.record.target)
    if (target.record.uid && workload.metadata?.uid !== target.record.uid) {
      report.state = 'gone'
      report.running = '(a re-created object)'
      return { target, api, report }
    }
    const spec = workload.spec?.template?.spec
    const imageOf = (name: string) =>
      [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find((c) => c.name === name)?.image ?? ''
    const names = Object.keys(target.images)
    report.running = names.map((name) => `${name}=${imageOf(name)}`).join(', ')
    const recorded = { ...target.record.images.initContainers, ...target.record.images.containers }
    report.state = names.every((name) => imageOf(name) === target.images[name])
      ? 'promoted'
      : names.every((name) => imageOf(name) === recorded[name])
        ? 'previous'
        : 'other'
  } catch (error) {
    report.state = isNotFound(error) ? 'gone' : 'unreadable'
    report.running = isNotFound(error) ? '(deleted)' : `(could not read: ${(error as Error).message})`
  }
  return { target, api, report }
}

async function restore(
  entry: { target: SavedPlan['targets'][number]; api: WorkloadApi | undefined; report: TargetReport },
  logger: Logger
): Promise<void> {
  const { target, api, report } = entry
  if (!api) return
  try {
    const result = await restoreRecordedRevision(api, target.record, {
      timeoutMs: ROLLBACK_WAIT_MS,
      clock: systemClock,
      logger
    })
    const rollout = await waitForRollout(target.record.target, {
      api,
      timeoutMs: ROLLBACK_WAIT_MS,
      logger,
      clock: systemClock
    })
    report.action =
      rollout.status === 'succeeded'
        ? `rolled back: ${result.message}`
        : `rolled back (${result.message}), but its rollout did not complete: ${rollout.message}`
  } catch (error) {
    report.action = `ROLLBACK FAILED: ${(error as Error).message}`
  }
}

function describeState(report: TargetReport): string {
  switch (report.state) {
    case 'promoted':
      return `left on the promoted image (${report.running})`
    case 'previous':
      return `still on what it ran before (${report.running})`
    case 'other':
      return `runs ${report.running}`
    case 'gone':
      return `not there any more ${report.running}`
    case 'unreadable':
      return report.running
  }
}

function summary(plan: SavedPlan, reports: TargetReport[], fenced: string | undefined): string {
  return [
    `## Promotion of ${plan.image}: interrupted`,
    '',
    `The main step ended before it finished (the runner killed or cancelled it).${fenced ? ` Nothing was rolled back: ${fenced}.` : ''}`,
    '',
    table(
      ['Target', 'Now', 'Action'],
      reports.map((r) => [r.key, describeState(r), r.action])
    ),
    ''
  ].join('\n')
}
