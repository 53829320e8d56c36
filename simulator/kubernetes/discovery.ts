/**
 * The discovery documents (`/api`, `/apis`, `/apis/<group>`, `/api/v1`, `/apis/<group>/<version>`,
 * `/version`) in their legacy (non-aggregated) JSON form, built from the served resource table.
 * Clients asking for aggregated discovery get this form too and fall back to it.
 */
import { apiVersionOf, resourceTypes, type ResourceType } from './api-resources.js'

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

function groups(): Map<string, ResourceType[]> {
  const byGroup = new Map<string, ResourceType[]>()
  for (const type of resourceTypes) {
    if (!type.group) continue
    byGroup.set(type.group, [...(byGroup.get(type.group) ?? []), type])
  }
  return byGroup
}

function groupDocument(name: string, types: ResourceType[]) {
  const versions = [...new Set(types.map((t) => t.version))].map((version) => ({
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

export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, types]) => groupDocument(name, types))
  }
}

export function apiGroup(name: string) {
  const types = groups().get(name)
  return types ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(name, types) } : undefined
}

export function apiResourceList(group: string, version: string) {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version)
  if (types.length === 0) return undefined
  const resources: Array<Record<string, unknown>> = []
  for (const type of types) {
    resources.push({
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      ...(type.shortNames ? { shortNames: type.shortNames } : {})
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
