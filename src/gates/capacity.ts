import type { V1LimitRange, V1ResourceQuota } from '@kubernetes/client-node'
import { z } from 'zod'
import { formatQuantity, isByteResource, parseQuantity } from '../environment-checks/quantity.js'
import { quotaCapacity, type QuotaCapacity, type QuotaFinding } from '../environment-checks/quota-capacity.js'
import { table } from '../runtime/markdown.js'
import type { TargetWorkload } from '../targets/target-workloads.js'
import { defineEnvironmentCheck } from './environment-check.js'
import type { Evidence } from './gate-definition.js'
import { hasLiveTargets, readLiveEnvironment, type LiveEnvironment } from './live-environment.js'

export const capacitySettings = z.strictObject({
  'limit-ranges': z
    .boolean()
    .default(true)
    .describe(
      "Apply the namespace's LimitRange container defaults to pods that state no requests or limits, as the LimitRanger admission plugin does (needs list on limitranges)."
    )
})

interface WorkloadCapacity extends QuotaCapacity {
  key: string
}

/**
 * The namespace's ResourceQuotas leave room for the rollout's surge pods (quota-capacity.ts:
 * maxSurge × the new pods' requests and limits, and pods). The promote stage rolls a wave's
 * targets out together, so the targets of one namespace are judged together: each one's surge
 * counts against the room the ones before it leave. One list of ResourceQuotas (and
 * LimitRanges) per namespace.
 */
export const capacityCheck = defineEnvironmentCheck({
  name: 'capacity',
  description:
    "Pre-flight: the target namespaces' ResourceQuotas leave room for the rollout's surge pods (maxSurge × the pods' requests and limits, and the pod count), for all target workloads of a namespace together, as they roll out at once; and a quota that tracks cpu or memory finds them stated on every container (else the API server refuses the pods). Needs list on resourcequotas (and limitranges).",
  settings: capacitySettings,
  validate(_settings, setup) {
    if (!hasLiveTargets(setup.environment)) return [`targets on ${setup.environmentName}`]
    if (!setup.kubernetesConfigured)
      return [
        `cluster credentials to read ${setup.environmentName} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)`
      ]
    return []
  },
  byDefault: (environment, setup) => hasLiveTargets(environment) && setup.kubernetesConfigured,
  async check(settings, context) {
    const live = await readLiveEnvironment(context, context.environment)
    const capacities = await judgeNamespaces(live, settings['limit-ranges'])
    const problems = [
      ...live.unresolved.map((u) => ({ key: u.cluster, message: u.message })),
      ...capacities.flatMap((c) => c.findings.map((f) => ({ key: c.key, message: f.message })))
    ]
    const counted = capacities.filter((c) => Object.keys(c.perPod).length > 0).length
    const evidence: Evidence[] = [
      ...problems.map((p) => ({ label: p.key, value: `✗ ${p.message}` })),
      ...capacities
        .filter((c) => c.findings.length === 0)
        .map((c) => ({
          label: c.key,
          value: `✓ ${c.rollout.strategy}, ${c.rollout.replicas} replicas, ${c.rollout.maxSurge} surge pod(s)${Object.keys(c.perPod).length ? `; per pod ${describePerPod(c.perPod)}` : '; no quota counts its pods'}`
        }))
    ]
    const env = context.environment.name
    const summary =
      problems.length > 0
        ? `the rollout in ${env} would not fit its quota: ${problems
            .slice(0, 3)
            .map((p) => p.message)
            .join('; ')}${problems.length > 3 ? '; ...' : ''}`
        : counted === 0
          ? `no ResourceQuota in ${env} counts the target workloads' pods`
          : `the ResourceQuotas of ${env} leave room for the surge pods of all ${capacities.length} target workload(s)`
    return {
      result: { status: problems.length > 0 ? 'failed' : 'passed', summary, evidence },
      markdown: table(
        ['Workload', 'Strategy', 'Replicas', 'Surge pods', 'Per pod', 'Findings'],
        capacities.map((c) => [
          c.key,
          c.rollout.strategy,
          String(c.rollout.replicas),
          String(c.rollout.maxSurge),
          describePerPod(c.perPod) || 'not counted by any quota',
          c.findings.map((f) => `✗ ${f.problem}${f.resource ? ` ${f.resource}` : ''}`).join(', ') || '✓'
        ])
      ),
      findings: [...live.unresolved.map((u) => ({ problem: 'unresolved', ...u })), ...capacities]
    }
  }
})

export const capacity = capacityCheck.gate

async function judgeNamespaces(live: LiveEnvironment, limitRanges: boolean): Promise<WorkloadCapacity[]> {
  const groups = new Map<string, TargetWorkload[]>()
  for (const w of live.workloads) {
    const key = `${w.cluster.name}\u0000${w.ref.namespace}`
    groups.set(key, [...(groups.get(key) ?? []), w])
  }
  const judged = await Promise.all(
    [...groups.values()].map(async (workloads) => {
      const { cluster, ref } = workloads[0]!
      const [quotas, ranges] = await Promise.all([
        live.objects.list<V1ResourceQuota>(cluster.api, 'ResourceQuota', ref.namespace),
        limitRanges
          ? live.objects.list<V1LimitRange>(cluster.api, 'LimitRange', ref.namespace)
          : Promise.resolve([])
      ])
      return judgeTogether(workloads, quotas, ranges)
    })
  )
  return judged.flat()
}

/** Each workload's surge against what the quota leaves after the surges of those before it. */
function judgeTogether(
  workloads: TargetWorkload[],
  quotas: V1ResourceQuota[],
  limitRanges: V1LimitRange[]
): WorkloadCapacity[] {
  // quota name -> resource -> what earlier targets' surge pods take (nano units)
  const taken = new Map<string, Map<string, bigint>>()
  return workloads.map((w) => {
    const perPod: Record<string, string> = {}
    const findings: QuotaFinding[] = []
    let rollout: QuotaCapacity['rollout'] | undefined
    const seen = new Set<string>()
    const keep = (finding: QuotaFinding) => {
      if (seen.has(finding.message)) return
      seen.add(finding.message)
      findings.push(finding)
    }
    for (const quota of quotas) {
      const name = quota.metadata?.name ?? '?'
      const before = taken.get(name) ?? new Map<string, bigint>()
      const judged = quotaCapacity({
        kind: w.ref.kind,
        workload: w.workload,
        quotas: [withTaken(quota, before)],
        limitRanges
      })
      rollout = judged.rollout
      for (const finding of judged.findings) {
        const others = finding.resource ? before.get(finding.resource) : undefined
        keep(
          finding.problem === 'insufficient' && others
            ? {
                ...finding,
                message: `${finding.message}; used counts ${formatQuantity(others, { binary: isByteResource(finding.resource!) })} for the surge pods of the targets rolled out with it`
              }
            : finding
        )
      }
      Object.assign(perPod, judged.perPod)
      const surge = BigInt(judged.rollout.maxSurge)
      for (const [resource, text] of Object.entries(judged.perPod)) {
        const each = parseQuantity(text)
        if (each === undefined) continue
        before.set(resource, (before.get(resource) ?? 0n) + surge * each)
      }
      taken.set(name, before)
    }
    if (!rollout) rollout = quotaCapacity({ kind: w.ref.kind, workload: w.workload, quotas: [] }).rollout
    return { key: w.key, workload: `${w.ref.kind.toLowerCase()}/${w.ref.name}`, rollout, perPod, findings }
  })
}

/** The quota as if `taken` more were used already. */
function withTaken(quota: V1ResourceQuota, taken: Map<string, bigint>): V1ResourceQuota {
  if (taken.size === 0 || !quota.status?.used) return quota
  const used = { ...quota.status.used }
  for (const [resource, amount] of taken) {
    const now = used[resource] === undefined ? undefined : parseQuantity(used[resource]!)
    if (now === undefined) continue
    used[resource] = formatQuantity(now + amount, { binary: isByteResource(resource) })
  }
  return { ...quota, status: { ...quota.status, used } }
}

function describePerPod(perPod: Record<string, string>): string {
  return Object.entries(perPod)
    .map(([resource, amount]) => `${resource} ${amount}`)
    .join(', ')
}
