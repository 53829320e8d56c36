/**
 * Field defaulting, as the apiserver applies it to every object it decodes on create and
 * update (pkg/apis/* /v1/defaults.go). Only fields the apiserver fills in for the served kinds
 * are set; defaults never overwrite a value the client gave.
 */
import type { ResourceType } from './api-resources.js'
import { defaultCrd } from './custom-resource-definitions.js'
import type { Container, KubeObject, PodSpec } from './kube-types.js'

type Fields = Record<string, unknown>

function setDefault(target: Fields, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value
}

function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined
}

/** `IfNotPresent` unless the image has no tag or the tag is `latest` (and no digest). */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent'
  if (image.includes('@')) return 'IfNotPresent'
  const lastSlash = image.lastIndexOf('/')
  const tagSeparator = image.lastIndexOf(':')
  const tag = tagSeparator > lastSlash ? image.slice(tagSeparator + 1) : ''
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultProbe(probe: unknown): void {
  const fields = asFields(probe)
  if (!fields) return
  setDefault(fields, 'timeoutSeconds', 1)
  setDefault(fields, 'periodSeconds', 10)
  setDefault(fields, 'successThreshold', 1)
  setDefault(fields, 'failureThreshold', 3)
  const httpGet = asFields(fields['httpGet'])
  if (httpGet) setDefault(httpGet, 'scheme', 'HTTP')
}

function defaultContainer(container: Container): void {
  const fields = container as Fields
  setDefault(fields, 'terminationMessagePath', '/dev/termination-log')
  setDefault(fields, 'terminationMessagePolicy', 'File')
  setDefault(fields, 'imagePullPolicy', defaultPullPolicy(container.image))
  setDefault(fields, 'resources', {})
  for (const port of container.ports ?? []) setDefault(port, 'protocol', 'TCP')
  defaultProbe(fields['readinessProbe'])
  defaultProbe(fields['livenessProbe'])
  defaultProbe(fields['startupProbe'])
}

export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return
  const fields = spec as Fields
  setDefault(fields, 'restartPolicy', 'Always')
  setDefault(fields, 'terminationGracePeriodSeconds', 30)
  setDefault(fields, 'dnsPolicy', 'ClusterFirst')
  setDefault(fields, 'securityContext', {})
  setDefault(fields, 'schedulerName', 'default-scheduler')
  for (const container of Array.isArray(spec.containers) ? spec.containers : []) {
    if (asFields(container)) defaultContainer(container)
  }
  for (const container of Array.isArray(spec.initContainers) ? spec.initContainers : []) {
    if (asFields(container)) defaultContainer(container)
  }
}

/** SetDefaults_Pod (pods only, not templates): a limit without a request is also the request. */
function defaultRequestsFromLimits(spec: PodSpec): void {
  for (const list of [spec.containers, spec.initContainers]) {
    for (const container of Array.isArray(list) ? list : []) {
      const resources = asFields((container as Fields)['resources'])
      const limits = asFields(resources?.['limits'])
      if (!resources || !limits || Object.keys(limits).length === 0) continue
      const requests = (asFields(resources['requests']) ?? {}) as Fields
      for (const [name, value] of Object.entries(limits)) setDefault(requests, name, value)
      resources['requests'] = requests
    }
  }
}

function templateSpec(object: KubeObject): PodSpec | undefined {
  const template = asFields(asFields(object['spec'])?.['template'])
  return asFields(template?.['spec']) as PodSpec | undefined
}

export function applyDefaults(type: ResourceType, object: KubeObject): void {
  const spec = asFields(object['spec'])
  switch (type.storageKey) {
    case 'apps/deployments': {
      if (!spec) return
      setDefault(spec, 'replicas', 1)
      setDefault(spec, 'strategy', {})
      const strategy = asFields(spec['strategy'])!
      setDefault(strategy, 'type', 'RollingUpdate')
      if (strategy['type'] === 'RollingUpdate') {
        setDefault(strategy, 'rollingUpdate', {})
        const rolling = asFields(strategy['rollingUpdate'])!
        setDefault(rolling, 'maxUnavailable', '25%')
        setDefault(rolling, 'maxSurge', '25%')
      }
      setDefault(spec, 'revisionHistoryLimit', 10)
      setDefault(spec, 'progressDeadlineSeconds', 600)
      defaultPodSpec(templateSpec(object))
      return
    }
    case 'apps/replicasets':
      if (!spec) return
      setDefault(spec, 'replicas', 1)
      defaultPodSpec(templateSpec(object))
      return
    case 'apps/statefulsets': {
      if (!spec) return
      setDefault(spec, 'replicas', 1)
      setDefault(spec, 'podManagementPolicy', 'OrderedReady')
      setDefault(spec, 'updateStrategy', {})
      const strategy = asFields(spec['updateStrategy'])!
      setDefault(strategy, 'type', 'RollingUpdate')
      if (strategy['type'] === 'RollingUpdate') {
        setDefault(strategy, 'rollingUpdate', {})
        setDefault(asFields(strategy['rollingUpdate'])!, 'partition', 0)
      }
      setDefault(spec, 'revisionHistoryLimit', 10)
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', {
        whenDeleted: 'Retain',
        whenScaled: 'Retain'
      })
      defaultPodSpec(templateSpec(object))
      return
    }
    case 'apps/daemonsets': {
      if (!spec) return
      setDefault(spec, 'updateStrategy', {})
      const strategy = asFields(spec['updateStrategy'])!
      setDefault(strategy, 'type', 'RollingUpdate')
      if (strategy['type'] === 'RollingUpdate') {
        setDefault(strategy, 'rollingUpdate', {})
        const rolling = asFields(strategy['rollingUpdate'])!
        setDefault(rolling, 'maxUnavailable', 1)
        setDefault(rolling, 'maxSurge', 0)
      }
      setDefault(spec, 'revisionHistoryLimit', 10)
      defaultPodSpec(templateSpec(object))
      return
    }
    case 'core/pods': {
      if (!spec) return
      defaultPodSpec(spec as PodSpec)
      defaultRequestsFromLimits(spec as PodSpec)
      setDefault(spec, 'serviceAccountName', 'default')
      setDefault(spec, 'serviceAccount', spec['serviceAccountName'])
      setDefault(spec, 'enableServiceLinks', true)
      setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority')
      setDefault(spec, 'priority', 0)
      return
    }
    case 'core/namespaces': {
      setDefault(object, 'spec', {})
      setDefault(asFields(object['spec'])!, 'finalizers', ['kubernetes'])
      setDefault(object, 'status', {})
      setDefault(asFields(object['status'])!, 'phase', 'Active')
      const labels = (object.metadata.labels ??= {})
      if (object.metadata.name) labels['kubernetes.io/metadata.name'] = object.metadata.name
      return
    }
    case 'core/secrets':
      // stringData was folded into data when the request was decoded (wire-format.ts).
      setDefault(object, 'type', 'Opaque')
      return
    case 'networking.k8s.io/ingresses':
      setDefault(object, 'status', {})
      setDefault(asFields(object['status'])!, 'loadBalancer', {})
      return
    case 'apiextensions.k8s.io/customresourcedefinitions':
      defaultCrd(object)
      return
  }
}
