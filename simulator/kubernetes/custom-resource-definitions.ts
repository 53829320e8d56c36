/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): their defaults and validation, the
 * status the apiextensions controllers write (NamesAccepted, Established, acceptedNames,
 * storedVersions), and the resource types a CRD serves. Checked against kube-apiserver v1.36.
 */
import { invalidValue, notSupported, required, type FieldError } from './api-errors.js'
import type { ResourceType, Verb } from './api-resources.js'
import { clone, isJsonObject } from './json-values.js'
import type { KubeObject } from './kube-types.js'
import type { StructuralSchema } from './structural-schema.js'
import { formatTime } from './time-format.js'

export interface CrdNames {
  kind: string
  plural: string
  singular?: string
  listKind?: string
  shortNames?: string[]
  categories?: string[]
}

export interface CrdVersion {
  name: string
  served: boolean
  storage: boolean
  schema?: { openAPIV3Schema?: StructuralSchema }
  subresources?: { status?: object; scale?: object }
}

export interface CrdSpec {
  group: string
  names: CrdNames
  scope: 'Namespaced' | 'Cluster'
  versions: CrdVersion[]
  conversion?: { strategy: string }
}

export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io'

/** Custom resources list their verbs in this order in discovery (unlike built-in types). */
const customVerbs: Verb[] = [
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'create',
  'update',
  'watch'
]

function specOf(crd: KubeObject): CrdSpec {
  return crd['spec'] as unknown as CrdSpec
}

/** SetDefaults_CustomResourceDefinitionSpec: singular, listKind, conversion strategy None. */
export function defaultCrd(crd: KubeObject): void {
  const spec = crd['spec']
  if (!isJsonObject(spec)) return
  const names = spec['names']
  if (isJsonObject(names) && typeof names['kind'] === 'string') {
    if (!names['singular']) names['singular'] = names['kind'].toLowerCase()
    if (!names['listKind']) names['listKind'] = `${names['kind']}List`
  }
  if (!isJsonObject(spec['conversion'])) spec['conversion'] = { strategy: 'None' }
}

const protectedGroup = /(^|\.)(k8s\.io|kubernetes\.io)$/
const approvalAnnotation = 'api-approved.kubernetes.io'

/** The subset of ValidateCustomResourceDefinition a test can trip over. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const errors: FieldError[] = []
  const spec = specOf(crd)
  if (!isJsonObject(spec)) return [required('spec')]
  const group = spec.group ?? ''
  const plural = spec.names?.plural ?? ''
  if (crd.metadata.name !== `${plural}.${group}`) {
    errors.push(
      invalidValue('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group')
    )
  }
  if (protectedGroup.test(group) && !crd.metadata.annotations?.[approvalAnnotation]) {
    errors.push({
      field: `metadata.annotations[${approvalAnnotation}]`,
      type: 'FieldValueRequired',
      detail: `Required value: protected groups must have approval annotation "${approvalAnnotation}", see https://github.com/kubernetes/enhancements/pull/1111`
    })
  }
  if (!spec.names?.kind) errors.push(required('spec.names.kind'))
  if (!plural) errors.push(required('spec.names.plural'))
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push(notSupported('spec.scope', String(spec.scope ?? ''), ['Cluster', 'Namespaced']))
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : []
  if (versions.length === 0) errors.push(required('spec.versions'))
  versions.forEach((version, index) => {
    if (!version.schema?.openAPIV3Schema)
      errors.push(required(`spec.versions[${index}].schema.openAPIV3Schema`))
  })
  if (versions.length > 0 && versions.filter((v) => v.storage).length !== 1) {
    errors.push({
      field: 'spec.versions',
      type: 'FieldValueInvalid',
      detail: `Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version`
    })
  }
  return errors
}

function storageVersion(spec: CrdSpec): string {
  return spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]!.name
}

/** The status right after create, before the controllers have looked at the CRD. */
export function initialCrdStatus(crd: KubeObject): Record<string, unknown> {
  return {
    conditions: null,
    acceptedNames: { plural: '', kind: '' },
    storedVersions: [storageVersion(specOf(crd))]
  }
}

/** The status once the naming and establishing controllers have accepted the names. */
export function establishedCrdStatus(crd: KubeObject, now: number): Record<string, unknown> {
  const spec = specOf(crd)
  const previous = (crd['status'] ?? {}) as {
    conditions?: Array<{ type: string; lastTransitionTime: string }> | null
    storedVersions?: string[]
  }
  const since = (type: string) =>
    previous.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? formatTime(now)
  const stored = [...new Set([...(previous.storedVersions ?? []), storageVersion(spec)])]
  return {
    acceptedNames: clone(spec.names),
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: since('NamesAccepted')
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: since('Established')
      }
    ],
    storedVersions: stored
  }
}

/** One resource type per served version, sharing one storage. */
export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = specOf(crd)
  const names = spec.names
  return spec.versions
    .filter((version) => version.served)
    .map((version) => ({
      group: spec.group,
      version: version.name,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      namespaced: spec.scope === 'Namespaced',
      verbs: customVerbs,
      subresources: version.subresources?.status ? ['status' as const] : [],
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
      ...(names.categories?.length ? { categories: names.categories } : {}),
      tracksGeneration: true,
      storageKey: `${spec.group}/${names.plural}`,
      custom: {
        crdName: crd.metadata.name!,
        storageVersion: storageVersion(spec),
        listKind: names.listKind ?? `${names.kind}List`,
        ...(version.schema?.openAPIV3Schema ? { schema: version.schema.openAPIV3Schema } : {})
      }
    }))
}
