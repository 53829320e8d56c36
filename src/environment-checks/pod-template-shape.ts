import type { V1Container, V1Namespace, V1PodTemplateSpec } from '@kubernetes/client-node'
import { describeWorkload, type Workload, type WorkloadKind } from '../kubernetes/api/workload-types.js'
import type { ConfigKeyIndex } from './config-references.js'
import { workloadReplicas } from '../kubernetes/kinds/workload-kinds.js'

/**
 * The parts of a workload that environment parity compares, pulled out of the object once:
 * images (by digest when known), containers, env var names and where their values come from
 * (never the values), envFrom sources, ports, probes, mounts, volumes with the ConfigMap and
 * Secret keys they project, resources as written, replicas and service-mesh injection.
 */
export interface ShapeContext {
  /** Digests the caller resolved (`sha256:...`), by image reference as the template writes it. */
  imageDigests?: Record<string, string>
  /** The workload's Namespace: its labels and annotations take part in mesh injection. */
  namespace?: V1Namespace
  /** Key names of the namespace's ConfigMaps and Secrets, for volumes without `items`. */
  keys?: ConfigKeyIndex
}

export type EnvSource = 'value' | 'configMapKeyRef' | 'secretKeyRef' | 'fieldRef' | 'resourceFieldRef'
export type ProbeKind = 'liveness' | 'readiness' | 'startup'

export interface ContainerShape {
  name: string
  /** `init` for init containers, `sidecar` for init containers with restartPolicy Always. */
  role: 'container' | 'init' | 'sidecar'
  /** The image reference as written. */
  image: string
  /** The digest from the reference or the caller's resolution; undefined when unknown. */
  digest?: string
  env: Record<string, EnvSource>
  /** `configMap:NAME` or `secret:NAME`, with ` prefix=P` when given. */
  envFrom: string[]
  /** `8080/TCP`. */
  ports: string[]
  probes: ProbeKind[]
  /** mountPath -> volume name (with `:subPath` when given). */
  mounts: Record<string, string>
  /** `requests.cpu` -> the quantity as written. */
  resources: Record<string, string>
}

export interface VolumeShape {
  name: string
  /** The volume source field: configMap, secret, projected, emptyDir, persistentVolumeClaim, ... */
  type: string
  /** ConfigMap/Secret keys it mounts (from `items`, else from the keys the caller passed). */
  keys?: string[]
}

export interface PodTemplateShape {
  /** `deployment/api`. */
  workload: string
  /** Undefined for a DaemonSet (it runs one pod per node). */
  replicas?: number
  containers: ContainerShape[]
  volumes: VolumeShape[]
  /** `none`, `istio`, `istio (revision canary)`, `istio (ambient)`, `linkerd`, ... joined with ` + `. */
  mesh: string
}

export function podTemplateShape(
  kind: WorkloadKind,
  workload: Workload,
  context: ShapeContext = {}
): PodTemplateShape {
  const template: V1PodTemplateSpec = workload.spec?.template ?? {}
  const spec = template.spec
  const containers = [
    ...(spec?.initContainers ?? []).map((c) =>
      containerShape(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', context)
    ),
    ...(spec?.containers ?? []).map((c) => containerShape(c, 'container', context))
  ]
  const volumes = (spec?.volumes ?? []).map((volume): VolumeShape => {
    const type = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown'
    const keys = volumeKeys(volume, context.keys)
    return keys === undefined ? { name: volume.name, type } : { name: volume.name, type, keys }
  })
  return {
    workload: describeWorkload({ kind, name: workload.metadata?.name ?? '?' }),
    ...(kind === 'DaemonSet' ? {} : { replicas: workloadReplicas(kind, workload) }),
    containers,
    volumes,
    mesh: meshInjection(template, context.namespace)
  }
}

function containerShape(
  container: V1Container,
  role: ContainerShape['role'],
  context: ShapeContext
): ContainerShape {
  const image = container.image ?? ''
  const digest = /@(sha\d+:[0-9a-f]+)$/.exec(image)?.[1] ?? context.imageDigests?.[image]
  const env: Record<string, EnvSource> = {}
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom
    env[entry.name] = from?.configMapKeyRef
      ? 'configMapKeyRef'
      : from?.secretKeyRef
        ? 'secretKeyRef'
        : from?.fieldRef
          ? 'fieldRef'
          : from?.resourceFieldRef
            ? 'resourceFieldRef'
            : 'value'
  }
  const envFrom = (container.envFrom ?? []).flatMap((source) => {
    const ref = source.configMapRef
      ? `configMap:${source.configMapRef.name}`
      : source.secretRef
        ? `secret:${source.secretRef.name}`
        : undefined
    return ref === undefined ? [] : [source.prefix ? `${ref} prefix=${source.prefix}` : ref]
  })
  const probes: ProbeKind[] = []
  if (container.livenessProbe) probes.push('liveness')
  if (container.readinessProbe) probes.push('readiness')
  if (container.startupProbe) probes.push('startup')
  const mounts: Record<string, string> = {}
  for (const mount of container.volumeMounts ?? [])
    mounts[mount.mountPath] = mount.subPath ? `${mount.name}:${mount.subPath}` : mount.name
  const resources: Record<string, string> = {}
  for (const side of ['requests', 'limits'] as const)
    for (const [name, value] of Object.entries(container.resources?.[side] ?? {}))
      resources[`${side}.${name}`] = String(value)
  return {
    name: container.name,
    role,
    image,
    ...(digest !== undefined ? { digest } : {}),
    env,
    envFrom,
    ports: (container.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`),
    probes,
    mounts,
    resources
  }
}

function volumeKeys(
  volume: NonNullable<NonNullable<V1PodTemplateSpec['spec']>['volumes']>[number],
  index: ConfigKeyIndex | undefined
): string[] | undefined {
  const keysOf = (items: { key: string }[] | undefined, known: string[] | undefined) =>
    items && items.length > 0 ? items.map((i) => i.key) : known
  if (volume.configMap) return keysOf(volume.configMap.items, index?.configMaps[volume.configMap.name ?? ''])
  if (volume.secret) return keysOf(volume.secret.items, index?.secrets[volume.secret.secretName ?? ''])
  if (volume.projected) {
    const keys: string[] = []
    let known = false
    for (const source of volume.projected.sources ?? []) {
      const found = source.configMap
        ? keysOf(source.configMap.items, index?.configMaps[source.configMap.name ?? ''])
        : source.secret
          ? keysOf(source.secret.items, index?.secrets[source.secret.name ?? ''])
          : undefined
      if (found) {
        known = true
        keys.push(...found)
      }
    }
    return known ? keys : undefined
  }
  return undefined
}

/**
 * Service-mesh sidecar injection for pods of `template` in `namespace`:
 *
 * - Istio (sidecar-injector webhooks): a namespace labelled `istio-injection=disabled` never
 *   injects; `istio-injection=enabled` or `istio.io/rev=<rev>` injects unless the pod says
 *   `sidecar.istio.io/inject: "false"` (label, or the older annotation); an unlabelled
 *   namespace injects only pods labelled `sidecar.istio.io/inject: "true"` or
 *   `istio.io/rev`. `istio.io/dataplane-mode: ambient` (namespace or pod label) is ambient
 *   mode, without sidecars.
 * - Linkerd: the annotation `linkerd.io/inject` (`enabled`, `ingress`, `disabled`) on the
 *   pod template overrides the namespace's.
 */
export function meshInjection(template: V1PodTemplateSpec, namespace?: V1Namespace): string {
  const podLabels = template.metadata?.labels ?? {}
  const podAnnotations = template.metadata?.annotations ?? {}
  const nsLabels = namespace?.metadata?.labels ?? {}
  const nsAnnotations = namespace?.metadata?.annotations ?? {}
  const meshes: string[] = []

  const podInject = podLabels['sidecar.istio.io/inject'] ?? podAnnotations['sidecar.istio.io/inject']
  const nsInjection = nsLabels['istio-injection']
  const revision = podLabels['istio.io/rev'] ?? nsLabels['istio.io/rev']
  const istio =
    nsInjection === 'disabled'
      ? false
      : nsInjection === 'enabled' || nsLabels['istio.io/rev'] !== undefined
        ? podInject !== 'false'
        : podLabels['sidecar.istio.io/inject'] === 'true' || podLabels['istio.io/rev'] !== undefined
  const ambient = (podLabels['istio.io/dataplane-mode'] ?? nsLabels['istio.io/dataplane-mode']) === 'ambient'
  if (istio)
    meshes.push(
      revision && revision !== 'default' && nsInjection !== 'enabled'
        ? `istio (revision ${revision})`
        : 'istio'
    )
  else if (ambient) meshes.push('istio (ambient)')

  const linkerd = podAnnotations['linkerd.io/inject'] ?? nsAnnotations['linkerd.io/inject']
  if (linkerd === 'enabled') meshes.push('linkerd')
  else if (linkerd === 'ingress') meshes.push('linkerd (ingress mode)')

  return meshes.length === 0 ? 'none' : meshes.join(' + ')
}
