import { z } from 'zod'
import { VALUE_PATH, VALUE_PATH_FORM } from './value-path.js'

const valuePath = z.string().regex(VALUE_PATH, { error: VALUE_PATH_FORM })

export const helmValuePaths = z
  .strictObject({
    repository: valuePath.optional().describe('Path of the image repository value, e.g. image.repository.'),
    tag: valuePath
      .optional()
      .describe('Path of the image tag value, e.g. image.tag. A digest-only image leaves it as it is.'),
    digest: valuePath
      .optional()
      .describe(
        'Path of the image digest value, e.g. image.digest. A tag-only image empties an existing digest, so the tag takes effect.'
      ),
    reference: valuePath
      .optional()
      .describe('Path of one value holding the whole reference repository:tag@digest, e.g. app.image. Alone.')
  })
  .refine((p) => (p.reference !== undefined ? Object.keys(p).length === 1 : Object.keys(p).length > 0), {
    error: 'reference alone, or one or more of repository, tag, digest'
  })
export type HelmValuePaths = z.infer<typeof helmValuePaths>

export const manifestKinds = z.enum(['kustomization', 'helm-values'])
export type ManifestKind = z.infer<typeof manifestKinds>

/** One file of the manifests repository that a GitOps promotion edits. */
export const manifestEditSpec = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
        error: 'a path inside the manifests repository (relative, without ..)'
      })
      .describe(
        'The file to edit, relative to the manifests repository root, e.g. environments/production/kustomization.yaml.'
      ),
    kind: manifestKinds
      .optional()
      .describe(
        'kustomization: set the images[] entry of a kustomization.yaml. helm-values: set values at YAML paths. Default: helm-values when paths is given, else kustomization.'
      ),
    'image-name': z
      .string()
      .min(1)
      .optional()
      .describe(
        'kustomization: the images[].name to update, matched exactly (my-app never matches my-app-worker).'
      ),
    'create-missing': z
      .boolean()
      .default(false)
      .describe(
        'Add the images[] entry (or the images key), or the missing Helm values keys, instead of failing when they are absent.'
      ),
    paths: helmValuePaths.optional().describe('helm-values: where the image lives in the values file.')
  })
  .superRefine((spec, ctx) => {
    const kind = manifestKind(spec)
    if (kind === 'kustomization' && spec['image-name'] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['image-name'],
        message: 'the images[].name to update',
        input: undefined
      })
    if (kind === 'kustomization' && spec.paths !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['paths'],
        message: 'no paths for a kustomization (it sets images[] by image-name)',
        input: spec.paths
      })
    if (kind === 'helm-values' && spec.paths === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['paths'],
        message: 'the value paths of the image',
        input: undefined
      })
    if (kind === 'helm-values' && spec['image-name'] !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['image-name'],
        message: 'no image-name for helm-values (it uses paths)',
        input: spec['image-name']
      })
  })
export type ManifestEditSpec = z.infer<typeof manifestEditSpec>

/** The spec's kind, or its default: helm-values when paths is given, else kustomization. */
export function manifestKind(spec: Pick<ManifestEditSpec, 'kind' | 'paths'>): ManifestKind {
  return spec.kind ?? (spec.paths !== undefined ? 'helm-values' : 'kustomization')
}
