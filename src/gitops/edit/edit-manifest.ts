import { ConfigurationError } from '../../runtime/errors.js'
import type { ImageTarget, ManifestEdit } from './edit-result.js'
import { editHelmValues } from './helm-values-edit.js'
import { editKustomization } from './kustomization-edit.js'
import { manifestKind, type ManifestEditSpec } from '../../config/manifest-edit-spec.js'

export type { FieldChange, ImageTarget, ManifestEdit } from './edit-result.js'

/**
 * Points the manifest `text` (the file at `path`) at `image`, as `spec` says. Pure: the caller
 * reads and writes the file. The result differs from `text` only in the bytes of the changed
 * values (plus whole lines, or flow items, for keys added or removed); `changed: false`
 * returns `text` itself. Every edit is re-read and compared with the intended data first.
 *
 * The rules, for the docs:
 * - A value keeps its quote style. A plain value that a YAML 1.1 or 1.2 reader would not read
 *   as the same string (`1234567`, `553640e6`, `1.10`, `y`, `012`, `1_000`, `2024-01-01`) is
 *   quoted in the file's first used quote style (double quotes when it has none). New keys
 *   follow the same key of a sibling images[] entry, then that rule.
 * - Kustomization: the document with `kind: Kustomization` or `Component` and apiVersion
 *   `kustomize.config.k8s.io/...` (or none); a document without kind counts when it has a
 *   kustomization-only field (resources, images, components, patches, ...). Exactly one such
 *   document per file. A Flux `kustomize.toolkit.fluxcd.io` Kustomization is refused.
 * - The entry's `name` must equal image-name exactly. `newName` is not added when the entry
 *   lacks it and the repository is the name itself. A digest replaces `newTag` (renamed in
 *   place when only the tag was there); a tag replaces `digest`; neither means `latest`.
 * - Aliases: a value that is an alias, or anchored and used by an alias, is refused (the
 *   edit would change the other users); an anchor nobody uses is kept on the new value.
 * - Helm values: see editHelmValues; a values file has one document.
 *
 * Throws OperationalError for a file it will not edit (titles: 'Invalid manifest file',
 * 'Manifest edit refused', 'Image not found in manifest', 'Value not found in manifest') and
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

export {
  manifestEditSpec,
  manifestKind,
  type ManifestEditSpec,
  type ManifestKind
} from '../../config/manifest-edit-spec.js'
export { unifiedDiff } from './unified-diff.js'
