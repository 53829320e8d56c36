import { meetsRequirement } from '../kubernetes/api/label-selector.js'
import type { V1LimitRange, V1PodTemplateSpec, V1ResourceQuota } from '@kubernetes/client-node'
import { describeWorkload, type Workload, type WorkloadKind } from '../kubernetes/api/workload-types.js'
import { isBestEffort, podResources, type PodResources } from './pod-resources.js'
import { formatQuantity, isByteResource, parseQuantity, type NanoQuantity } from './quantity.js'
import { rolloutLimits, type RolloutLimits } from '../kubernetes/kinds/workload-kinds.js'

/**
 * Whether the namespace's ResourceQuotas leave room for a rollout.
 *
 * `status.used` already counts the running pods, so the rollout needs room for what it adds
 * at its peak. With S surge pods (`RolloutLimits.maxSurge`), R replicas, `new` the new
 * template's per-pod amount and `old` the running one's, a rollout passes through states with
 * at most R new and R old pods and at most R + S in all; the worst of them needs
 * `max(0, S × new, R × (new − old) + S × old)` more than now: S × new when the template keeps
 * its size. Without surge pods (StatefulSets, `Recreate`, DaemonSets without maxSurge: a pod is
 * deleted before its replacement is created) that is R × (new − old), room only for larger
 * pods. Without `currentTemplate` the running pods are taken to be the size of the new ones.
 *
 * Quota resource names: `requests.X` and bare `cpu`/`memory`/`ephemeral-storage` (and
 * `hugepages-*`) count requests, `limits.X` limits, `pods` and `count/pods` pods. Other
 * names (services, `count/deployments.apps`, ...) are not touched by a rollout and skipped.
 * A quota that tracks cpu or memory rejects a pod whose containers do not all state that
 * resource (after LimitRange defaults): that is reported as `unspecified`.
 *
 * Not modelled: pods that are terminating still count against quota for their grace period,
 * so a Deployment that replaces pods faster than they terminate can briefly need more than
 * the surge; quota scopes `CrossNamespacePodAffinity` and any scope this file does not know
 * are treated as applying (the safe side).
 */
export interface QuotaCapacityInput {
  kind: WorkloadKind
  /** The workload as it will be rolled out (its pod template is the new one). */
  workload: Workload
  /** Every ResourceQuota of the workload's namespace. */
  quotas: V1ResourceQuota[]
  /** The namespace's LimitRanges, whose container defaults apply to new pods. */
  limitRanges?: V1LimitRange[]
  /** The pod template running now, when it differs in size from the new one. */
  currentTemplate?: V1PodTemplateSpec
  /** Overrides the replica count (e.g. a DaemonSet's desired number scheduled). */
  replicas?: number
}

export type QuotaProblem =
  'insufficient' | 'unspecified' | 'no-status' | 'invalid-quantity' | 'invalid-strategy'

export interface QuotaFinding {
  workload: string
  quota?: string
  resource?: string
  problem: QuotaProblem
  /** For `insufficient`: quantities as text. */
  hard?: string
  used?: string
  needed?: string
  message: string
}

export interface QuotaCapacity {
  workload: string
  rollout: RolloutLimits
  /** What one new pod counts for, by quota resource name, as text. */
  perPod: Record<string, string>
  findings: QuotaFinding[]
}

export function quotaCapacity(input: QuotaCapacityInput): QuotaCapacity {
  const workload = describeWorkload({ kind: input.kind, name: input.workload.metadata?.name ?? '?' })
  const rollout = rolloutLimits(input.kind, input.workload, input.replicas)
  const template = input.workload.spec?.template ?? {}
  const next = podResources(template, input.limitRanges)
  const current = input.currentTemplate ? podResources(input.currentTemplate, input.limitRanges) : next
  const findings: QuotaFinding[] = []
  for (const problem of rollout.problems)
    findings.push({ workload, problem: 'invalid-strategy', message: `${workload}: ${problem}` })
  for (const where of [...new Set([...next.invalid, ...current.invalid])])
    findings.push({
      workload,
      problem: 'invalid-quantity',
      message: `${workload}: ${where} is not a valid quantity`
    })

  const perPod: Record<string, string> = {}
  const namespace = input.workload.metadata?.namespace

  for (const quota of input.quotas) {
    if (
      namespace !== undefined &&
      quota.metadata?.namespace !== undefined &&
      quota.metadata.namespace !== namespace
    )
      continue
    if (!quotaApplies(quota, template, next)) continue
    const quotaName = quota.metadata?.name ?? '?'
    for (const [resource, hardText] of Object.entries(quota.spec?.hard ?? {})) {
      const counted = countedBy(resource)
      if (counted === undefined) continue
      if (counted !== 'pods' && mustBeSpecified(resource)) {
        const missing = next.containers.filter((c) => c[counted.side][counted.name] === undefined)
        if (missing.length > 0)
          findings.push({
            workload,
            quota: quotaName,
            resource,
            problem: 'unspecified',
            message: `${workload}: quota ${quotaName} tracks ${resource}, so the API server refuses pods whose containers do not all set it (must specify ${resource} for: ${missing.map((c) => c.container).join(', ')})`
          })
      }
      const amountOf = (pod: PodResources): NanoQuantity =>
        counted === 'pods' ? ONE : (pod[counted.side][counted.name] ?? 0n)
      const perNew = amountOf(next)
      perPod[resource] = formatQuantity(perNew, { binary: isByteResource(resource) })
      const needed = neededForRollout(rollout, perNew, amountOf(current))
      if (needed === 0n) continue
      const hard = parseQuantity(hardText)
      const usedText = quota.status?.used?.[resource]
      const used = usedText === undefined ? undefined : parseQuantity(usedText)
      if (hard === undefined || (usedText !== undefined && used === undefined)) {
        findings.push({
          workload,
          quota: quotaName,
          resource,
          problem: 'invalid-quantity',
          message: `${workload}: quota ${quotaName} ${hard === undefined ? 'spec.hard' : 'status.used'} ${resource} is not a valid quantity`
        })
        continue
      }
      if (used === undefined) {
        findings.push({
          workload,
          quota: quotaName,
          resource,
          problem: 'no-status',
          message: `${workload}: quota ${quotaName} has no status.used for ${resource} yet (the quota controller has not counted it)`
        })
        continue
      }
      if (used + needed > hard) {
        const binary = isByteResource(resource)
        const show = (value: NanoQuantity) => formatQuantity(value, { binary })
        findings.push({
          workload,
          quota: quotaName,
          resource,
          problem: 'insufficient',
          hard: show(hard),
          used: show(used),
          needed: show(needed),
          message: `${workload}: quota ${quotaName} leaves ${show(hard - used > 0n ? hard - used : 0n)} of ${resource} (hard ${show(hard)}, used ${show(used)}); the rollout needs ${show(needed)} more (${describeRollout(rollout)})`
        })
      }
    }
  }
  return { workload, rollout, perPod, findings }
}

/** Extra quota the rollout needs at its peak over what the running pods use now. */
export function neededForRollout(
  rollout: Pick<RolloutLimits, 'replicas' | 'maxSurge'>,
  perNew: NanoQuantity,
  perOld: NanoQuantity
): NanoQuantity {
  const replicas = BigInt(rollout.replicas)
  const surge = BigInt(rollout.maxSurge)
  const candidates = [0n, surge * perNew, replicas * (perNew - perOld) + surge * perOld]
  return candidates.reduce((a, b) => (b > a ? b : a))
}

function describeRollout(rollout: RolloutLimits): string {
  return `${rollout.strategy}, ${rollout.replicas} replicas, ${rollout.maxSurge} surge pod${rollout.maxSurge === 1 ? '' : 's'}`
}

const ONE = 1_000_000_000n

type Counted = 'pods' | { side: 'requests' | 'limits'; name: string }

function countedBy(resource: string): Counted | undefined {
  if (resource === 'pods' || resource === 'count/pods') return 'pods'
  if (resource.startsWith('requests.')) return { side: 'requests', name: resource.slice('requests.'.length) }
  if (resource.startsWith('limits.')) return { side: 'limits', name: resource.slice('limits.'.length) }
  if (['cpu', 'memory', 'ephemeral-storage'].includes(resource) || resource.startsWith('hugepages-'))
    return { side: 'requests', name: resource }
  return undefined
}

/** The quota admission plugin's validation set: only cpu and memory must be stated by every container. */
function mustBeSpecified(resource: string): boolean {
  return ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].includes(
    resource
  )
}

/** Whether a quota's scopes and scope selector select the rollout's pods. */
function quotaApplies(quota: V1ResourceQuota, template: V1PodTemplateSpec, resources: PodResources): boolean {
  const facts = (scope: string): boolean | string | undefined => {
    switch (scope) {
      case 'Terminating':
        return template.spec?.activeDeadlineSeconds !== undefined
      case 'NotTerminating':
        return template.spec?.activeDeadlineSeconds === undefined
      case 'BestEffort':
        return isBestEffort(resources)
      case 'NotBestEffort':
        return !isBestEffort(resources)
      case 'PriorityClass':
        return template.spec?.priorityClassName ?? ''
      default:
        return undefined
    }
  }
  for (const scope of quota.spec?.scopes ?? []) if (facts(scope) === false) return false
  for (const requirement of quota.spec?.scopeSelector?.matchExpressions ?? []) {
    const fact = facts(requirement.scopeName)
    if (fact === undefined) continue
    if (typeof fact === 'boolean') {
      // Boolean scopes only take Exists (and DoesNotExist, which no pod can satisfy negated).
      if (requirement.operator === 'Exists' && !fact) return false
      if (requirement.operator === 'DoesNotExist' && fact) return false
      continue
    }
    // An empty priority class name is no class at all.
    if (meetsRequirement(requirement.operator, fact === '' ? undefined : fact, requirement.values) === false)
      return false
  }
  return true
}
