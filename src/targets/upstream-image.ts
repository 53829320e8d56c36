import type { ResolvedEnvironment } from '../config/schema.js'
import { ImageReference } from '../image/image-reference.js'
import { labelSelectorString } from '../kubernetes/api/label-selector.js'
import { SOURCE_SHA_ANNOTATION } from '../kubernetes/api/annotations.js'
import { OperationalError } from '../runtime/errors.js'
import type { Logger } from '../runtime/logger.js'
import { selectContainers } from '../kubernetes/kinds/container-selection.js'
import type { ConnectedCluster } from './connect-clusters.js'
import { expandTarget, UnresolvedTarget, type ExpandedTarget } from './expand-target.js'

const DIGEST = /(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})/

export interface UpstreamImage {
  image: ImageReference
  /** The commits the action promoted into the upstream workloads (their source-sha annotations). */
  builds: string[]
}

/**
 * The image the upstream environment actually runs, by digest: read from the `imageID` its
 * pods report (the content the kubelet pulled), not from the tag in its spec, so production
 * gets byte for byte what staging ran. Only pods running the current template's image count;
 * pods that disagree (upstream mid-rollout, or a tag moved between pulls) are an error.
 */
export async function resolveUpstreamImage(options: {
  upstream: ResolvedEnvironment
  clusters: ConnectedCluster[]
  repository: string | undefined
  logger: Logger
}): Promise<UpstreamImage> {
  const { upstream, logger } = options
  const cluster = [...options.clusters].sort((a, b) => a.wave - b.wave)[0]!
  const found = new Map<string, string[]>()
  let template: ImageReference | undefined
  const builds = new Set<string>()
  for (const target of upstream.targets) {
    let expanded: ExpandedTarget[]
    try {
      expanded = await expandTarget(cluster, target)
    } catch (error) {
      // No namespace, or a selector selecting nothing: nothing runs there to read a digest from.
      if (error instanceof UnresolvedTarget) continue
      throw error
    }
    for (const { ref, workload: listed } of expanded) {
      const namespace = ref.namespace
      const workload = listed ?? (await cluster.api.getWorkload(ref))
      const source = workload.metadata?.annotations?.[SOURCE_SHA_ANNOTATION]
      if (source) builds.add(source)
      const chosen = selectContainers(workload.spec?.template?.spec, {
        names: target.containers,
        repository: options.repository
      }).selected
      if (chosen.length === 0) continue
      const pods = (
        await cluster.api.listPods(namespace, { labelSelector: labelSelectorString(workload.spec?.selector) })
      ).items
      for (const { container, initContainer } of chosen) {
        const image = container.image ?? ''
        template ??= ImageReference.tryParse(image)
        for (const pod of pods) {
          if (pod.metadata?.deletionTimestamp) continue
          const podContainers = (initContainer ? pod.spec?.initContainers : pod.spec?.containers) ?? []
          if (podContainers.find((c) => c.name === container.name)?.image !== image) continue
          const statuses =
            (initContainer ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? []
          const status = statuses.find((s) => s.name === container.name)
          const digest = DIGEST.exec(status?.imageID ?? '')?.[1]
          if (!digest) continue
          found.set(digest, [
            ...(found.get(digest) ?? []),
            `${cluster.name}/${namespace}/pod/${pod.metadata?.name}`
          ])
        }
      }
    }
  }
  if (!template || found.size === 0)
    throw new OperationalError(
      `from-upstream: no running pod of ${upstream.name} (cluster ${cluster.name}) reports an image digest for ${options.repository ?? 'its containers'}; is ${upstream.name} deployed?`,
      { title: 'Upstream image not found' }
    )
  if (found.size > 1)
    throw new OperationalError(
      `from-upstream: the pods of ${upstream.name} run different digests (${[...found].map(([d, pods]) => `${d} on ${pods.slice(0, 2).join(', ')}`).join('; ')}); wait until its rollout completes`,
      { title: 'Upstream image ambiguous' }
    )
  const [digest] = [...found.keys()] as [string]
  const image = template.withDigest(digest)
  logger.info(`from-upstream: ${upstream.name} runs ${image.format()}`)
  return { image, builds: [...builds] }
}
