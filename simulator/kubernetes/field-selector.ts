/**
 * `?fieldSelector=` as the apiserver implements it: only the fields each type declares
 * selectable (metadata.name and metadata.namespace everywhere, a few more per type), with
 * `=`, `==` and `!=`. Asking for another field is a 400, as on a real cluster.
 */
import { badRequest } from './api-errors.js'
import type { ResourceType } from './api-resources.js'
import type { KubeObject } from './kube-types.js'

export interface FieldRequirement {
  field: string
  equal: boolean
  value: string
}

const eventFields = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type'
]

const selectableFields: Record<string, string[]> = {
  'core/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName'
  ],
  'core/events': eventFields,
  'core/secrets': ['type'],
  'core/namespaces': ['status.phase'],
  'core/nodes': ['spec.unschedulable'],
  'apps/replicasets': ['status.replicas']
}

/** events.k8s.io/v1 names for the stored core Event fields (pkg/apis/events/v1 conversion). */
const eventsV1Aliases: Record<string, string> = {
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent'
}

export function parseFieldSelector(type: ResourceType, text: string | undefined): FieldRequirement[] {
  if (!text || !text.trim()) return []
  const allowed = ['metadata.name', 'metadata.namespace', ...(selectableFields[type.storageKey] ?? [])]
  return text.split(',').map((part) => {
    const match = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part)
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`)
    let field = match[1]!
    if (type.group === 'events.k8s.io') field = eventsV1Aliases[field] ?? field
    if (!allowed.includes(field)) {
      throw badRequest(`field label not supported: ${match[1]}`)
    }
    return { field, equal: match[2] !== '!=', value: match[3]! }
  })
}

export function matchesFields(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) === r.equal)
}

function fieldValue(object: KubeObject, field: string): string {
  if (field === 'source') {
    const source = (object as { source?: { component?: string } }).source
    return source?.component ?? ''
  }
  let current: unknown = object
  for (const segment of field.split('.')) {
    if (typeof current !== 'object' || current === null) return ''
    current = (current as Record<string, unknown>)[segment]
  }
  if (current === undefined || current === null) return ''
  return String(current)
}
