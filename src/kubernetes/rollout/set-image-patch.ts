import type { V1PodSpec } from '@kubernetes/client-node'
import { ImageReference } from '../../image/image-reference.js'
import {
  CHANGE_CAUSE_ANNOTATION,
  PREVIOUS_IMAGES_ANNOTATION,
  PROMOTED_AT_ANNOTATION,
  RUN_URL_ANNOTATION,
  SOURCE_SHA_ANNOTATION
} from '../api/annotations.js'
import { describeContainers, selectContainers, type TemplateContainer } from '../kinds/container-selection.js'
import { describeWorkload, type Workload, type WorkloadKind } from '../kinds/workload-kinds.js'

/**
 * The strategic merge patch `kubectl set image` would send, plus the record of who promoted
 * what (annotations on the workload's metadata: see api/annotations.ts for why never on the pod
 * template). `containers` and `initContainers` merge by name, so only `image` changes.
 * StatefulSet/DaemonSet ControllerRevisions do not keep annotations.
 */

export interface SetImageRequest {
  /** The image to promote to. */
  image: string | ImageReference
  /**
   * Containers (or init containers) to update, by name. Default: every container and init
   * container whose current image is from the same repository as `image`.
   */
  containers?: string[]
  sourceSha?: string
  actor?: string
  runUrl?: string
  promotedAt: Date
}

export interface ContainerImageChange {
  container: string
  initContainer: boolean
  from: string
  to: string
}

export type SetImagePlan =
  | {
      status: 'patch'
      patch: SetImagePatch
      changes: ContainerImageChange[]
      /** Selected containers already running the image (left out of the patch). */
      unchanged: string[]
    }
  | { status: 'already-current'; unchanged: string[]; message: string }

export interface SetImagePatch {
  metadata: { annotations: Record<string, string> }
  spec: {
    template: {
      spec: {
        containers?: Array<{ name: string; image: string }>
        initContainers?: Array<{ name: string; image: string }>
      }
    }
  }
}

export class ContainerSelectionError extends Error {
  override readonly name = 'ContainerSelectionError'
}

export function planSetImage(kind: WorkloadKind, workload: Workload, request: SetImageRequest): SetImagePlan {
  const target = typeof request.image === 'string' ? ImageReference.parse(request.image) : request.image
  const image = target.format()
  const label = describeWorkload({ kind, name: workload.metadata?.name ?? '' })
  const selected = chooseContainers(workload.spec?.template?.spec, request.containers, target, label)
  const changes: ContainerImageChange[] = []
  const unchanged: string[] = []
  for (const { container, initContainer } of selected) {
    const from = container.image ?? ''
    if (runsImage(from, target)) unchanged.push(container.name)
    else changes.push({ container: container.name, initContainer, from, to: image })
  }

  if (changes.length === 0) {
    return {
      status: 'already-current',
      unchanged,
      message: `${label} already runs ${image} (${unchanged.join(', ')})`
    }
  }

  const byName = (init: boolean) =>
    changes.filter((c) => c.initContainer === init).map((c) => ({ name: c.container, image: c.to }))
  const templateSpec: SetImagePatch['spec']['template']['spec'] = {}
  if (byName(false).length > 0) templateSpec.containers = byName(false)
  if (byName(true).length > 0) templateSpec.initContainers = byName(true)

  return {
    status: 'patch',
    patch: {
      metadata: { annotations: promotionAnnotations(changes, request) },
      spec: { template: { spec: templateSpec } }
    },
    changes,
    unchanged
  }
}

/** The annotations recording a promotion (exported for the GitOps path and for tests). */
export function promotionAnnotations(
  changes: ContainerImageChange[],
  request: Omit<SetImageRequest, 'image' | 'containers'>
): Record<string, string> {
  const images = changes.map((c) => `${c.container}=${c.to}`).join(', ')
  const context = [
    request.sourceSha ? `source ${request.sourceSha}` : undefined,
    request.actor ? `by ${request.actor}` : undefined,
    request.runUrl ? `run ${request.runUrl}` : undefined
  ].filter((part): part is string => part !== undefined)
  const annotations: Record<string, string> = {
    [CHANGE_CAUSE_ANNOTATION]: `promote-action: set image ${images}${context.length ? ` (${context.join(', ')})` : ''}`,
    [PREVIOUS_IMAGES_ANNOTATION]: JSON.stringify(
      Object.fromEntries(changes.map((c) => [c.container, c.from]))
    ),
    [PROMOTED_AT_ANNOTATION]: request.promotedAt.toISOString()
  }
  if (request.sourceSha) annotations[SOURCE_SHA_ANNOTATION] = request.sourceSha
  if (request.runUrl) annotations[RUN_URL_ANNOTATION] = request.runUrl
  return annotations
}

function chooseContainers(
  podSpec: V1PodSpec | undefined,
  names: string[] | undefined,
  target: ImageReference,
  label: string
): TemplateContainer[] {
  const { selected, missing, all } = selectContainers(podSpec, { names, repository: target })
  const listing = all.map((c) => c.container.name).join(', ') || 'none'
  if (missing.length > 0)
    throw new ContainerSelectionError(
      `unable to find container named ${missing[0]} in ${label} (containers: ${listing})`
    )
  if (selected.length === 0)
    throw new ContainerSelectionError(
      `no container in ${label} runs an image from ${target.repository} (containers: ${describeContainers(all)}); name the containers to update`
    )
  return selected
}

/**
 * Same content after normalisation (`nginx:1` = `docker.io/library/nginx:1`; equal digests
 * whatever the tags): re-writing the text would start a rollout that changes nothing.
 */
function runsImage(current: string, target: ImageReference): boolean {
  if (current === target.format()) return true
  return ImageReference.tryParse(current)?.sameImage(target) ?? false
}
