import type { V1Container, V1PodSpec } from '@kubernetes/client-node'
import { ImageReference } from '../../image/image-reference.js'

/** A container of a pod template, and whether it is an init container. */
export interface TemplateContainer {
  container: V1Container
  initContainer: boolean
}

export interface ContainerSelection {
  /** In template order: init containers first, then containers. */
  selected: TemplateContainer[]
  /** Names the config gave that the template does not have. */
  missing: string[]
  /** Every container of the template, for messages. */
  all: TemplateContainer[]
}

/**
 * Which containers of a pod template a promotion sets and every stage judges, by one rule:
 * the containers the target names (init containers included), else those whose current image
 * is from the promoted image's repository, else (no repository known, as for from-upstream
 * without image.repository) the only container when there is exactly one.
 */
export function selectContainers(
  spec: V1PodSpec | undefined,
  by: { names?: readonly string[] | undefined; repository?: ImageReference | string | undefined }
): ContainerSelection {
  const all: TemplateContainer[] = [
    ...(spec?.initContainers ?? []).map((container) => ({ container, initContainer: true })),
    ...(spec?.containers ?? []).map((container) => ({ container, initContainer: false }))
  ]
  if (by.names !== undefined && by.names.length > 0) {
    const selected: TemplateContainer[] = []
    const missing: string[] = []
    for (const name of by.names) {
      const found = all.find((c) => c.container.name === name)
      if (found) selected.push(found)
      else missing.push(name)
    }
    return { selected, missing, all }
  }
  if (by.repository !== undefined) {
    const repository = by.repository
    const selected = all.filter(
      (c) => ImageReference.tryParse(c.container.image ?? '')?.sameRepository(repository) ?? false
    )
    return { selected, missing: [], all }
  }
  const main = all.filter((c) => !c.initContainer)
  return { selected: main.length === 1 ? main : [], missing: [], all }
}

/** `app=ghcr.io/acme/app:1, proxy=envoy:1.30`, for messages. */
export function describeContainers(containers: readonly TemplateContainer[]): string {
  return containers.map((c) => `${c.container.name}=${c.container.image ?? ''}`).join(', ') || 'none'
}
