import { isMap, type YAMLMap } from 'yaml'
import { OperationalError } from '../../runtime/errors.js'
import { lineNumber } from './text-edits.js'
import {
  findPair,
  INVALID_MANIFEST,
  isEmptyDocument,
  scalarString,
  type ParsedDocument
} from './yaml-source.js'

const API_GROUP = 'kustomize.config.k8s.io/'

/**
 * Top-level fields only a kustomization has: a file without `kind` counts as one when it has at
 * least one of them (kustomize itself reads `kustomization.yaml` without kind or apiVersion).
 * `namespace` and `metadata` are left out: plain Kubernetes objects have them too.
 */
export const KUSTOMIZATION_FIELDS = [
  'resources',
  'bases',
  'components',
  'images',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'replicas',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'generators',
  'transformers',
  'validators',
  'helmCharts',
  'helmGlobals',
  'replacements',
  'vars',
  'crds',
  'configurations',
  'openapi',
  'buildMetadata',
  'sortOptions'
] as const

/** Why a document is not a kustomization, or undefined when it is one. */
export function notKustomizationReason(doc: ParsedDocument): string | undefined {
  if (isEmptyDocument(doc)) return 'it is empty'
  const root = doc.contents
  if (!isMap(root)) return 'it is not a mapping'
  const kind = scalarString(findPair(root, 'kind')?.value)
  const apiVersion = scalarString(findPair(root, 'apiVersion')?.value)
  const kustomizeApi = apiVersion === undefined || apiVersion.startsWith(API_GROUP)
  if (kind === 'Kustomization' || kind === 'Component') {
    if (kustomizeApi) return undefined
    return apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')
      ? `it is a Flux Kustomization (apiVersion ${apiVersion}), which points at a directory; edit the kustomization.yaml in that directory instead`
      : `it has kind: ${kind} with apiVersion ${apiVersion}, expected ${API_GROUP}v1beta1`
  }
  if (kind !== undefined) return `it has kind: ${kind}${apiVersion ? ` (apiVersion ${apiVersion})` : ''}`
  if (!kustomizeApi) return `it has apiVersion ${apiVersion} and no kind`
  const known = root.items.some((pair) =>
    (KUSTOMIZATION_FIELDS as readonly string[]).includes(scalarString(pair.key) ?? '')
  )
  return known
    ? undefined
    : `it has no kind and none of the kustomization fields (resources, images, components, ...)`
}

/** The one Kustomization (or Component) document of the file; refuses none or several. */
export function kustomizationDocument(
  text: string,
  path: string,
  docs: readonly ParsedDocument[]
): { index: number; root: YAMLMap } {
  const reasons = docs.map(notKustomizationReason)
  const found = reasons.flatMap((reason, index) => (reason === undefined ? [index] : []))
  if (found.length === 1) return { index: found[0]!, root: docs[found[0]!]!.contents as YAMLMap }
  if (found.length > 1)
    throw new OperationalError(
      `${path} holds ${found.length} Kustomization documents (lines ${found.map((i) => lineNumber(text, docs[i]!.range[0])).join(', ')}); ` +
        'kustomize reads one per file, so the edit would be ambiguous',
      { title: INVALID_MANIFEST }
    )
  const content = reasons.flatMap((reason, index) =>
    reason === 'it is empty' ? [] : [`document ${index + 1} ${reason!.replace(/^it /, '')}`]
  )
  const why =
    docs.length === 0 || content.length === 0
      ? 'it is empty'
      : content.length === 1
        ? reasons.find((reason) => reason !== 'it is empty')!
        : `none of its ${content.length} documents is one (${content.join('; ')})`
  throw new OperationalError(
    `${path} is not a Kustomization: ${why}. Expected kind: Kustomization and apiVersion ${API_GROUP}v1beta1 (or a kustomization without kind).`,
    { title: INVALID_MANIFEST }
  )
}
