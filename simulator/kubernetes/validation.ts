/**
 * A deliberately small part of the apiserver's validation (pkg/apis/* /validation): the
 * checks a promotion tool can trip over (empty or padded image, duplicate or missing
 * container names, negative replicas, selector/template mismatch, immutable selector,
 * invalid names, lease durations, Secret/ConfigMap keys and immutability, Ingress paths,
 * quota names and values, Pod Security labels, CRDs, custom objects against their schema).
 * Field paths and messages follow the real ones so the 422 Invalid responses look the same.
 */
import {
  forbiddenField,
  invalid,
  invalidValue,
  notSupported,
  required,
  duplicate,
  type FieldError
} from './api-errors.js'
import type { ResourceType } from './api-resources.js'
import { validateCrd } from './custom-resource-definitions.js'
import { deepEqual, isJsonObject, type Json } from './json-values.js'
import { parseQuantity, QuantityError } from './quantity.js'
import { podSecurityLabelErrors } from './pod-security.js'
import { validateSchema } from './structural-schema.js'
import type { Container, KubeObject, LabelSelector, PodSpec } from './kube-types.js'
import { fromLabelSelector, matches } from './label-selector.js'

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const dnsSubdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

function validateName(type: ResourceType, name: string | undefined, errors: FieldError[]): void {
  if (!name) return
  if (type.storageKey === 'core/namespaces') {
    if (!dnsLabel.test(name) || name.length > 63) {
      errors.push(
        invalidValue(
          'metadata.name',
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        )
      )
    }
    return
  }
  if (!dnsSubdomain.test(name) || name.length > 253) {
    errors.push(invalidValue('metadata.name', name, dnsSubdomainMessage))
  }
}

function validateContainers(
  containers: unknown,
  path: string,
  errors: FieldError[],
  requireOne: boolean
): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    if (requireOne) errors.push(required(path))
    return
  }
  const seen = new Set<string>()
  containers.forEach((raw, index) => {
    const container = raw as Container
    const at = `${path}[${index}]`
    if (!container.name) errors.push(required(`${at}.name`))
    else if (seen.has(container.name)) errors.push(duplicate(`${at}.name`, container.name))
    else seen.add(container.name)
    if (container.image === undefined || container.image === null || container.image === '') {
      errors.push(required(`${at}.image`))
    } else if (container.image.trim() !== container.image) {
      errors.push(
        invalidValue(`${at}.image`, container.image, 'must not have leading or trailing whitespace')
      )
    }
  })
}

function validatePodSpec(spec: PodSpec | undefined, path: string, errors: FieldError[]): void {
  if (!spec) {
    errors.push(required(`${path}.containers`))
    return
  }
  validateContainers(spec.containers, `${path}.containers`, errors, true)
  validateContainers(spec.initContainers, `${path}.initContainers`, errors, false)
}

function validateNonNegative(value: unknown, field: string, errors: FieldError[]): void {
  if (typeof value === 'number' && value < 0) {
    errors.push(invalidValue(field, value, 'must be greater than or equal to 0'))
  }
}

function formatLabels(labels: Record<string, string> | undefined): string {
  const body = Object.entries(labels ?? {})
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join(', ')
  return `map[string]string{${body}}`
}

/** The Go %#v rendering the apiserver prints for a LabelSelector in field errors. */
function goSelector(selector: LabelSelector): string {
  const labels = selector.matchLabels ? formatLabels(selector.matchLabels) : 'map[string]string(nil)'
  const expressions = (selector.matchExpressions ?? [])
    .map(
      (e) =>
        `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v) => JSON.stringify(v)).join(', ')}}}`
    )
    .join(', ')
  const list = selector.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${expressions}}`
    : '[]v1.LabelSelectorRequirement(nil)'
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${list}}`
}

function validateIntOrPercent(value: unknown, field: string, errors: FieldError[]): void {
  if (value === undefined) return
  if (typeof value === 'number') {
    validateNonNegative(value, field, errors)
  } else if (typeof value !== 'string' || !/^\d+%$/.test(value)) {
    errors.push(
      invalidValue(field, value, "a valid percent string must be a numeric string followed by an ending '%'")
    )
  } else if (Number(value.slice(0, -1)) > 100) {
    errors.push(invalidValue(field, value, 'must not be greater than 100%'))
  }
}

function validateWorkload(object: KubeObject, old: KubeObject | undefined, errors: FieldError[]): void {
  const spec = object['spec'] as Record<string, unknown> | undefined
  if (!spec) {
    errors.push(required('spec'))
    return
  }
  validateNonNegative(spec['replicas'], 'spec.replicas', errors)
  validateNonNegative(spec['minReadySeconds'], 'spec.minReadySeconds', errors)
  validateNonNegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit', errors)
  const selector = spec['selector'] as LabelSelector | undefined
  const template = spec['template'] as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec }
  if (!selector) {
    errors.push(required('spec.selector'))
  } else {
    const compiled = fromLabelSelector(selector)
    if (compiled !== null && compiled.length === 0) {
      errors.push({
        field: 'spec.selector',
        type: 'FieldValueInvalid',
        detail: `Invalid value: ${goSelector(selector)}: empty selector is invalid for deployment`
      })
    } else if (!matches(compiled, template?.metadata?.labels)) {
      errors.push(
        invalidValue(
          'spec.template.metadata.labels',
          formatLabels(template?.metadata?.labels),
          '`selector` does not match template `labels`'
        )
      )
    }
    const oldSelector = (old?.['spec'] as Record<string, unknown> | undefined)?.['selector']
    if (old && !deepEqual(oldSelector, selector)) {
      errors.push({
        field: 'spec.selector',
        type: 'FieldValueInvalid',
        detail: `Invalid value: ${goSelector(selector)}: field is immutable`
      })
    }
  }
  validatePodSpec(template?.spec, 'spec.template.spec', errors)
}

function validateDeployment(object: KubeObject, errors: FieldError[]): void {
  const spec = (object['spec'] ?? {}) as Record<string, unknown>
  const deadline = spec['progressDeadlineSeconds']
  const minReady = (spec['minReadySeconds'] as number | undefined) ?? 0
  if (typeof deadline === 'number' && deadline <= minReady) {
    errors.push(
      invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds')
    )
  }
  const strategy = spec['strategy'] as { type?: string; rollingUpdate?: Record<string, unknown> } | undefined
  if (strategy?.type === 'Recreate' && strategy.rollingUpdate) {
    errors.push({
      field: 'spec.strategy.rollingUpdate',
      type: 'FieldValueForbidden',
      detail: "Forbidden: may not be specified when strategy `type` is 'Recreate'"
    })
  }
  const rolling = strategy?.rollingUpdate
  if (rolling) {
    validateIntOrPercent(rolling['maxSurge'], 'spec.strategy.rollingUpdate.maxSurge', errors)
    validateIntOrPercent(rolling['maxUnavailable'], 'spec.strategy.rollingUpdate.maxUnavailable', errors)
    const zero = (v: unknown): boolean => v === 0 || v === '0%'
    if (zero(rolling['maxSurge']) && zero(rolling['maxUnavailable'])) {
      errors.push(
        invalidValue(
          'spec.strategy.rollingUpdate.maxUnavailable',
          rolling['maxUnavailable'],
          'may not be 0 when `maxSurge` is 0'
        )
      )
    }
  }
}

function validateLease(object: KubeObject, errors: FieldError[]): void {
  const spec = (object['spec'] ?? {}) as Record<string, unknown>
  const duration = spec['leaseDurationSeconds']
  if (typeof duration === 'number' && duration <= 0) {
    errors.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'))
  }
  validateNonNegative(spec['leaseTransitions'], 'spec.leaseTransitions', errors)
}

const configKey = /^[-._a-zA-Z0-9]+$/
const configKeyMessage =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
const immutableWhenSet = 'field is immutable when `immutable` is set'

function validateConfigKeys(data: unknown, field: string, errors: FieldError[]): void {
  for (const key of Object.keys(isJsonObject(data) ? data : {})) {
    if (!configKey.test(key) || key.length > 253)
      errors.push(invalidValue(`${field}[${key}]`, key, configKeyMessage))
  }
}

const requiredSecretKeys: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey']
}

function validateSecret(object: KubeObject, old: KubeObject | undefined, errors: FieldError[]): void {
  const data = (object['data'] ?? {}) as Record<string, unknown>
  validateConfigKeys(data, 'data', errors)
  const type = object['type'] as string | undefined
  for (const key of requiredSecretKeys[type ?? ''] ?? []) {
    if (data[key] === undefined) errors.push(required(`data[${key}]`))
  }
  if (!old) return
  if (old['type'] !== object['type']) errors.push(invalidValue('type', type ?? '', 'field is immutable'))
  validateImmutableData(object, old, ['data'], errors)
}

function validateImmutableData(
  object: KubeObject,
  old: KubeObject,
  fields: string[],
  errors: FieldError[]
): void {
  if (old['immutable'] !== true) return
  if (object['immutable'] !== true) errors.push(forbiddenField('immutable', immutableWhenSet))
  for (const field of fields) {
    if (!deepEqual(object[field], old[field])) errors.push(forbiddenField(field, immutableWhenSet))
  }
}

function validateConfigMap(object: KubeObject, old: KubeObject | undefined, errors: FieldError[]): void {
  validateConfigKeys(object['data'], 'data', errors)
  validateConfigKeys(object['binaryData'], 'binaryData', errors)
  const binary = (object['binaryData'] ?? {}) as Record<string, unknown>
  for (const key of Object.keys((object['data'] ?? {}) as object)) {
    if (binary[key] !== undefined)
      errors.push(invalidValue(`data[${key}]`, key, 'duplicate of key present in binaryData'))
  }
  if (old) validateImmutableData(object, old, ['data', 'binaryData'], errors)
}

interface IngressBackend {
  service?: { name?: string; port?: { name?: string; number?: number } }
  resource?: object
}

function validateIngressBackend(
  backend: IngressBackend | undefined,
  field: string,
  errors: FieldError[]
): void {
  const port = backend?.service?.port
  if (backend?.service && !port?.name && port?.number === undefined) {
    errors.push({
      field,
      type: 'FieldValueRequired',
      detail: 'Required value: port name or number is required'
    })
  }
}

function validateIngress(object: KubeObject, errors: FieldError[]): void {
  const spec = (object['spec'] ?? {}) as {
    defaultBackend?: IngressBackend
    rules?: Array<{
      host?: string
      http?: { paths?: Array<{ path?: string; pathType?: string; backend?: IngressBackend }> }
    }>
  }
  if (!spec.defaultBackend && !(spec.rules?.length ?? 0)) {
    errors.push({
      field: 'spec',
      type: 'FieldValueInvalid',
      detail: 'Invalid value: null: either `defaultBackend` or `rules` must be specified'
    })
  }
  if (spec.defaultBackend) validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend', errors)
  spec.rules?.forEach((rule, i) => {
    const host = rule.host?.startsWith('*.') ? rule.host.slice(2) : rule.host
    if (host !== undefined && host !== '' && (!dnsSubdomain.test(host) || host.length > 253)) {
      errors.push(invalidValue(`spec.rules[${i}].host`, rule.host!, dnsSubdomainMessage))
    }
    rule.http?.paths?.forEach((path, j) => {
      const at = `spec.rules[${i}].http.paths[${j}]`
      if (!path.pathType) {
        errors.push({
          field: `${at}.pathType`,
          type: 'FieldValueRequired',
          detail: 'Required value: pathType must be specified'
        })
      } else if (!['Exact', 'ImplementationSpecific', 'Prefix'].includes(path.pathType)) {
        errors.push(
          notSupported(`${at}.pathType`, path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix'])
        )
      } else if (path.pathType !== 'ImplementationSpecific' && !(path.path ?? '').startsWith('/')) {
        errors.push(invalidValue(`${at}.path`, path.path ?? '', 'must be an absolute path'))
      }
      validateIngressBackend(path.backend, `${at}.backend`, errors)
    })
  })
}

const quotaIntegerResources = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers'
])
const quotaStandardResources = new Set([
  ...quotaIntegerResources,
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage'
])
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

function isStandardQuotaResource(name: string): boolean {
  return (
    quotaStandardResources.has(name) ||
    name.startsWith('count/') ||
    name.startsWith('hugepages-') ||
    name.startsWith('requests.hugepages-') ||
    name.endsWith('.storageclass.storage.k8s.io/requests.storage') ||
    name.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims') ||
    (name.startsWith('requests.') && name.includes('/'))
  )
}

function validateResourceQuota(object: KubeObject, errors: FieldError[]): void {
  const hard = ((object['spec'] as { hard?: Record<string, string> } | undefined)?.hard ?? {}) as Record<
    string,
    string
  >
  for (const [name, value] of Object.entries(hard)) {
    const field = `spec.hard[${name}]`
    const namePart = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name
    if (!qualifiedNamePart.test(namePart)) {
      errors.push(
        invalidValue(
          field,
          name,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )
      )
    }
    if (!isStandardQuotaResource(name))
      errors.push(invalidValue(field, name, 'must be a standard resource for quota'))
    let nanos: bigint
    try {
      nanos = parseQuantity(value).nanos
    } catch (error) {
      if (error instanceof QuantityError) continue
      throw error
    }
    if (nanos < 0n) errors.push(invalidValue(field, value, 'must be greater than or equal to 0'))
    else if (
      (quotaIntegerResources.has(name) || name.startsWith('count/')) &&
      nanos % 1_000_000_000n !== 0n
    ) {
      errors.push(invalidValue(field, value, 'must be an integer'))
    }
  }
}

/** A custom object: its name and its schema (the whole object, or only status for /status writes). */
export function validateCustomObject(type: ResourceType, object: KubeObject, statusOnly: boolean): void {
  const schema = type.custom?.schema
  if (statusOnly) {
    const statusSchema = schema?.properties?.['status']
    const status = object['status']
    const errors =
      statusSchema && status !== undefined
        ? validateSchema(status as Json, statusSchema, { field: 'status', body: '' })
        : []
    if (errors.length > 0) throw invalid(type, object.metadata.name ?? '', errors)
    return
  }
  const errors: FieldError[] = []
  if (object.kind !== type.kind) {
    errors.push(invalidValue('kind', String(object.kind), `must be ${type.kind}`))
    throw invalid(
      type,
      object.metadata.name ?? object.metadata.generateName ?? '',
      errors,
      String(object.kind)
    )
  }
  validate(
    type,
    object,
    undefined,
    schema ? validateSchema(object as unknown as Json, schema, { field: '', body: '' }) : []
  )
}

/**
 * Throws 422 Invalid when the object (after defaulting) is not acceptable. `old` is the
 * stored object on update, for immutability checks.
 */
export function validate(
  type: ResourceType,
  object: KubeObject,
  old?: KubeObject,
  extra: FieldError[] = []
): void {
  const errors: FieldError[] = []
  const name = object.metadata.name
  if (!name && !object.metadata.generateName) {
    errors.push({
      field: 'metadata.name',
      type: 'FieldValueRequired',
      detail: 'Required value: name or generateName is required'
    })
  }
  validateName(type, name, errors)
  switch (type.storageKey) {
    case 'apps/deployments':
      validateWorkload(object, old, errors)
      validateDeployment(object, errors)
      break
    case 'apps/replicasets':
    case 'apps/statefulsets':
    case 'apps/daemonsets':
      validateWorkload(object, old, errors)
      break
    case 'core/pods':
      validatePodSpec(object['spec'] as PodSpec | undefined, 'spec', errors)
      break
    case 'coordination.k8s.io/leases':
      validateLease(object, errors)
      break
    case 'core/secrets':
      validateSecret(object, old, errors)
      break
    case 'core/configmaps':
      validateConfigMap(object, old, errors)
      break
    case 'networking.k8s.io/ingresses':
      validateIngress(object, errors)
      break
    case 'core/resourcequotas':
      validateResourceQuota(object, errors)
      break
    case 'core/namespaces':
      errors.push(...podSecurityLabelErrors(object.metadata.labels))
      break
    case 'apiextensions.k8s.io/customresourcedefinitions':
      errors.push(...validateCrd(object))
      break
  }
  errors.push(...extra)
  if (errors.length > 0) throw invalid(type, name ?? object.metadata.generateName ?? '', errors)
}
