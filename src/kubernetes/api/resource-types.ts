/**
 * Where each kind of object the action reads or writes lives in the Kubernetes API: group,
 * version, plural resource (the URL segment and the RBAC name) and scope. Every request and
 * watch builds its path from one of these, so reading a new kind (a custom resource included)
 * is one entry here, not a new client.
 */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string
  version: string
  /** Plural, lower case, as URL paths and RBAC rules spell it. */
  resource: string
  kind: string
  namespaced: boolean
}

function type(group: string, version: string, resource: string, kind: string): ResourceType {
  return { group, version, resource, kind, namespaced: true }
}

export const RESOURCE_TYPES = {
  Deployment: type('apps', 'v1', 'deployments', 'Deployment'),
  StatefulSet: type('apps', 'v1', 'statefulsets', 'StatefulSet'),
  DaemonSet: type('apps', 'v1', 'daemonsets', 'DaemonSet'),
  ReplicaSet: type('apps', 'v1', 'replicasets', 'ReplicaSet'),
  Pod: type('', 'v1', 'pods', 'Pod'),
  Event: type('', 'v1', 'events', 'Event'),
  ConfigMap: type('', 'v1', 'configmaps', 'ConfigMap'),
  Secret: type('', 'v1', 'secrets', 'Secret'),
  ResourceQuota: type('', 'v1', 'resourcequotas', 'ResourceQuota'),
  LimitRange: type('', 'v1', 'limitranges', 'LimitRange'),
  Namespace: { ...type('', 'v1', 'namespaces', 'Namespace'), namespaced: false },
  Lease: type('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  PodDisruptionBudget: type('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  Ingress: type('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  // Custom resources (their CRDs are upstream's; ../shared/reference/gitops.md).
  ArgoApplication: type('argoproj.io', 'v1alpha1', 'applications', 'Application'),
  FluxKustomization: type('kustomize.toolkit.fluxcd.io', 'v1', 'kustomizations', 'Kustomization'),
  FluxHelmRelease: type('helm.toolkit.fluxcd.io', 'v2', 'helmreleases', 'HelmRelease'),
  FluxGitRepository: type('source.toolkit.fluxcd.io', 'v1', 'gitrepositories', 'GitRepository'),
  ExternalSecret: type('external-secrets.io', 'v1', 'externalsecrets', 'ExternalSecret'),
  Gateway: type('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway'),
  HTTPRoute: type('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute')
} as const satisfies Record<string, ResourceType>

export type KnownResource = keyof typeof RESOURCE_TYPES

/** A resource type by its name in {@link RESOURCE_TYPES}, or given whole. */
export function resourceType(resource: KnownResource | ResourceType): ResourceType {
  return typeof resource === 'string' ? RESOURCE_TYPES[resource] : resource
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`
}

/** `/apis/apps/v1/namespaces/shop/deployments/api/status`, or `/api/v1/...` for the core group. */
export function resourcePath(
  type: ResourceType,
  where: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined }
): string {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`
  const scope =
    type.namespaced && where.namespace !== undefined
      ? `/namespaces/${encodeURIComponent(where.namespace)}`
      : ''
  const name = where.name !== undefined ? `/${encodeURIComponent(where.name)}` : ''
  const subresource = where.subresource !== undefined ? `/${where.subresource}` : ''
  return `${prefix}${scope}/${type.resource}${name}${subresource}`
}
