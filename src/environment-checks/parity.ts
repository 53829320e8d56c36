import type { V1Ingress } from '@kubernetes/client-node'
import type { Workload, WorkloadKind } from '../kubernetes/api/workload-types.js'
import type { Problem } from '../runtime/errors.js'
import { compareCodeUnits } from '../runtime/code-unit-order.js'
import {
  podTemplateShape,
  type ContainerShape,
  type PodTemplateShape,
  type ShapeContext
} from './pod-template-shape.js'

/**
 * Environment parity: what differs between the upstream environment's workload and the
 * target's, one row per difference. Values of env vars are never compared (nor shown); the
 * shape is: which variables exist and where they come from.
 *
 * Dimensions, with the scope (the container, for `volumeKey` the volume) and key of a row:
 *
 * | dimension           | scope     | key                  | upstream / target values                     |
 * | ------------------- | --------- | -------------------- | -------------------------------------------- |
 * | `container`         |           | container name       | container, init, sidecar, absent             |
 * | `image`             | container |                      | the digest, else the reference as written    |
 * | `env`               | container | variable name        | value, secretKeyRef, configMapKeyRef, ...    |
 * | `envFrom`           | container | `configMap:NAME`     | present, absent                              |
 * | `port`              | container | `8080/TCP`           | open, absent                                 |
 * | `probe`             | container | liveness, readiness, startup | set, absent                          |
 * | `mount`             | container | mount path           | the volume name, absent                      |
 * | `resources`         | container | `requests.cpu`       | the quantity as written, unset               |
 * | `volume`            |           | volume name          | its type (configMap, secret, emptyDir, ...)  |
 * | `volumeKey`         | volume    | ConfigMap/Secret key | present, absent                              |
 * | `mesh`              |           |                      | none, istio, istio (revision x), linkerd ... |
 * | `replicas`          |           |                      | the count                                    |
 * | `ingressClass`      |           |                      | the classes of the namespace's Ingresses     |
 * | `kustomizeResource` |           | the resource path    | present, absent                              |
 * | `kustomizeImage`    |           | an `images[].name`   | present, absent                              |
 *
 * Allow-list entries are `DIMENSION[:KEY][@SCOPE]`; KEY and SCOPE may use `*` (any run of
 * characters) and `?`. `resources` allows every resources difference, `env:LOG_LEVEL`
 * LOG_LEVEL in every container, `env:LOG_LEVEL@api` only in container `api`, `image@istio-*`
 * the images of containers named istio-something.
 *
 * The default (DEFAULT_PARITY_ALLOW) follows the seed's "What Should Differ" table:
 * replica count -> `replicas`; resource limits -> `resources`; log level -> `env:LOG_LEVEL`
 * (the value is never compared, this allows the variable to be set in one environment only).
 * External services (sandbox vs production APIs) differ in env *values*, which parity does not
 * compare, so they need no entry; data and alerting are not part of a workload.
 *
 * ConfigMap and Secret names in envFrom are compared without a kustomize generator hash
 * suffix (`-` and ten of `2456789bcdfghkmt`), since those differ whenever the content does.
 */

export const PARITY_DIMENSIONS = [
  'container',
  'image',
  'env',
  'envFrom',
  'port',
  'probe',
  'mount',
  'resources',
  'volume',
  'volumeKey',
  'mesh',
  'replicas',
  'ingressClass',
  'kustomizeResource',
  'kustomizeImage'
] as const

export type ParityDimension = (typeof PARITY_DIMENSIONS)[number]

export interface ParityRow {
  /** `deployment/api`; for namespace-wide dimensions `namespace`, for overlays the file path. */
  workload: string
  dimension: ParityDimension
  /** The container the difference is in (for `volumeKey`: the volume). */
  scope?: string
  key?: string
  upstream: string
  target: string
  allowed: boolean
}

export const DEFAULT_PARITY_ALLOW: readonly string[] = ['replicas', 'resources', 'env:LOG_LEVEL']

export interface ParityOptions {
  /** Allowed differences; DEFAULT_PARITY_ALLOW when omitted (pass [] to allow none). */
  allow?: readonly string[]
  /** Compare ConfigMap/Secret names without kustomize's hash suffix (default true). */
  ignoreGeneratedNameSuffix?: boolean
}

export interface ParitySide {
  kind: WorkloadKind
  workload: Workload
  context?: ShapeContext
}

const ABSENT = 'absent'

export function compareWorkloadParity(
  upstream: ParitySide,
  target: ParitySide,
  options: ParityOptions = {}
): ParityRow[] {
  return compareShapes(
    podTemplateShape(upstream.kind, upstream.workload, upstream.context),
    podTemplateShape(target.kind, target.workload, target.context),
    options
  )
}

export function compareShapes(
  upstream: PodTemplateShape,
  target: PodTemplateShape,
  options: ParityOptions = {}
): ParityRow[] {
  const allow = options.allow ?? DEFAULT_PARITY_ALLOW
  const normalize = options.ignoreGeneratedNameSuffix === false ? (s: string) => s : stripGeneratedSuffix
  const workload = target.workload
  const rows: ParityRow[] = []
  const push = (
    dimension: ParityDimension,
    scope: string | undefined,
    key: string | undefined,
    up: string,
    down: string
  ) => {
    if (up === down) return
    const where = {
      dimension,
      ...(scope !== undefined ? { scope } : {}),
      ...(key !== undefined ? { key } : {})
    }
    rows.push({ workload, ...where, upstream: up, target: down, allowed: isAllowed(where, allow) })
  }
  const compareMaps = (
    dimension: ParityDimension,
    scope: string,
    a: Record<string, string>,
    b: Record<string, string>,
    missing = ABSENT
  ) => {
    for (const key of union(Object.keys(a), Object.keys(b)))
      push(dimension, scope, key, a[key] ?? missing, b[key] ?? missing)
  }
  const asSet = (items: string[], value = 'present') => Object.fromEntries(items.map((i) => [i, value]))

  if (upstream.replicas !== undefined || target.replicas !== undefined)
    push(
      'replicas',
      undefined,
      undefined,
      String(upstream.replicas ?? ABSENT),
      String(target.replicas ?? ABSENT)
    )

  const upContainers = new Map(upstream.containers.map((c) => [c.name, c]))
  const targetContainers = new Map(target.containers.map((c) => [c.name, c]))
  for (const name of union([...upContainers.keys()], [...targetContainers.keys()])) {
    const a = upContainers.get(name)
    const b = targetContainers.get(name)
    if (!a || !b || a.role !== b.role) {
      push('container', undefined, name, a?.role ?? ABSENT, b?.role ?? ABSENT)
      if (!a || !b) continue
    }
    push('image', name, undefined, imageIdentity(a, b), imageIdentity(b, a))
    compareMaps('env', name, a.env, b.env)
    compareMaps('envFrom', name, asSet(a.envFrom.map(normalize)), asSet(b.envFrom.map(normalize)))
    compareMaps('port', name, asSet(a.ports, 'open'), asSet(b.ports, 'open'))
    compareMaps('probe', name, asSet(a.probes, 'set'), asSet(b.probes, 'set'))
    compareMaps('mount', name, a.mounts, b.mounts)
    compareMaps('resources', name, a.resources, b.resources, 'unset')
  }

  const upVolumes = new Map(upstream.volumes.map((v) => [v.name, v]))
  const targetVolumes = new Map(target.volumes.map((v) => [v.name, v]))
  for (const name of union([...upVolumes.keys()], [...targetVolumes.keys()])) {
    const a = upVolumes.get(name)
    const b = targetVolumes.get(name)
    push('volume', undefined, name, a?.type ?? ABSENT, b?.type ?? ABSENT)
    if (a?.keys && b?.keys) compareMaps('volumeKey', name, asSet(a.keys), asSet(b.keys))
  }

  push('mesh', undefined, undefined, upstream.mesh, target.mesh)
  return rows
}

/** Digests when both sides know theirs; otherwise the references as written (tag and all). */
function imageIdentity(self: ContainerShape, other: ContainerShape): string {
  if (self.digest !== undefined && other.digest !== undefined) return self.digest
  return self.image.replace(/@sha\d+:[0-9a-f]+$/, '') + (self.digest === undefined ? ' (digest unknown)' : '')
}

/**
 * The ingress classes of each environment's Ingresses: `spec.ingressClassName`, else the
 * deprecated `kubernetes.io/ingress.class` annotation, else `(default class)`.
 */
export function compareIngressClasses(
  upstream: V1Ingress[],
  target: V1Ingress[],
  options: ParityOptions = {}
): ParityRow[] {
  const classes = (ingresses: V1Ingress[]) =>
    [
      ...new Set(
        ingresses.map(
          (i) =>
            i.spec?.ingressClassName ??
            i.metadata?.annotations?.['kubernetes.io/ingress.class'] ??
            '(default class)'
        )
      )
    ]
      .sort(compareCodeUnits)
      .join(', ') || 'none'
  const up = classes(upstream)
  const down = classes(target)
  if (up === down) return []
  const allowed = isAllowed({ dimension: 'ingressClass' }, options.allow ?? DEFAULT_PARITY_ALLOW)
  return [{ workload: 'namespace', dimension: 'ingressClass', upstream: up, target: down, allowed }]
}

/** Whether an allow-list covers a difference (see the grammar above). */
export function isAllowed(
  row: { dimension: ParityDimension; scope?: string; key?: string },
  allow: readonly string[]
): boolean {
  return allow.some((text) => {
    const entry = parseAllowEntry(text)
    if (entry.dimension !== row.dimension) return false
    if (entry.key !== undefined && (row.key === undefined || !globToRegExp(entry.key).test(row.key)))
      return false
    if (entry.scope !== undefined && (row.scope === undefined || !globToRegExp(entry.scope).test(row.scope)))
      return false
    return true
  })
}

export interface AllowEntry {
  dimension: string
  key?: string
  scope?: string
}

/** `DIMENSION[:KEY][@SCOPE]` into its parts (the last `@` starts the scope). */
export function parseAllowEntry(text: string): AllowEntry {
  const at = text.lastIndexOf('@')
  const head = at < 0 ? text : text.slice(0, at)
  const scope = at < 0 ? undefined : text.slice(at + 1)
  const colon = head.indexOf(':')
  const dimension = colon < 0 ? head : head.slice(0, colon)
  const key = colon < 0 ? undefined : head.slice(colon + 1)
  return { dimension, ...(key !== undefined ? { key } : {}), ...(scope !== undefined ? { scope } : {}) }
}

/** Problems with allow-list entries, for the config schema to report all at once. */
export function allowListProblems(allow: readonly string[], path: string): Problem[] {
  const problems: Problem[] = []
  allow.forEach((entry, i) => {
    const { dimension, key, scope } = parseAllowEntry(entry)
    if (!(PARITY_DIMENSIONS as readonly string[]).includes(dimension) || key === '' || scope === '')
      problems.push({
        path: `${path}[${i}]`,
        value: entry,
        expected: `DIMENSION[:KEY][@SCOPE] with DIMENSION one of ${PARITY_DIMENSIONS.join(', ')}`
      })
  })
  return problems
}

const GENERATED_SUFFIX = /-[2456789bcdfghkmt]{10}(?=$| )/

function stripGeneratedSuffix(source: string): string {
  return source.replace(GENERATED_SUFFIX, '')
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])]
}
