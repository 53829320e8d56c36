import type { Clock } from '../../runtime/clock.js'
import { ImageReference } from '../../image/image-reference.js'
import { imagesOf, type RevisionRecord } from '../../kubernetes/rollback/revision-record.js'
import { waitForRollout } from '../../kubernetes/rollout/rollout-watcher.js'
import { restoreRecordedRevision } from '../../kubernetes/rollback/restore-recorded-revision.js'
import { PREVIOUS_IMAGES_ANNOTATION, SOURCE_SHA_ANNOTATION } from '../../kubernetes/api/annotations.js'
import { adapterFor, describeWorkload, type Workload } from '../../kubernetes/kinds/workload-kinds.js'
import type { Logger } from '../../runtime/logger.js'
import type { RollbackTargetReport } from './verify-report.js'
import { targetKey } from '../../targets/expand-target.js'
import type { VerifyTarget } from './verify-targets.js'

export interface RollbackOptions {
  targets: VerifyTarget[]
  /** The commit this promotion shipped: a workload whose record names another one is left alone. */
  sha: string
  /** The promoted image, to tell which restored image is "the previous version". */
  image: ImageReference | undefined
  timeoutMs: number
  logger: Logger
  clock: Clock
  signal?: AbortSignal
}

export interface RecordedRollback {
  targets: RollbackTargetReport[]
  /** Every target rolled back (or already on its recorded images) and rolled out. */
  complete: boolean
  /** The image the targets run again, when one of them ran the promoted repository. */
  previousImage: ImageReference | undefined
}

/**
 * Returns every target to what ran before this promotion, as the promote stage recorded it on
 * the workload (`promote-action.io/previous-images`, written in the same patch as the new
 * image, with `promote-action.io/source-sha`), using the shared rollback (kubernetes/rollback.ts),
 * then waits for each rollout with the shared watcher. Targets are independent: one that
 * cannot be rolled back does not stop the others.
 */
export async function rollBackToRecorded(options: RollbackOptions): Promise<RecordedRollback> {
  let previousImage: ImageReference | undefined
  const reports = await Promise.all(
    options.targets.map(async (target): Promise<RollbackTargetReport> => {
      const key = targetKey(target)
      const label = describeWorkload(target.ref)
      try {
        const workload = await target.cluster.api.getWorkload(target.ref)
        const record = recordFromAnnotations(target, workload, options.sha)
        if (typeof record === 'string') {
          options.logger.warning(`${key}: not rolled back: ${record}`)
          return { target: key, method: 'skipped', message: record }
        }
        previousImage ??= restoredImage(record, options.image)
        await adapterFor(target.ref.kind).locateRecordedRevision?.(record, workload, target.cluster.api)
        const result = await restoreRecordedRevision(target.cluster.api, record, {
          timeoutMs: options.timeoutMs,
          clock: options.clock,
          logger: options.logger,
          ...(options.signal ? { signal: options.signal } : {})
        })
        options.logger.info(`${key}: ${result.message}`)
        const rollout = await waitForRollout(target.ref, {
          api: target.cluster.api,
          timeoutMs: options.timeoutMs,
          logger: options.logger,
          clock: options.clock,
          ...(options.signal ? { signal: options.signal } : {})
        })
        options.logger.info(`${key}: rollout after rollback ${rollout.status}: ${rollout.message}`)
        return { target: key, method: result.method, message: result.message, rollout: rollout.status }
      } catch (error) {
        const message = `${label}: rollback failed: ${(error as Error).message}`
        options.logger.error(`${key}: ${message}`)
        return { target: key, method: 'failed', message }
      }
    })
  )
  const complete = reports.every((r) => r.rollout === 'succeeded')
  return { targets: reports, complete, previousImage }
}

/**
 * The pre-promotion state from the workload's annotations, or why there is none. Only the
 * images are known there (not the ReplicaSet), so the shared rollback patches them back.
 */
export function recordFromAnnotations(
  target: VerifyTarget,
  workload: Workload,
  sha: string
): RevisionRecord | string {
  const annotations = workload.metadata?.annotations ?? {}
  const text = annotations[PREVIOUS_IMAGES_ANNOTATION]
  if (!text) return `no ${PREVIOUS_IMAGES_ANNOTATION} annotation (it was not promoted by promote-action)`
  const source = annotations[SOURCE_SHA_ANNOTATION]
  if (source && !sameCommit(source, sha))
    return `its last promotion was of ${source}, not ${sha}: the recorded previous images belong to that one`
  let previous: Record<string, unknown>
  try {
    previous = JSON.parse(text) as Record<string, unknown>
  } catch {
    return `the ${PREVIOUS_IMAGES_ANNOTATION} annotation is not JSON`
  }
  const current = imagesOf(workload.spec?.template?.spec)
  const pick = (names: Record<string, string>) =>
    Object.fromEntries(
      Object.keys(names)
        .filter((name) => typeof previous[name] === 'string' && previous[name] !== '')
        .map((name) => [name, previous[name] as string])
    )
  const images = { containers: pick(current.containers), initContainers: pick(current.initContainers) }
  if (Object.keys(images.containers).length + Object.keys(images.initContainers).length === 0)
    return `the ${PREVIOUS_IMAGES_ANNOTATION} annotation names no container of the workload`
  return {
    target: target.ref,
    uid: workload.metadata?.uid ?? '',
    generation: workload.metadata?.generation ?? 0,
    images,
    recordedAt: annotations['promote-action.io/promoted-at'] ?? new Date(0).toISOString()
  }
}

function sameCommit(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length)
  return n >= 7 && a.slice(0, n).toLowerCase() === b.slice(0, n).toLowerCase()
}

/** The recorded image of the promoted repository (what the second verification expects to be served). */
function restoredImage(
  record: RevisionRecord,
  promoted: ImageReference | undefined
): ImageReference | undefined {
  const all = [...Object.values(record.images.initContainers), ...Object.values(record.images.containers)]
  for (const image of all) {
    const parsed = ImageReference.tryParse(image)
    if (parsed && (!promoted || parsed.sameRepository(promoted))) return parsed
  }
  return undefined
}
