import type { Clock } from '../../runtime/clock.js'
import type { FailFastOptions, PodFailure } from '../../kubernetes/rollout/pod-failures.js'
import type { RollbackResult } from '../../kubernetes/rollback/rollback.js'
import {
  waitForRollout,
  type RolloutEvent,
  type RolloutResult
} from '../../kubernetes/rollout/rollout-watcher.js'
import { restoreRecordedRevision } from '../../kubernetes/rollback/restore-recorded-revision.js'
import { WaveWatches, type WatchSource } from '../../kubernetes/api/watch-source.js'
import { adapterFor, type Workload } from '../../kubernetes/kinds/workload-kinds.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import type { Logger } from '../../runtime/logger.js'
import { prefixedLogger } from '../../runtime/prefixed-logger.js'
import { PROMOTED_AT_ANNOTATION } from '../../kubernetes/api/annotations.js'
import { classifyFailure, withRetries } from '../../kubernetes/api/retry-policy.js'
import { targetKey } from '../../targets/expand-target.js'
import type { PlannedTarget } from '../plan/promotion-plan.js'

export type TargetStatus =
  | 'succeeded'
  /** Already on the image: nothing to patch (reported as such, never as a promotion). */
  | 'unchanged'
  | 'failed'
  | 'timed-out'
  | 'deleted'
  | 'cancelled'
  /** Stopped because another target of the promotion failed. */
  | 'stopped'
  /** Its wave never started (an earlier wave failed, or the run was cancelled). */
  | 'not-started'

export interface RollbackOutcome {
  status: 'rolled-back' | 'unchanged' | 'failed'
  message: string
}

export interface TargetOutcome {
  target: PlannedTarget
  status: TargetStatus
  message: string
  failures: PodFailure[]
  events: RolloutEvent[]
  durationMs: number
  /** The promotion's patch was applied (so a rollback has something to undo). */
  patched: boolean
  revisionAfter?: string
  rollback?: RollbackOutcome
}

export interface WavesOptions {
  timeoutMs: number
  failFast: Partial<FailFastOptions>
  rollback: 'auto' | 'never'
  /** How long a rollback may take to roll out when the run was cancelled (the runner kills soon after). */
  cancelledRollbackTimeoutMs?: number
  signal: AbortSignal
  /**
   * Aborted when the environment lock is lost: stop like a cancellation, but roll nothing back,
   * since another run may now be promoting the same workloads.
   */
  fence?: AbortSignal
  clock: Clock
  logger: Logger
}

export interface WavesResult {
  outcomes: TargetOutcome[]
  failed: boolean
  cancelled: boolean
  /** The lock was lost: stopped, nothing rolled back. */
  lockLost: boolean
  rolledBack: boolean
  /** A rollback was needed and at least one did not succeed. */
  rollbackFailed: boolean
}

const FAILED: ReadonlySet<TargetStatus> = new Set(['failed', 'timed-out', 'deleted'])

/**
 * Promotes wave after wave (clusters in ascending `wave`); every target of a wave is patched
 * and watched in parallel. The first failure stops its wave's other watches and every later
 * wave; then, with rollback auto (and always on cancellation: a cancelled run leaves no
 * half-applied change), everything this promotion patched is returned to its recorded revision.
 */
export async function runWaves(plans: PlannedTarget[], options: WavesOptions): Promise<WavesResult> {
  const { clock, logger, signal } = options
  const deadline = clock.now() + options.timeoutMs
  const outcomes = plans.map<TargetOutcome>((target) =>
    target.plan.status === 'already-current'
      ? {
          target,
          status: 'unchanged',
          message: target.plan.message,
          failures: [],
          events: [],
          durationMs: 0,
          patched: false,
          ...revisionOf(target)
        }
      : {
          target,
          status: 'not-started',
          message: 'not started',
          failures: [],
          events: [],
          durationMs: 0,
          patched: false
        }
  )
  const waves = [...new Set(plans.map((p) => p.cluster.wave))].sort((a, b) => a - b)
  let failed = false
  for (const wave of waves) {
    if (failed || signal.aborted || options.fence?.aborted) break
    const inWave = outcomes.filter((o) => o.target.cluster.wave === wave && o.status === 'not-started')
    if (inWave.length === 0) continue
    const clusters = [...new Set(inWave.map((o) => o.target.cluster.name))].join(', ')
    await logger.group(`Wave ${wave}: ${inWave.length} target(s) in ${clusters}`, async () => {
      const stopWave = new AbortController()
      const onAbort = () => stopWave.abort()
      signal.addEventListener('abort', onAbort, { once: true })
      options.fence?.addEventListener('abort', onAbort, { once: true })
      // Where a namespace holds several of the wave's targets, their waits share one list+watch
      // per (cluster, kind, namespace); a lone target gets server-side selected streams.
      const streams = new Map<WorkloadApi, WaveWatches>()
      const watchesOf = (api: WorkloadApi): WatchSource => {
        if (!streams.has(api)) {
          const waits = inWave.filter((o) => o.target.cluster.api === api && o.target.plan.status === 'patch')
          const waitsIn = (namespace: string) =>
            waits.filter((o) => o.target.ref.namespace === namespace).length
          streams.set(api, new WaveWatches({ api, clock, logger }, waitsIn))
        }
        return streams.get(api)!
      }
      try {
        await Promise.all(
          inWave.map((outcome) => promoteTarget(outcome, deadline, stopWave, watchesOf, options))
        )
      } finally {
        signal.removeEventListener('abort', onAbort)
        options.fence?.removeEventListener('abort', onAbort)
        for (const source of streams.values()) source.dispose()
      }
    })
    failed = outcomes.some((o) => FAILED.has(o.status))
  }
  const cancelled = signal.aborted
  for (const o of outcomes) if (cancelled && o.status === 'stopped') o.status = 'cancelled'
  const lockLost = options.fence?.aborted ?? false
  if (lockLost) {
    for (const o of outcomes)
      if (o.status === 'stopped' || o.status === 'not-started')
        o.message = o.patched
          ? 'patched, then stopped: the promotion lock was lost (not rolled back)'
          : 'not patched: the promotion lock was lost first'
    logger.error(
      'The promotion lock was lost: stopped without rolling back, because another run may now be promoting this environment'
    )
    return { outcomes, failed: true, cancelled, lockLost, rolledBack: false, rollbackFailed: false }
  }

  const needsRollback = (failed || cancelled) && (cancelled || options.rollback === 'auto')
  let rolledBack = false
  let rollbackFailed = false
  if (needsRollback) {
    const patched = outcomes.filter((o) => o.patched)
    if (patched.length > 0) {
      await logger.group(`Rolling back ${patched.length} target(s) to their recorded revisions`, async () => {
        const timeoutMs = cancelled ? (options.cancelledRollbackTimeoutMs ?? 5000) : options.timeoutMs
        await Promise.all(patched.map((outcome) => rollBackTarget(outcome, timeoutMs, options)))
      })
      rolledBack = patched.some((o) => o.rollback?.status === 'rolled-back')
      rollbackFailed = patched.some((o) => o.rollback?.status === 'failed')
    }
  } else if (failed && options.rollback === 'never') {
    logger.warning('rollback: never: the failed targets are left as they are for inspection')
  }
  return { outcomes, failed, cancelled, lockLost, rolledBack, rollbackFailed }
}

async function promoteTarget(
  outcome: TargetOutcome,
  deadline: number,
  stopWave: AbortController,
  watchesOf: (api: WorkloadApi) => WatchSource,
  options: WavesOptions
): Promise<void> {
  const { clock, logger } = options
  const { target } = outcome
  const key = targetKey(target)
  const started = clock.now()
  if (target.plan.status !== 'patch') return
  if (stopWave.signal.aborted) {
    outcome.status = options.signal.aborted ? 'cancelled' : 'stopped'
    outcome.message = 'not patched: the promotion was stopped first'
    return
  }
  try {
    const patched = await applyPatch(target, options, () => (outcome.patched = true))
    outcome.patched = true
    logger.info(`${key}: set ${target.plan.changes.map((c) => `${c.container}=${c.to}`).join(', ')}`)
    const result: RolloutResult = await waitForRollout(target.ref, {
      api: target.cluster.api,
      watches: watchesOf(target.cluster.api),
      // The shared streams may have listed before this patch landed: only its generation counts.
      ...(patched.metadata?.generation !== undefined ? { minGeneration: patched.metadata.generation } : {}),
      timeoutMs: Math.max(1, deadline - clock.now()),
      failFast: options.failFast,
      signal: stopWave.signal,
      logger: prefixedLogger(logger, target.cluster.name),
      clock
    })
    outcome.failures = result.failures
    outcome.events = result.events
    outcome.message = result.message
    outcome.status =
      result.status === 'succeeded'
        ? 'succeeded'
        : result.status === 'cancelled'
          ? options.signal.aborted
            ? 'cancelled'
            : 'stopped'
          : result.status
    if (outcome.status === 'succeeded') {
      // The watcher's last observation is the rolled-out object: no second read needed.
      Object.assign(outcome, result.workload ? revisionAfter(target, result.workload) : {})
      logger.info(`${key}: rolled out (${result.message})`)
    } else if (outcome.status !== 'stopped' && outcome.status !== 'cancelled') {
      logger.error(`${key}: ${result.message}`)
      stopWave.abort()
    }
  } catch (error) {
    outcome.status = 'failed'
    outcome.message = (error as Error).message
    // A write whose answer was lost (a reset or a 5xx after the server applied it) may have
    // landed: it is rolled back like one that did (the rollback skips an unchanged template).
    if (classifyFailure(error, clock.now()).applied !== 'no') outcome.patched = true
    logger.error(`${key}: ${outcome.message}`)
    stopWave.abort()
  } finally {
    outcome.durationMs = clock.now() - started
  }
}

/**
 * Sends the promotion's patch. The patch is not sent blindly twice: when an attempt fails in a
 * way that may have applied it (a lost answer), the workload is read again first, and the
 * patch counts as applied when the workload carries it (the planned images and this
 * promotion's promoted-at stamp); only otherwise is it sent again. `maybeApplied` is called as
 * soon as an attempt's outcome is unknown, so a later failure still rolls it back.
 */
async function applyPatch(
  target: PlannedTarget,
  options: WavesOptions,
  maybeApplied: () => void
): Promise<Workload> {
  if (target.plan.status !== 'patch') throw new Error('nothing to patch')
  const plan = target.plan
  const api = target.cluster.api
  return withRetries(
    async (attempt) => {
      if (attempt > 1) {
        const current = await api.getWorkload(target.ref)
        if (carriesPatch(current, plan)) {
          options.logger.debug(`${targetKey(target)}: the patch had applied; its answer was lost`)
          return current
        }
      }
      try {
        return await api.patchWorkload(target.ref, plan.patch)
      } catch (error) {
        if (classifyFailure(error, options.clock.now()).applied !== 'no') maybeApplied()
        throw error
      }
    },
    {
      idempotent: true,
      clock: options.clock,
      signal: options.signal,
      logger: options.logger,
      describe: `the patch of ${targetKey(target)}`
    }
  )
}

/** The workload runs the planned images and carries this promotion's stamp: our patch applied. */
function carriesPatch(
  workload: Workload,
  plan: Extract<PlannedTarget['plan'], { status: 'patch' }>
): boolean {
  const spec = workload.spec?.template?.spec
  const stamp = plan.patch.metadata.annotations[PROMOTED_AT_ANNOTATION]
  return (
    workload.metadata?.annotations?.[PROMOTED_AT_ANNOTATION] === stamp &&
    plan.changes.every(
      (c) =>
        (c.initContainer ? spec?.initContainers : spec?.containers)?.find((x) => x.name === c.container)
          ?.image === c.to
    )
  )
}

async function rollBackTarget(
  outcome: TargetOutcome,
  timeoutMs: number,
  options: WavesOptions
): Promise<void> {
  const { clock, logger } = options
  const { target } = outcome
  const key = targetKey(target)
  let result: RollbackResult
  try {
    result = await restoreRecordedRevision(target.cluster.api, target.record, {
      timeoutMs,
      clock,
      logger: prefixedLogger(logger, target.cluster.name)
    })
  } catch (error) {
    outcome.rollback = { status: 'failed', message: `rollback failed: ${(error as Error).message}` }
    logger.error(`${key}: ROLLBACK FAILED: ${(error as Error).message}`)
    return
  }
  if (result.method === 'unchanged') {
    logger.info(result.message)
    outcome.rollback = { status: 'unchanged', message: result.message }
    return
  }
  logger.info(result.message)
  try {
    const waited = await waitForRollout(target.ref, {
      api: target.cluster.api,
      timeoutMs,
      // The recorded revision ran before: its pods are judged by its rollout status only. Pods
      // the namespace now refuses to create (Pod Security tightened, quota full) still end the wait.
      failFast: { ...options.failFast, enabled: false },
      judgeCreateFailures: options.failFast.enabled !== false,
      logger: prefixedLogger(logger, target.cluster.name),
      clock
    })
    if (waited.status === 'succeeded')
      outcome.rollback = { status: 'rolled-back', message: `${result.message}; rolled out` }
    else if (options.signal.aborted && waited.status === 'timed-out')
      outcome.rollback = {
        status: 'rolled-back',
        message: `${result.message}; still rolling out when the run was cancelled`
      }
    else
      outcome.rollback = {
        status: 'failed',
        message: `${result.message}, but its rollout did not complete: ${waited.message}`
      }
  } catch (error) {
    outcome.rollback = {
      status: 'failed',
      message: `${result.message}, but watching its rollout failed: ${(error as Error).message}`
    }
  }
  if (outcome.rollback.status === 'failed')
    logger.error(`${key}: ROLLBACK DID NOT COMPLETE: ${outcome.rollback.message}`)
}

function revisionOf(target: PlannedTarget): { revisionAfter?: string } {
  return target.record.revision ? { revisionAfter: target.record.revision } : {}
}

function revisionAfter(target: PlannedTarget, workload: Workload): { revisionAfter?: string } {
  const revision = adapterFor(target.ref.kind).revisionAfter(workload)
  return revision ? { revisionAfter: revision } : {}
}
