/**
 * ResourceQuota accounting (pkg/quota/v1/evaluator/core and plugin/pkg/admission/resourcequota):
 * what a pod (or any object, for `count/<resource>` quotas) uses, the admission check that
 * refuses a create with 403 Forbidden (`exceeded quota: NAME, requested: ..., used: ...,
 * limited: ...`, or `failed quota: NAME: must specify requests.cpu for: app`) and charges the
 * quota's status.used at once, and the usage the quota controller recomputes. Quota scopes and
 * scopeSelector are not simulated; services, PVCs and storage requests count as zero.
 */
import { admissionForbidden, type AdmissionPlugin, type AdmissionRequest } from './admission.js'
import type { ResourceType } from './api-resources.js'
import { clone } from './json-values.js'
import type { KubeObject } from './kube-types.js'
import type { ObjectStore } from './object-store.js'
import {
  addQuantities,
  formatQuantity,
  maxQuantity,
  parseQuantity,
  zeroQuantity,
  type Quantity
} from './quantity.js'

export type ResourceList = Map<string, Quantity>

interface ContainerResources {
  name: string
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
}

interface QuotaObject extends KubeObject {
  spec?: { hard?: Record<string, string> }
  status?: { hard?: Record<string, string>; used?: Record<string, string> }
}

/** Core resources with a legacy object-count name besides `count/<resource>`. */
const legacyCountNames: Record<string, string> = {
  'core/configmaps': 'configmaps',
  'core/secrets': 'secrets',
  'core/resourcequotas': 'resourcequotas'
}

/** `count/pods`, `count/deployments.apps`, `count/applications.argoproj.io`. */
export function objectCountName(type: ResourceType): string {
  return type.group ? `count/${type.resource}.${type.group}` : `count/${type.resource}`
}

function parseList(list: Record<string, string> | undefined): ResourceList {
  const out: ResourceList = new Map()
  for (const [name, value] of Object.entries(list ?? {})) {
    try {
      out.set(name, parseQuantity(value))
    } catch {
      // validation has refused it already
    }
  }
  return out
}

/** quota.Add: keys of both, summed in the first operand's format. */
function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a)
  for (const [name, value] of b) out.set(name, out.has(name) ? addQuantities(out.get(name)!, value) : value)
  return out
}

function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names)
  return new Map([...list].filter(([name]) => keep.has(name)))
}

/** prettyPrint: `requests.cpu=500m,requests.memory=1Gi`, sorted by name. */
function pretty(list: ResourceList): string {
  return [...list]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${formatQuantity(value)}`)
    .join(',')
}

export function formatList(list: ResourceList): Record<string, string> {
  return Object.fromEntries([...list].map(([name, value]) => [name, formatQuantity(value)]))
}

/** resourcehelper.PodRequests/PodLimits: containers summed, init containers as a maximum, plus overhead. */
function podTotals(pod: KubeObject, kind: 'requests' | 'limits'): ResourceList {
  const spec = (pod['spec'] ?? {}) as {
    containers?: ContainerResources[]
    initContainers?: ContainerResources[]
    overhead?: Record<string, string>
  }
  let total: ResourceList = new Map()
  for (const container of spec.containers ?? [])
    total = addLists(total, parseList(container.resources?.[kind]))
  for (const container of spec.initContainers ?? []) {
    for (const [name, value] of parseList(container.resources?.[kind])) {
      total.set(name, total.has(name) ? maxQuantity(total.get(name)!, value) : value)
    }
  }
  return addLists(total, parseList(spec.overhead))
}

/** podComputeUsageHelper: pods=1 plus the compute resources of the given requests and limits. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const usage: ResourceList = new Map([['pods', parseQuantity('1')]])
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests.get(resource)
    if (request) {
      usage.set(resource, request)
      usage.set(`requests.${resource}`, request)
    }
    const limit = limits.get(resource)
    if (limit) usage.set(`limits.${resource}`, limit)
  }
  return usage
}

function podIsTerminal(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase
  return phase === 'Succeeded' || phase === 'Failed'
}

/** What one object charges against quotas. */
export function usageOf(type: ResourceType, object: KubeObject): ResourceList {
  const usage: ResourceList = new Map([[objectCountName(type), parseQuantity('1')]])
  const legacy = legacyCountNames[type.storageKey]
  if (legacy) usage.set(legacy, parseQuantity('1'))
  if (type.storageKey !== 'core/pods' || podIsTerminal(object)) return usage
  return addLists(usage, computeUsage(podTotals(object, 'requests'), podTotals(object, 'limits')))
}

/** The pod evaluator's Constraints: quotas on cpu/memory need every container to state them. */
function missingRequirements(pod: KubeObject, hard: Iterable<string>): string | undefined {
  const validated = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']
  const requiredSet = [...hard].filter((name) => validated.includes(name))
  if (requiredSet.length === 0) return undefined
  const spec = (pod['spec'] ?? {}) as {
    containers?: ContainerResources[]
    initContainers?: ContainerResources[]
  }
  const missing = new Map<string, Set<string>>()
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const has = computeUsage(parseList(container.resources?.requests), parseList(container.resources?.limits))
    for (const name of requiredSet) {
      if (has.has(name)) continue
      missing.set(name, (missing.get(name) ?? new Set()).add(container.name))
    }
  }
  if (missing.size === 0) return undefined
  return `must specify ${[...missing.keys()]
    .sort()
    .map((name) => `${name} for: ${[...missing.get(name)!].sort().join(',')}`)
    .join('; ')}`
}

function quotasIn(store: ObjectStore, namespace: string): QuotaObject[] {
  return store.peekAll('core/resourcequotas', namespace) as QuotaObject[]
}

/**
 * The ResourceQuota admission plugin. Like the real one it only enforces what a quota's
 * status.hard lists (a quota the controller has not processed yet limits nothing), checks every
 * quota of the namespace in name order, and on success writes the new usage to each quota.
 */
export class QuotaAdmission implements AdmissionPlugin {
  constructor(private readonly store: ObjectStore) {}

  admitCreate({ type, object, dryRun }: AdmissionRequest): void {
    const namespace = object.metadata.namespace
    if (!type.namespaced || !namespace) return
    const name = object.metadata.name!
    const relevant = (resource: string) => evaluates(type, resource)
    // First every quota's constraints and bookkeeping, then the limits (checkRequest's order).
    const interesting: Array<{ quota: QuotaObject; hard: ResourceList; used: ResourceList }> = []
    for (const quota of quotasIn(this.store, namespace)) {
      const hard = parseList(quota.status?.hard)
      const restricted = [...hard.keys()].filter(relevant)
      if (restricted.length === 0) continue
      if (type.storageKey === 'core/pods') {
        const missing = missingRequirements(object, restricted)
        if (missing) throw admissionForbidden(type, name, `failed quota: ${quota.metadata.name}: ${missing}`)
      }
      const used = parseList(quota.status?.used)
      if (restricted.some((resource) => !used.has(resource))) {
        throw admissionForbidden(
          type,
          name,
          `status unknown for quota: ${quota.metadata.name}, resources: ${restricted.sort().join(',')}`
        )
      }
      interesting.push({ quota, hard, used })
    }
    if (interesting.length === 0) return
    const delta = new Map([...usageOf(type, object)].filter(([, value]) => value.nanos !== 0n))
    const charged: Array<[QuotaObject, ResourceList]> = []
    for (const { quota, hard, used } of interesting) {
      const requested = mask(delta, hard.keys())
      const next = addLists(used, requested)
      const exceeded = [...requested.keys()].filter(
        (resource) => next.get(resource)!.nanos > hard.get(resource)!.nanos
      )
      if (exceeded.length > 0) {
        throw admissionForbidden(
          type,
          name,
          `exceeded quota: ${quota.metadata.name}, requested: ${pretty(mask(requested, exceeded))}, used: ${pretty(mask(used, exceeded))}, limited: ${pretty(mask(hard, exceeded))}`
        )
      }
      charged.push([quota, next])
    }
    if (dryRun) return
    for (const [quota, next] of charged) {
      const updated = clone(quota)
      updated.status = { ...updated.status, used: formatList(next) }
      this.store.put('core/resourcequotas', updated)
    }
  }
}

/** MatchingResources: the quota resources an object of this type is accounted under. */
function evaluates(type: ResourceType, resource: string): boolean {
  if (resource === objectCountName(type) || resource === legacyCountNames[type.storageKey]) return true
  return type.storageKey === 'core/pods' && isComputeResource(resource)
}

function isComputeResource(resource: string): boolean {
  return resource === 'pods' || /^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.test(resource)
}

/**
 * The usage the quota controller computes for a quota: every resource of spec.hard, summed over
 * the namespace's objects (pods that are not terminal count towards compute resources).
 */
export function computeQuotaUsed(
  quota: QuotaObject,
  objectsOf: (resourceName: string) => Array<{ type: ResourceType; objects: readonly KubeObject[] }>
): Record<string, string> {
  const hard = Object.keys(quota.spec?.hard ?? {})
  let used: ResourceList = new Map()
  const seen = new Set<string>()
  for (const resource of hard) {
    for (const { type, objects } of objectsOf(resource)) {
      if (seen.has(type.storageKey)) continue
      seen.add(type.storageKey)
      for (const object of objects) used = addLists(used, mask(usageOf(type, object), hard))
    }
  }
  return Object.fromEntries(
    hard.map((resource) => [resource, formatQuantity(used.get(resource) ?? zeroQuantity)])
  )
}
