/**
 * The built-in resource types the simulator serves, described the way the apiserver's discovery
 * documents describe them. Everything else (routing, errors, discovery, RBAC-style denials)
 * is derived from this table, so adding a type is adding a row. Types defined by
 * CustomResourceDefinitions join them at run time in each simulator's ResourceRegistry.
 */
import type { StructuralSchema } from './structural-schema.js'

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
  /** Discovery categories (`kubectl get all` and friends). */
  categories?: string[]
  /** Set for types served from a CustomResourceDefinition. */
  custom?: CustomResourceInfo
}

/** What a CustomResourceDefinition says about one served version of its resource. */
export interface CustomResourceInfo {
  /** metadata.name of the CRD. */
  crdName: string
  /** The version objects are stored in (conversion strategy None: only apiVersion changes). */
  storageVersion: string
  listKind: string
  /** The version's openAPIV3Schema; undefined means anything goes (never for v1 CRDs). */
  schema?: StructuralSchema
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

export const builtinResourceTypes: readonly ResourceType[] = [
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
  type('', 'v1', 'resourcequotas', 'ResourceQuota', { subresources: ['status'], shortNames: ['quota'] }),
  type('', 'v1', 'limitranges', 'LimitRange', { shortNames: ['limits'] }),
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
  type('networking.k8s.io', 'v1', 'ingresses', 'Ingress', {
    subresources: ['status'],
    shortNames: ['ing'],
    tracksGeneration: true
  }),
  type('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', { namespaced: false }),
  type('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false,
    subresources: ['status'],
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
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

/** The API groups of the built-in types: paths in other groups are answered by the CRD handler. */
export const builtinGroups: ReadonlySet<string> = new Set(builtinResourceTypes.map((t) => t.group))
