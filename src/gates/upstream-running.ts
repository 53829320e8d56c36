import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import { z } from 'zod'
import type { ResolvedEnvironment, Target } from '../config/schema.js'
import { ImageReference } from '../image/image-reference.js'
import { isNotFound } from '../kubernetes/api/api-error.js'
import { labelSelectorString } from '../kubernetes/api/label-selector.js'
import { rolloutStatus } from '../kubernetes/kinds/workload-kinds.js'
import { describeWorkload, type Workload } from '../kubernetes/kinds/workload-kinds.js'
import type { GateContext } from './gate-context.js'
import { selectContainers } from '../kubernetes/kinds/container-selection.js'
import type { ConnectedCluster } from '../targets/connect-clusters.js'
import { expandTarget, UnresolvedTarget } from '../targets/expand-target.js'
import { fillShaTemplate } from '../targets/promoted-image.js'
import { defineGate } from './gate-context.js'
import type { Evidence, GateStatus } from './gate-definition.js'

export const upstreamRunningSettings = z.strictObject({
  image: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The image upstream must run; ${sha} and ${short-sha} are replaced. Default: the image being promoted (image.repository and image.tag of the environment, or of the upstream one).'
    )
})

interface TargetFinding {
  status: GateStatus
  evidence: Evidence
  problem?: string
}

/**
 * The upstream environment runs the image being promoted, everywhere and completely: every
 * target workload is rolled out (kubectl's rollout-status verdict) and every pod's container
 * runs it. Pods are judged by digest (status imageID) when the promoted image is pinned by
 * digest, by tag otherwise; the digests found are reported either way.
 */
export const upstreamRunning = defineGate({
  name: 'upstream-running',
  description:
    "The upstream environment's workloads (read through the Kubernetes API) run the image being promoted and are fully rolled out: by digest from the pods' status imageID when the image is pinned by digest, by tag otherwise. Needs cluster credentials for the upstream environment.",
  settings: upstreamRunningSettings,
  validate(settings, setup) {
    const problems: string[] = []
    if (!setup.upstream)
      return [`a from: on ${setup.environmentName} naming the environment it promotes from`]
    if (setup.upstream.mode !== 'kubernetes')
      problems.push(
        `an upstream environment in kubernetes mode (${setup.upstream.name} is ${setup.upstream.mode})`
      )
    if (!settings.image && !setup.hasImage && !setup.upstream.image.repository)
      problems.push(`with.image, or image.repository on ${setup.environmentName} or ${setup.upstream.name}`)
    if (!setup.kubernetesConfigured)
      problems.push(
        `cluster credentials to read ${setup.upstream.name} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)`
      )
    return problems
  },
  async run(settings, context) {
    const upstream = context.upstream!
    const image = expectedImage(settings.image, context, upstream)
    const clusters = await (await context.kubernetes()).clusters(upstream)
    const findings: TargetFinding[] = []
    for (const cluster of clusters)
      for (const target of upstream.targets)
        findings.push(...(await inspectTarget(cluster, target, image, context)))
    const evidence = findings.map((f) => f.evidence)
    const problems = findings.filter((f) => f.problem).map((f) => f.problem!)
    const where = `${upstream.name} (${clusters.map((c) => c.name).join(', ')})`
    if (findings.some((f) => f.status === 'failed'))
      return {
        status: 'failed',
        summary: `${where} does not run ${image.format()} everywhere: ${problems.join('; ')}`,
        evidence
      }
    if (findings.some((f) => f.status === 'pending'))
      return { status: 'pending', summary: `${where} is still rolling out: ${problems.join('; ')}`, evidence }
    return {
      status: 'passed',
      summary: `every target in ${where} runs ${image.format()} and is fully rolled out`,
      evidence
    }
  }
})

function expectedImage(
  setting: string | undefined,
  context: GateContext,
  upstream: ResolvedEnvironment
): ImageReference {
  if (setting) return ImageReference.parse(fillShaTemplate(setting, context.sha))
  if (context.image) return context.image
  return ImageReference.parse(
    `${upstream.image.repository}:${fillShaTemplate(upstream.image.tag, context.sha)}`
  )
}

async function inspectTarget(
  cluster: ConnectedCluster,
  target: Target,
  image: ImageReference,
  context: GateContext
): Promise<TargetFinding[]> {
  const namespace = target.namespace ?? cluster.namespace ?? 'default'
  const where = `${cluster.name}/${namespace}`
  let workloads: Workload[]
  try {
    workloads = await Promise.all(
      (await expandTarget(cluster, target)).map(
        async (expanded) => expanded.workload ?? (await cluster.api.getWorkload(expanded.ref))
      )
    )
  } catch (error) {
    if (error instanceof UnresolvedTarget && target.selector !== undefined) {
      const problem = `no ${target.kind} matches ${target.selector} in ${where}`
      return [
        {
          status: 'failed',
          evidence: { label: `${target.kind} ${target.selector} in ${where}`, value: '✗ none found' },
          problem
        }
      ]
    }
    if (!isNotFound(error)) throw error
    const label = `${describeWorkload({ kind: target.kind, name: target.name ?? '' })} in ${where}`
    return [
      { status: 'failed', evidence: { label, value: '✗ not found' }, problem: `${label} does not exist` }
    ]
  }
  const findings: TargetFinding[] = []
  for (const workload of workloads) {
    context.signal.throwIfAborted()
    const name = describeWorkload({ kind: target.kind, name: workload.metadata?.name ?? '' })
    const label = `${name} in ${where}`
    const containers = selectContainers(workload.spec?.template?.spec, {
      names: target.containers,
      repository: image
    }).selected.map((c) => c.container)
    if (containers.length === 0) {
      findings.push({
        status: 'failed',
        evidence: { label, value: `✗ no container runs ${image.repository}` },
        problem: `${label} has no container of ${image.repository}`
      })
      continue
    }
    const wrongSpec = containers.filter((c) => !specNames(c.image, image))
    const rollout = rolloutStatus(target.kind, workload)
    const selector = labelSelectorString(workload.spec?.selector)
    const pods = (await cluster.api.listPods(namespace, { labelSelector: selector })).items.filter(
      (p) => !p.metadata?.deletionTimestamp
    )
    const names = new Set(containers.map((c) => c.name))
    const statuses = pods.flatMap((pod) =>
      containerStatuses(pod)
        .filter((s) => names.has(s.name))
        .map((s) => ({ pod, status: s }))
    )
    const digests = [
      ...new Set(statuses.map((s) => digestOf(s.status.imageID)).filter((d): d is string => d !== undefined))
    ]
    const wrongPods = statuses.filter(({ status }) => !runsImage(status, image))
    const digestText = digests.length ? `; digest ${digests.map((d) => d.slice(0, 19)).join(', ')}` : ''
    const podText = `${pods.length} pod(s)`
    if (wrongSpec.length > 0) {
      const running = wrongSpec.map((c) => `${c.name}=${c.image}`).join(', ')
      findings.push({
        status: 'failed',
        evidence: { label, value: `✗ runs ${running}` },
        problem: `${label} runs ${running}`
      })
    } else if (rollout.failed) {
      findings.push({
        status: 'failed',
        evidence: { label, value: `✗ ${rollout.message}` },
        problem: `${label}: ${rollout.message}`
      })
    } else if (!rollout.done) {
      findings.push({
        status: 'pending',
        evidence: { label, value: `… ${rollout.message}` },
        problem: `${label}: ${rollout.message}`
      })
    } else if (wrongPods.length > 0) {
      const example = wrongPods[0]!
      const text = `${wrongPods.length} container(s) run another image (pod ${example.pod.metadata?.name}: ${example.status.image}${digestOf(example.status.imageID) ? `@${digestOf(example.status.imageID)}` : ''})`
      findings.push({
        status: 'failed',
        evidence: { label, value: `✗ ${text}` },
        problem: `${label}: ${text}`
      })
    } else if (image.digest === undefined && digests.length > 1) {
      const text = `pods run ${digests.length} different digests of ${image.format()} (the tag was pushed again?): ${digests.join(', ')}`
      findings.push({
        status: 'failed',
        evidence: { label, value: `✗ ${text}` },
        problem: `${label}: ${text}`
      })
    } else {
      findings.push({
        status: 'passed',
        evidence: { label, value: `✓ ${podText} on ${image.format()}${digestText}; ${rollout.message}` }
      })
    }
  }
  return findings
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
}

/** imageID reads `docker-pullable://repo@sha256:...`, `repo@sha256:...` or `sha256:...`. */
export function digestOf(imageID: string | undefined): string | undefined {
  const match = /(sha256:[0-9a-f]{64})/.exec(imageID ?? '')
  return match?.[1]
}

/**
 * Whether a container's spec names the image: same repository, and the same digest when both
 * pin one (a spec by tag is then judged by its pods' imageID), else the same tag.
 */
function specNames(reference: string | undefined, image: ImageReference): boolean {
  const spec = ImageReference.tryParse(reference ?? '')
  if (!spec || !spec.sameRepository(image)) return false
  if (image.digest !== undefined) return spec.digest === undefined || spec.digest === image.digest
  return (spec.tag ?? 'latest') === (image.tag ?? 'latest')
}

function runsImage(status: V1ContainerStatus, image: ImageReference): boolean {
  const digest = digestOf(status.imageID)
  if (image.digest !== undefined && digest !== undefined) return digest === image.digest
  // Without a digest on either side, the tag the kubelet reports is what we can compare.
  const running = ImageReference.tryParse(status.image ?? '')
  if (!running) return false
  if (image.digest !== undefined) return running.digest === image.digest
  return running.sameRepository(image) && (running.tag ?? 'latest') === (image.tag ?? 'latest')
}
