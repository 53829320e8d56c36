import type {
  V1ConfigMap,
  V1Container,
  V1KeyToPath,
  V1PodTemplateSpec,
  V1Secret
} from '@kubernetes/client-node'

/**
 * The ConfigMap and Secret keys a pod template depends on, and which of them the namespace
 * lacks. Kubernetes semantics:
 *
 * - `env[].valueFrom.configMapKeyRef` / `secretKeyRef`: one key; a missing object or key
 *   stops the container (CreateContainerConfigError) unless `optional: true`.
 * - `envFrom[]`: the whole object; a missing object stops the container unless optional.
 * - `volumes[].configMap` / `.secret`: the whole object, or the keys in `items`; a missing
 *   object or item key keeps the pod in ContainerCreating unless optional.
 * - `volumes[].projected.sources[]`: the same for each configMap/secret source.
 * - `imagePullSecrets[]`: the kubelet pulls without a missing one (it only warns), so those
 *   are reported as optional.
 *
 * Secrets are read as key names only (`configKeyIndex`): no value leaves that function.
 */

export type ConfigSource = 'ConfigMap' | 'Secret'

export interface ConfigReference {
  kind: ConfigSource
  name: string
  /** Undefined when the whole object is referenced (envFrom, volume without items, pull secret). */
  key?: string
  optional: boolean
  via: 'env' | 'envFrom' | 'volume' | 'projected' | 'imagePullSecret'
  /** For env/envFrom: the container; for volumes: the volume name. */
  container?: string
  volume?: string
  /** For env: the variable it sets. */
  variable?: string
  /** For envFrom: the prefix given to every key. */
  prefix?: string
}

export interface MissingReference extends ConfigReference {
  problem: 'object-missing' | 'key-missing'
  message: string
}

/** Key names of the namespace's ConfigMaps (data and binaryData) and Secrets (data and stringData), by object name. */
export interface ConfigKeyIndex {
  configMaps: Record<string, string[]>
  secrets: Record<string, string[]>
}

export function configKeyIndex(configMaps: V1ConfigMap[], secrets: V1Secret[]): ConfigKeyIndex {
  const index: ConfigKeyIndex = { configMaps: {}, secrets: {} }
  for (const cm of configMaps)
    if (cm.metadata?.name)
      index.configMaps[cm.metadata.name] = [
        ...Object.keys(cm.data ?? {}),
        ...Object.keys(cm.binaryData ?? {})
      ]
  for (const secret of secrets)
    if (secret.metadata?.name)
      index.secrets[secret.metadata.name] = [
        ...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])
      ]
  return index
}

/** Every ConfigMap/Secret reference of the template, init containers first, in spec order. */
export function configReferences(template: V1PodTemplateSpec): ConfigReference[] {
  const spec = template.spec
  const refs: ConfigReference[] = []
  const containers: V1Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  for (const container of containers) {
    for (const env of container.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef
      const secret = env.valueFrom?.secretKeyRef
      const ref = cm
        ? { kind: 'ConfigMap' as const, ...cm }
        : secret
          ? { kind: 'Secret' as const, ...secret }
          : undefined
      if (ref)
        refs.push({
          kind: ref.kind,
          name: ref.name ?? '',
          key: ref.key,
          optional: ref.optional === true,
          via: 'env',
          container: container.name,
          variable: env.name
        })
    }
    for (const source of container.envFrom ?? []) {
      const ref = source.configMapRef
        ? { kind: 'ConfigMap' as const, ...source.configMapRef }
        : source.secretRef
          ? { kind: 'Secret' as const, ...source.secretRef }
          : undefined
      if (ref)
        refs.push({
          kind: ref.kind,
          name: ref.name ?? '',
          optional: ref.optional === true,
          via: 'envFrom',
          container: container.name,
          ...(source.prefix ? { prefix: source.prefix } : {})
        })
    }
  }
  for (const volume of spec?.volumes ?? []) {
    refs.push(
      ...volumeRefs('ConfigMap', volume.configMap, volume.configMap?.name, 'volume', volume.name),
      ...volumeRefs('Secret', volume.secret, volume.secret?.secretName, 'volume', volume.name)
    )
    for (const source of volume.projected?.sources ?? [])
      refs.push(
        ...volumeRefs('ConfigMap', source.configMap, source.configMap?.name, 'projected', volume.name),
        ...volumeRefs('Secret', source.secret, source.secret?.name, 'projected', volume.name)
      )
  }
  for (const pull of spec?.imagePullSecrets ?? [])
    if (pull.name) refs.push({ kind: 'Secret', name: pull.name, optional: true, via: 'imagePullSecret' })
  return refs
}

/** The references of one mounted ConfigMap or Secret (none when `source` is absent). */
function volumeRefs(
  kind: ConfigSource,
  source: { items?: V1KeyToPath[]; optional?: boolean } | undefined,
  name: string | undefined,
  via: 'volume' | 'projected',
  volume: string
): ConfigReference[] {
  if (!source) return []
  const base = { kind, name: name ?? '', optional: source.optional === true, via, volume }
  if (!source.items || source.items.length === 0) return [base]
  return source.items.map((item) => ({ ...base, key: item.key }))
}

/** The references the namespace cannot satisfy; optional ones are included, marked `optional`. */
export function missingConfigReferences(
  template: V1PodTemplateSpec,
  index: ConfigKeyIndex
): MissingReference[] {
  const missing: MissingReference[] = []
  for (const ref of configReferences(template)) {
    const keys = (ref.kind === 'ConfigMap' ? index.configMaps : index.secrets)[ref.name]
    const where = describeUse(ref)
    const kind = ref.kind === 'ConfigMap' ? 'configmap' : 'secret'
    const tail = ref.optional ? ' (optional)' : ''
    if (keys === undefined)
      missing.push({
        ...ref,
        problem: 'object-missing',
        message: `${kind}/${ref.name} does not exist; ${where}${tail}`
      })
    else if (ref.key !== undefined && !keys.includes(ref.key))
      missing.push({
        ...ref,
        problem: 'key-missing',
        message: `${kind}/${ref.name} has no key ${ref.key}; ${where}${tail}`
      })
  }
  return missing
}

function describeUse(ref: ConfigReference): string {
  switch (ref.via) {
    case 'env':
      return `container ${ref.container} reads ${ref.variable} from it`
    case 'envFrom':
      return `container ${ref.container} loads its keys as environment${ref.prefix ? ` (prefix ${ref.prefix})` : ''}`
    case 'volume':
    case 'projected':
      return `volume ${ref.volume} mounts it${ref.via === 'projected' ? ' (projected)' : ''}`
    case 'imagePullSecret':
      return 'the pod pulls images with it'
  }
}
