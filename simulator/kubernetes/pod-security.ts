/**
 * Pod Security admission (k8s.io/pod-security-admission), enforce mode only: a namespace
 * labelled `pod-security.kubernetes.io/enforce: baseline|restricted` refuses pods that violate
 * the level, with the plugin's message (`violates PodSecurity "restricted:latest":
 * allowPrivilegeEscalation != false (container "app" must set ...), ...`). The checks run in the
 * upstream order (baseline checks, then restricted ones, each by check ID) and restricted checks
 * replace the baseline checks they override. AppArmor, SELinux, procMount, sysctls and Windows
 * host-process checks are not simulated; warn and audit modes (Warning headers) are not either.
 */
import { admissionForbidden, type AdmissionPlugin, type AdmissionRequest } from './admission.js'
import type { FieldError } from './api-errors.js'
import type { KubeObject } from './kube-types.js'
import type { ObjectStore } from './object-store.js'

const levels = ['privileged', 'baseline', 'restricted']
const labelPrefix = 'pod-security.kubernetes.io/'

/** The namespace-label check the plugin makes on namespace writes (422 Invalid). */
export function podSecurityLabelErrors(labels: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = []
  for (const mode of ['enforce', 'audit', 'warn']) {
    const value = labels?.[`${labelPrefix}${mode}`]
    if (value !== undefined && !levels.includes(value)) {
      errors.push({
        field: `metadata.labels[${labelPrefix}${mode}]`,
        type: 'FieldValueInvalid',
        detail: `Invalid value: ${JSON.stringify(value)}: must be one of privileged, baseline, restricted`
      })
    }
  }
  return errors
}

interface SecurityContext {
  privileged?: boolean
  allowPrivilegeEscalation?: boolean
  runAsNonRoot?: boolean
  runAsUser?: number
  capabilities?: { add?: string[]; drop?: string[] }
  seccompProfile?: { type?: string }
}

interface Container {
  name: string
  ports?: Array<{ hostPort?: number }>
  securityContext?: SecurityContext
}

interface PodSpec {
  hostNetwork?: boolean
  hostPID?: boolean
  hostIPC?: boolean
  securityContext?: SecurityContext
  volumes?: Array<Record<string, unknown> & { name: string }>
  initContainers?: Container[]
  containers?: Container[]
  ephemeralContainers?: Container[]
}

interface CheckResult {
  reason: string
  detail: string
}

type Check = (spec: PodSpec, containers: Container[]) => CheckResult | undefined

const quote = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ')
const plural = (singular: string, many: string, count: number) => (count === 1 ? singular : many)
const containersWord = (names: string[]) =>
  `${plural('container', 'containers', names.length)} ${quote(names)}`
const sorted = (values: Iterable<string>) => [...new Set(values)].sort()

const baselineCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT'
])
const restrictedVolumeTypes = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret'
])

const capabilitiesBaseline: Check = (_spec, containers) => {
  const bad: string[] = []
  const added: string[] = []
  for (const c of containers) {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !baselineCapabilities.has(cap))
    if (extra.length > 0) {
      bad.push(c.name)
      added.push(...extra)
    }
  }
  if (bad.length === 0) return undefined
  return {
    reason: 'non-default capabilities',
    detail: `${containersWord(bad)} must not include ${quote(sorted(added))} in securityContext.capabilities.add`
  }
}

const hostNamespaces: Check = (spec) => {
  const set = [
    spec.hostNetwork ? 'hostNetwork=true' : '',
    spec.hostPID ? 'hostPID=true' : '',
    spec.hostIPC ? 'hostIPC=true' : ''
  ].filter(Boolean)
  return set.length > 0 ? { reason: 'host namespaces', detail: set.join(', ') } : undefined
}

const hostPathVolumes: Check = (spec) => {
  const bad = (spec.volumes ?? []).filter((v) => v['hostPath'] !== undefined).map((v) => v.name)
  if (bad.length === 0) return undefined
  return { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad)}` }
}

const hostPorts: Check = (_spec, containers) => {
  const bad: string[] = []
  const ports: string[] = []
  for (const c of containers) {
    const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort))
    if (used.length > 0) {
      bad.push(c.name)
      ports.push(...used)
    }
  }
  if (bad.length === 0) return undefined
  const unique = sorted(ports)
  return {
    reason: 'hostPort',
    detail: `${containersWord(bad)} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', unique.length)} ${unique.join(', ')}`
  }
}

const privileged: Check = (_spec, containers) => {
  const bad = containers.filter((c) => c.securityContext?.privileged === true).map((c) => c.name)
  if (bad.length === 0) return undefined
  return {
    reason: 'privileged',
    detail: `${containersWord(bad)} must not set securityContext.privileged=true`
  }
}

function seccompSetters(spec: PodSpec, containers: Container[], ok: (type: string | undefined) => boolean) {
  const setters: string[] = []
  const values: string[] = []
  const podType = spec.securityContext?.seccompProfile?.type
  if (spec.securityContext?.seccompProfile && !ok(podType)) {
    setters.push('pod')
    values.push(podType ?? '')
  }
  const bad = containers.filter(
    (c) => c.securityContext?.seccompProfile && !ok(c.securityContext.seccompProfile.type)
  )
  if (bad.length > 0) {
    setters.push(containersWord(bad.map((c) => c.name)))
    values.push(...bad.map((c) => c.securityContext!.seccompProfile!.type ?? ''))
  }
  return { setters, values: sorted(values) }
}

const seccompBaseline: Check = (spec, containers) => {
  const { setters, values } = seccompSetters(spec, containers, (type) => type !== 'Unconfined')
  if (setters.length === 0) return undefined
  return {
    reason: 'seccompProfile',
    detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(values)}`
  }
}

const allowPrivilegeEscalation: Check = (_spec, containers) => {
  const bad = containers
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name)
  if (bad.length === 0) return undefined
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersWord(bad)} must set securityContext.allowPrivilegeEscalation=false`
  }
}

const capabilitiesRestricted: Check = (_spec, containers) => {
  const missingDrop: string[] = []
  const adding: string[] = []
  const forbidden: string[] = []
  for (const c of containers) {
    const capabilities = c.securityContext?.capabilities
    if (!capabilities) {
      missingDrop.push(c.name)
      continue
    }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDrop.push(c.name)
    const extra = (capabilities.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE')
    if (extra.length > 0) {
      adding.push(c.name)
      forbidden.push(...extra)
    }
  }
  const details: string[] = []
  if (missingDrop.length > 0) {
    details.push(`${containersWord(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`)
  }
  if (adding.length > 0) {
    details.push(
      `${containersWord(adding)} must not include ${quote(sorted(forbidden))} in securityContext.capabilities.add`
    )
  }
  return details.length > 0 ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined
}

const restrictedVolumes: Check = (spec) => {
  const bad: string[] = []
  const types: string[] = []
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name')
    if (type && !restrictedVolumeTypes.has(type)) {
      bad.push(volume.name)
      types.push(type)
    }
  }
  if (bad.length === 0) return undefined
  const unique = sorted(types)
  return {
    reason: 'restricted volume types',
    detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad)} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', unique.length)} ${quote(unique)}`
  }
}

const runAsNonRoot: Check = (spec, containers) => {
  const setters: string[] = []
  if (spec.securityContext?.runAsNonRoot === false) setters.push('pod')
  const explicit = containers.filter((c) => c.securityContext?.runAsNonRoot === false).map((c) => c.name)
  if (explicit.length > 0) setters.push(containersWord(explicit))
  if (setters.length > 0) {
    return {
      reason: 'runAsNonRoot != true',
      detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`
    }
  }
  const podSet = spec.securityContext?.runAsNonRoot === true
  const implicit = containers
    .filter((c) => c.securityContext?.runAsNonRoot === undefined && !podSet)
    .map((c) => c.name)
  if (implicit.length === 0) return undefined
  return {
    reason: 'runAsNonRoot != true',
    detail: `pod or ${containersWord(implicit)} must set securityContext.runAsNonRoot=true`
  }
}

const runAsUser: Check = (spec, containers) => {
  const setters: string[] = []
  if (spec.securityContext?.runAsUser === 0) setters.push('pod')
  const bad = containers.filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name)
  if (bad.length > 0) setters.push(containersWord(bad))
  return setters.length > 0
    ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` }
    : undefined
}

const seccompRestricted: Check = (spec, containers) => {
  const valid = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost'
  const { setters, values } = seccompSetters(spec, containers, valid)
  if (setters.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(values)}`
    }
  }
  const podSet = valid(spec.securityContext?.seccompProfile?.type)
  const implicit = containers.filter((c) => !c.securityContext?.seccompProfile && !podSet).map((c) => c.name)
  if (implicit.length === 0) return undefined
  return {
    reason: 'seccompProfile',
    detail: `pod or ${containersWord(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`
  }
}

/** Baseline checks by ID; in the restricted level, each restricted override replaces its baseline check. */
const baseline: Array<[string, Check]> = [
  ['capabilities_baseline', capabilitiesBaseline],
  ['hostNamespaces', hostNamespaces],
  ['hostPathVolumes', hostPathVolumes],
  ['hostPorts', hostPorts],
  ['privileged', privileged],
  ['seccompProfile_baseline', seccompBaseline]
]
const restricted: Array<[string, Check, string?]> = [
  ['allowPrivilegeEscalation', allowPrivilegeEscalation],
  ['capabilities_restricted', capabilitiesRestricted, 'capabilities_baseline'],
  ['restrictedVolumes', restrictedVolumes, 'hostPathVolumes'],
  ['runAsNonRoot', runAsNonRoot],
  ['runAsUser', runAsUser],
  ['seccompProfile_restricted', seccompRestricted, 'seccompProfile_baseline']
]

/** The violations of a pod spec at a level, formatted as the plugin does (empty when allowed). */
export function podSecurityViolations(level: string, spec: PodSpec): string {
  if (level !== 'baseline' && level !== 'restricted') return ''
  const containers = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? [])
  ]
  const overridden = new Set(level === 'restricted' ? restricted.map(([, , replaces]) => replaces) : [])
  const checks = [
    ...baseline.filter(([id]) => !overridden.has(id)).map(([, check]) => check),
    ...(level === 'restricted' ? restricted.map(([, check]) => check) : [])
  ]
  return checks
    .map((check) => check(spec, containers))
    .filter((result): result is CheckResult => result !== undefined)
    .map((result) => (result.detail ? `${result.reason} (${result.detail})` : result.reason))
    .join(', ')
}

export class PodSecurityAdmission implements AdmissionPlugin {
  constructor(private readonly store: ObjectStore) {}

  admitCreate({ type, object }: AdmissionRequest): void {
    if (type.storageKey !== 'core/pods') return
    const namespace: KubeObject | undefined = this.store.peek(
      'core/namespaces',
      undefined,
      object.metadata.namespace!
    )
    const labels = namespace?.metadata.labels ?? {}
    const level = labels[`${labelPrefix}enforce`] ?? 'privileged'
    const violations = podSecurityViolations(level, (object['spec'] ?? {}) as PodSpec)
    if (!violations) return
    const version = labels[`${labelPrefix}enforce-version`] ?? 'latest'
    throw admissionForbidden(
      type,
      object.metadata.name!,
      `violates PodSecurity "${level}:${version}": ${violations}`
    )
  }
}
