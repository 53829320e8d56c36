import type { V1Container, V1LimitRange, V1PodTemplateSpec } from '@kubernetes/client-node'
import { parseQuantity, type NanoQuantity } from './quantity.js'

/**
 * What one pod of a template requests and is limited to, as the API server and the quota
 * admission plugin see it once the pod is created:
 *
 * 1. Per container, API defaulting copies a limit into a missing request, then the
 *    LimitRanger fills what is still missing from the namespace's LimitRanges of type
 *    `Container` (`default` for limits, `defaultRequest` for requests; a LimitRange's own
 *    defaulting makes `defaultRequest` fall back to `default` and `default` to `max`).
 * 2. The pod total (k8s `resourcehelper.PodRequests`/`PodLimits`): the sum of the regular
 *    containers and the sidecars (init containers with `restartPolicy: Always`), or the
 *    largest init container plus the sidecars started before it, whichever is larger; plus
 *    `spec.overhead` (for limits only where a limit is set). Pod-level `spec.resources`
 *    replaces the total for the resources it names.
 */
export interface ContainerResources {
  container: string
  init: boolean
  requests: Record<string, NanoQuantity>
  limits: Record<string, NanoQuantity>
}

export interface PodResources {
  requests: Record<string, NanoQuantity>
  limits: Record<string, NanoQuantity>
  containers: ContainerResources[]
  /** Quantities that do not parse, as `container: requests.cpu` (their values are left out). */
  invalid: string[]
}

type QuantityMap = { [key: string]: string } | undefined

export function podResources(template: V1PodTemplateSpec, limitRanges: V1LimitRange[] = []): PodResources {
  const invalid: string[] = []
  const defaults = containerDefaults(limitRanges, invalid)
  const effective = (container: V1Container, init: boolean): ContainerResources => {
    const where = container.name
    const own = quantities(container.resources?.limits, `${where}: limits`, invalid)
    const limits = { ...defaults.limits, ...own }
    // Own request, else own limit (API defaulting runs first), else the LimitRange default.
    const requests = {
      ...defaults.requests,
      ...own,
      ...quantities(container.resources?.requests, `${where}: requests`, invalid)
    }
    return { container: container.name, init, requests, limits }
  }

  const spec = template.spec
  const regular = (spec?.containers ?? []).map((c) => effective(c, false))
  const initContainers = (spec?.initContainers ?? []).map((c) => ({
    resources: effective(c, true),
    sidecar: c.restartPolicy === 'Always'
  }))

  const total = (pick: (c: ContainerResources) => Record<string, NanoQuantity>) => {
    const sum: Record<string, NanoQuantity> = {}
    for (const c of regular) add(sum, pick(c))
    const sidecars: Record<string, NanoQuantity> = {}
    const initPeak: Record<string, NanoQuantity> = {}
    for (const { resources, sidecar } of initContainers) {
      if (sidecar) {
        add(sum, pick(resources))
        add(sidecars, pick(resources))
        max(initPeak, sidecars)
      } else {
        const running = { ...sidecars }
        add(running, pick(resources))
        max(initPeak, running)
      }
    }
    max(sum, initPeak)
    return sum
  }
  const requests = total((c) => c.requests)
  const limits = total((c) => c.limits)

  const overhead = quantities(spec?.overhead, 'overhead', invalid)
  add(requests, overhead)
  for (const [name, value] of Object.entries(overhead)) if (limits[name] !== undefined) limits[name] += value

  Object.assign(requests, quantities(spec?.resources?.requests, 'pod: requests', invalid))
  Object.assign(limits, quantities(spec?.resources?.limits, 'pod: limits', invalid))

  return {
    requests,
    limits,
    containers: [...initContainers.map((c) => c.resources), ...regular],
    invalid
  }
}

/** Whether the pod would be BestEffort QoS: no container requests or limits cpu or memory. */
export function isBestEffort(resources: PodResources): boolean {
  return resources.containers.every((c) =>
    ['cpu', 'memory'].every((name) => c.requests[name] === undefined && c.limits[name] === undefined)
  )
}

function containerDefaults(
  limitRanges: V1LimitRange[],
  invalid: string[]
): { requests: Record<string, NanoQuantity>; limits: Record<string, NanoQuantity> } {
  const requests: Record<string, NanoQuantity> = {}
  const limits: Record<string, NanoQuantity> = {}
  for (const range of limitRanges) {
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== 'Container') continue
      // Plain JSON says `default`; client-node's model class renames it `_default`.
      const raw = item as { default?: QuantityMap; _default?: QuantityMap }
      const limit = raw.default ?? raw._default ?? item.max
      const request = item.defaultRequest ?? limit
      const where = `limitrange/${range.metadata?.name ?? '?'}`
      Object.assign(limits, quantities(limit, `${where}: default`, invalid))
      Object.assign(requests, quantities(request, `${where}: defaultRequest`, invalid))
    }
  }
  return { requests, limits }
}

function quantities(map: QuantityMap, where: string, invalid: string[]): Record<string, NanoQuantity> {
  const out: Record<string, NanoQuantity> = {}
  for (const [name, text] of Object.entries(map ?? {})) {
    const value = parseQuantity(text as string | number)
    if (value === undefined) invalid.push(`${where}.${name}`)
    else out[name] = value
  }
  return out
}

function add(into: Record<string, NanoQuantity>, more: Record<string, NanoQuantity>): void {
  for (const [name, value] of Object.entries(more)) into[name] = (into[name] ?? 0n) + value
}

function max(into: Record<string, NanoQuantity>, other: Record<string, NanoQuantity>): void {
  for (const [name, value] of Object.entries(other))
    if (into[name] === undefined || value > into[name]) into[name] = value
}
