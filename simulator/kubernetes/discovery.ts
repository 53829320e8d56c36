/**
 * The discovery documents (`/api`, `/apis`, `/apis/<group>`, `/api/v1`, `/apis/<group>/<version>`,
 * `/version`) in their legacy (non-aggregated) JSON form, built from the served resource types
 * (built-in and from CRDs). Clients asking for aggregated discovery get this form too and fall
 * back to it.
 */
import { apiVersionOf, type ResourceType } from './api-resources.js'
import type { ResourceRegistry } from './resource-registry.js'

export const simulatedVersion = {
  major: '1',
  minor: '36',
  gitVersion: 'v1.36.3',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.26.0',
  compiler: 'gc',
  platform: 'linux/amd64'
}

function groups(registry: ResourceRegistry): Map<string, ResourceType[]> {
  const byGroup = new Map<string, ResourceType[]>()
  for (const type of registry.all()) {
    if (!type.group) continue
    byGroup.set(type.group, [...(byGroup.get(type.group) ?? []), type])
  }
  return byGroup
}

/** Kubernetes version priority: GA (higher first), then beta, then alpha, then anything else. */
function versionPriority(version: string): [number, number, number] {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version)
  if (!match) return [0, 0, 0]
  const stability = match[2] === undefined ? 3 : match[2] === 'beta' ? 2 : 1
  return [stability, Number(match[1]), Number(match[3] ?? 0)]
}

function byPriority(a: string, b: string): number {
  const [x, y] = [versionPriority(a), versionPriority(b)]
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2] || a.localeCompare(b)
}

function groupDocument(name: string, types: ResourceType[]) {
  const listed = [...new Set(types.map((t) => t.version))]
  const ordered = types.some((t) => t.custom) ? listed.sort(byPriority) : listed
  const versions = ordered.map((version) => ({
    groupVersion: `${name}/${version}`,
    version
  }))
  return { name, versions, preferredVersion: versions[0] }
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }]
  }
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups(registry)].map(([name, types]) => groupDocument(name, types))
  }
}

export function apiGroup(registry: ResourceRegistry, name: string) {
  const types = groups(registry).get(name)
  return types ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(name, types) } : undefined
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const types = registry.all().filter((t) => t.group === group && t.version === version)
  if (types.length === 0) return undefined
  const resources: Array<Record<string, unknown>> = []
  for (const type of types) {
    resources.push({
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      ...(type.shortNames ? { shortNames: type.shortNames } : {}),
      ...(type.categories ? { categories: type.categories } : {})
    })
    for (const sub of type.subresources) {
      resources.push({
        name: `${type.resource}/${sub}`,
        singularName: '',
        namespaced: type.namespaced,
        ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { kind: type.kind }),
        verbs: ['get', 'patch', 'update']
      })
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(types[0]!), resources }
}
