import { ConfigurationError } from '../../runtime/errors.js'
import type { ImageTarget, ManifestEdit } from './edit-result.js'
import { editHelmValues } from './helm-values-edit.js'
import { editKustomization } from './kustomization-edit.js'
import { manifestKind, type ManifestEditSpec } from './manifest-edit-spec.js'

export type { FieldChange, ImageTarget, ManifestEdit } from './edit-result.js'

/**
 * Points the manifest `text` (the file at `path`) at `image`, as `spec` says. Pure: the caller
 * reads and writes the file. The result differs from `text` only in the bytes of the changed
 * values (plus whole lines for keys added or removed); `changed: false` returns `text` itself.
 * Throws OperationalError for a file it will not edit (invalid YAML, not a Kustomization, a
 * value shared through an anchor, a missing entry without create-missing) and
 * ConfigurationError when the spec cannot express the image.
 */
export function editManifest(
  text: string,
  spec: ManifestEditSpec,
  image: ImageTarget,
  path: string = spec.path
): ManifestEdit {
  const createMissing = spec['create-missing'] ?? false
  if (manifestKind(spec) === 'helm-values') {
    if (!spec.paths)
      throw new ConfigurationError([
        { path: `manifest ${path}: paths`, expected: 'the value paths of the image' }
      ])
    return editHelmValues(text, path, spec.paths, image, createMissing)
  }
  if (spec['image-name'] === undefined)
    throw new ConfigurationError([
      { path: `manifest ${path}: image-name`, expected: 'the images[].name to update' }
    ])
  return editKustomization(text, path, spec['image-name'], image, createMissing)
}
