/**
 * A deliberately small part of the apiserver's validation (pkg/apis/* /validation): the
 * checks a promotion tool can trip over (empty or padded image, duplicate or missing
 * container names, negative replicas, selector/template mismatch, immutable selector,
 * invalid names, lease durations). Field paths and messages follow the real ones so the
 * 422 Invalid responses look the same.
 */
import { invalid, invalidValue, required, duplicate, type FieldError } from './api-errors.js'
import type { ResourceType } from './api-resources.js'
import { deepEqual } from './json-values.js'
import type { Container, KubeObject, LabelSelector, PodSpec } from './kube-types.js'
import { fromLabelSelector, matches } from './label-selector.js'

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

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
    errors.push(
      invalidValue(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
      )
    )
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

/**
 * Throws 422 Invalid when the object (after defaulting) is not acceptable. `old` is the
 * stored object on update, for immutability checks.
 */
export function validate(type: ResourceType, object: KubeObject, old?: KubeObject): void {
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
  }
  if (errors.length > 0) throw invalid(type, name ?? object.metadata.generateName ?? '', errors)
}
