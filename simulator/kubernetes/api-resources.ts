/**
 * The resource types the simulator serves, described the way the apiserver's discovery
 * documents describe them. Everything else (routing, errors, discovery, RBAC-style denials)
 * is derived from this table, so adding a type is adding a row.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export interface ResourceType {
  group: string
  version: string
  /** Plural, lower case: the path segment and the RBAC resource name. */
  resource: string
  singular: string
  kind: string
  namespaced: boolean
  verbs: Verb[]
  subresources: Array<'status' | 'scale'>
  shortNames?: string[]
  /** metadata.generation is maintained (bumped on spec changes) for this type. */
  tracksGeneration: boolean
  /**
   * Where this type is stored. Two API versions of one kind (core `events` and
   * events.k8s.io `events`) share storage, as in the real apiserver.
   */
  storageKey: string
}

const all: Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']

function type(
  group: string,
  version: string,
  resource: string,
  kind: string,
  extra: Partial<ResourceType> = {}
): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced: true,
    verbs: all,
    subresources: [],
    tracksGeneration: false,
    storageKey: `${group || 'core'}/${resource}`,
    ...extra
  }
}

export const resourceTypes: readonly ResourceType[] = [
  type('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    subresources: ['status'],
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']
  }),
  type('', 'v1', 'nodes', 'Node', { namespaced: false, subresources: ['status'], shortNames: ['no'] }),
  type('', 'v1', 'pods', 'Pod', { subresources: ['status'], shortNames: ['po'] }),
  type('', 'v1', 'events', 'Event', { shortNames: ['ev'], storageKey: 'core/events' }),
  type('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  type('', 'v1', 'secrets', 'Secret'),
  type('apps', 'v1', 'deployments', 'Deployment', {
    subresources: ['status', 'scale'],
    shortNames: ['deploy'],
    tracksGeneration: true
  }),
  type('apps', 'v1', 'replicasets', 'ReplicaSet', {
    subresources: ['status', 'scale'],
    shortNames: ['rs'],
    tracksGeneration: true
  }),
  type('apps', 'v1', 'statefulsets', 'StatefulSet', {
    subresources: ['status', 'scale'],
    shortNames: ['sts'],
    tracksGeneration: true
  }),
  type('apps', 'v1', 'daemonsets', 'DaemonSet', {
    subresources: ['status'],
    shortNames: ['ds'],
    tracksGeneration: true
  }),
  type('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  type('events.k8s.io', 'v1', 'events', 'Event', { shortNames: ['ev'], storageKey: 'core/events' }),
  type('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  type('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', {
    subresources: ['status'],
    shortNames: ['pdb'],
    tracksGeneration: true
  }),
  type('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', {
    namespaced: false,
    verbs: ['create'],
    storageKey: 'virtual/selfsubjectaccessreviews'
  })
]

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version
}

/** `deployments.apps`, `pods`: the name the apiserver uses in error messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource
}

/** `Deployment.apps`, `Pod`: the name used in validation (Invalid) messages. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind
}

export function findByPath(group: string, version: string, resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource)
}

export function findByApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind)
}

/**
 * Resolves the loose names tests use: `deployments`, `deploy`, `Deployment`,
 * `deployments.apps`, `apps/v1/deployments`, `apps/v1/Deployment`, `v1/pods`,
 * `events.events.k8s.io`. A bare `events` or `Event` means the core v1 type.
 */
export function resolveResourceType(reference: string): ResourceType {
  const parts = reference.split('/')
  let candidates: ResourceType[]
  if (parts.length >= 2) {
    const name = parts[parts.length - 1]!
    const apiVersion = parts.slice(0, -1).join('/')
    candidates = resourceTypes.filter(
      (t) => apiVersionOf(t) === apiVersion && (t.resource === name || t.kind === name)
    )
  } else {
    const name = reference
    candidates = resourceTypes.filter(
      (t) =>
        t.resource === name ||
        t.kind === name ||
        t.singular === name ||
        (t.shortNames ?? []).includes(name) ||
        qualifiedResource(t) === name
    )
  }
  const chosen = candidates.find((t) => t.group === '') ?? candidates[0]
  if (!chosen) throw new Error(`The Kubernetes simulator does not serve a resource called "${reference}"`)
  return chosen
}
