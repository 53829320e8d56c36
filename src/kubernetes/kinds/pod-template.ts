import type { V1PodSpec } from '@kubernetes/client-node'
import { CHANGE_CAUSE_ANNOTATION } from '../api/annotations.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'
import { describeWorkload, type Workload, type WorkloadRef } from '../api/workload-types.js'
import type { RevisionRecord, RollbackOptions, RollbackResult, RolloutStatus } from './workload-adapter.js'

/** What every workload kind shares: a pod template, a generation, images to record and restore. */

export function imagesOf(spec: V1PodSpec | undefined): RevisionRecord['images'] {
  const byName = (containers: Array<{ name: string; image?: string }> | undefined) =>
    Object.fromEntries((containers ?? []).map((c) => [c.name, c.image ?? '']))
  return { containers: byName(spec?.containers), initContainers: byName(spec?.initContainers) }
}

/** The record every kind starts from: identity, generation and images (kinds add their revision). */
export function baseRecord(target: WorkloadRef, workload: Workload, now: Date): RevisionRecord {
  return {
    target: { kind: target.kind, name: target.name, namespace: target.namespace },
    uid: workload.metadata?.uid ?? '',
    generation: workload.metadata?.generation ?? 0,
    images: imagesOf(workload.spec?.template?.spec),
    recordedAt: now.toISOString()
  }
}

/** The controller has seen the current spec (and so has acted on it). */
export function generationObserved(workload: Workload): boolean {
  const observed = workload.status?.observedGeneration ?? 0
  return observed > 0 && (workload.metadata?.generation ?? 0) <= observed
}

export function waiting(message: string): RolloutStatus {
  return { done: false, message }
}

/**
 * The rollback of what a promotion changes, the images: each recorded container image patched
 * back (strategic merge). StatefulSets and DaemonSets roll back this way (restoring a
 * ControllerRevision would need more RBAC), and Deployments when the recorded ReplicaSet is gone.
 */
export async function restoreImages(
  api: WorkloadApi,
  record: RevisionRecord,
  workload: Workload,
  options: RollbackOptions,
  message: string
): Promise<RollbackResult> {
  const spec = workload.spec?.template?.spec
  const missing: string[] = []
  const pick = (
    recorded: Record<string, string>,
    current: Array<{ name: string; image?: string }> | undefined
  ) => {
    const changes: Array<{ name: string; image: string }> = []
    for (const [name, image] of Object.entries(recorded)) {
      const container = current?.find((c) => c.name === name)
      // A strategic merge patch naming an absent container would add a half-defined one.
      if (!container) missing.push(name)
      else if (container.image !== image) changes.push({ name, image })
    }
    return changes
  }
  const containers = pick(record.images.containers, spec?.containers)
  const initContainers = pick(record.images.initContainers, spec?.initContainers)
  const note = missing.length ? ` (containers no longer present, left alone: ${missing.join(', ')})` : ''
  if (containers.length === 0 && initContainers.length === 0) {
    return {
      method: 'unchanged',
      message: `${describeWorkload(record.target)}: already runs the recorded images${note}`,
      workload
    }
  }
  const restored = [...initContainers, ...containers].map((c) => `${c.name}=${c.image}`).join(', ')
  const patch = {
    metadata: { annotations: { [CHANGE_CAUSE_ANNOTATION]: `promote-action: roll back to ${restored}` } },
    spec: {
      template: {
        spec: {
          ...(containers.length ? { containers } : {}),
          ...(initContainers.length ? { initContainers } : {})
        }
      }
    }
  }
  // Restoring recorded images is the same document however often it is sent.
  const patched = await api.patchWorkload(record.target, patch, {
    repeatable: true,
    ...(options.dryRun ? { dryRun: true } : {})
  })
  return { method: 'images', message: `${message}: ${restored}${note}`, workload: patched }
}
