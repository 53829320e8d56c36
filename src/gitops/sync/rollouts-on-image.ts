import type { ImageReference } from '../../image/image-reference.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import type { WorkloadRef } from '../../kubernetes/api/workload-types.js'
import { describeWorkload } from '../../kubernetes/api/workload-types.js'
import { imageMismatch } from '../../kubernetes/rollout/image-mismatch.js'
import { describeFailures, type FailFastOptions } from '../../kubernetes/rollout/pod-failures.js'
import { waitForRollout } from '../../kubernetes/rollout/rollout-watcher.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { WorkloadsOutcome } from './wait-for-sync.js'

/** One workload of the environment in one cluster, as the GitOps wait checks it. */
export interface SyncedWorkload {
  /** `cluster/namespace/deployment/api` */
  key: string
  api: WorkloadApi
  ref: WorkloadRef
  /** The containers the config names; undefined = those running the promoted repository. */
  containers: string[] | undefined
}

export interface RolloutsOnImageOptions {
  /** The image the workloads must run; undefined = only the rollout is checked (after a revert). */
  image: ImageReference | undefined
  timeoutMs: number
  failFast?: Partial<FailFastOptions>
  clock: Clock
  logger: Logger
  signal?: AbortSignal
}

/**
 * Once the engine applied the commit: every workload rolled out (the shared rollout watcher:
 * kubectl's verdicts, and failing fast from the new pods' own reasons, not only the engine's
 * health) and running the promoted image. The first failure ends the wait for the others.
 * A workload that rolled out on another image was not changed by the commit: its manifest is
 * not the one promoted (or the engine applied something else), and it fails the wait.
 */
export async function rolloutsOnImage(
  workloads: readonly SyncedWorkload[],
  options: RolloutsOnImageOptions
): Promise<WorkloadsOutcome> {
  if (workloads.length === 0) return { ok: true, message: 'no targets configured to check' }
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const outcomes = await Promise.all(
      workloads.map(async (workload): Promise<WorkloadsOutcome & { cancelled?: boolean }> => {
        const result = await waitForRollout(workload.ref, {
          api: workload.api,
          timeoutMs: options.timeoutMs,
          ...(options.failFast ? { failFast: options.failFast } : {}),
          logger: options.logger,
          clock: options.clock,
          signal: stop.signal
        })
        if (result.status === 'cancelled') return { ok: false, cancelled: true, message: result.message }
        let outcome: WorkloadsOutcome
        if (result.status !== 'succeeded') {
          const failures = result.failures.length ? `; ${describeFailures(result.failures)}` : ''
          outcome = {
            ok: false,
            message: `${workload.key}: rollout ${result.status}: ${result.message}${failures}`
          }
        } else {
          const mismatch =
            options.image && result.workload
              ? imageMismatch(
                  result.workload,
                  options.image,
                  workload.containers,
                  describeWorkload(workload.ref)
                )
              : undefined
          outcome = mismatch
            ? {
                ok: false,
                message: `${workload.key}: ${mismatch} after the sync (is it deployed from the edited manifests?)`
              }
            : { ok: true, message: `${workload.key} rolled out` }
        }
        if (!outcome.ok) stop.abort()
        return outcome
      })
    )
    const failed = outcomes.filter((o) => !o.ok && !o.cancelled)
    if (failed.length) return { ok: false, message: failed.map((o) => o.message).join('; ') }
    if (outcomes.some((o) => o.cancelled))
      return { ok: false, message: 'cancelled while waiting for the rollouts' }
    const on = options.image ? ` on ${options.image.format()}` : ''
    return { ok: true, message: `${workloads.length} target(s) rolled out${on}` }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}
