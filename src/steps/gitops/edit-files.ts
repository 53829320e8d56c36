import type { GitOpsConfig } from '../../config/schema.js'
import type { ManifestEditSpec } from '../../config/manifest-edit-spec.js'
import type { ChangeFunction } from '../../gitops/delivery/commit-change.js'
import type { ManifestFile } from '../../gitops/delivery/manifest-repository.js'
import { editManifest, unifiedDiff, type ImageTarget } from '../../gitops/edit/edit-manifest.js'
import { OperationalError } from '../../runtime/errors.js'
import type { GitOpsFileChange } from './gitops-change.js'

/** The files a GitOps environment promotes by: `files`, or the one-kustomization shorthand. */
export function gitOpsFileSpecs(config: GitOpsConfig): ManifestEditSpec[] {
  if (config.files) return config.files
  return [
    {
      path: config.path ?? '',
      kind: 'kustomization',
      'image-name': config['image-name'] ?? '',
      'create-missing': config['create-missing'] ?? false
    }
  ]
}

/**
 * Points every file at the image (byte-exact, through the editor), as the files are at one base
 * head. A file the editor refuses, or one that does not exist (without create-missing), is
 * reported together with the others' problems, each naming its file (and line).
 */
export function editFiles(
  specs: readonly ManifestEditSpec[],
  files: ReadonlyMap<string, ManifestFile>,
  image: ImageTarget,
  where: string
): GitOpsFileChange[] {
  const changes: GitOpsFileChange[] = []
  const refusals: OperationalError[] = []
  for (const spec of specs) {
    const file = files.get(spec.path)
    if (!file && !spec['create-missing']) {
      refusals.push(
        new OperationalError(
          `${spec.path} does not exist on ${where}; gitops names a file that is not there (or set create-missing: true to start it).`,
          { title: 'Manifest file not found' }
        )
      )
      continue
    }
    const previousText = file?.text ?? null
    try {
      const edit = editManifest(previousText ?? '', spec, image)
      const diff = edit.changed ? unifiedDiff(spec.path, previousText ?? '', edit.content) : ''
      changes.push({ spec, path: spec.path, previousText, edit, diff })
    } catch (error) {
      if (!(error instanceof OperationalError)) throw error
      refusals.push(error)
    }
  }
  if (refusals.length === 1) throw refusals[0]
  if (refusals.length > 1)
    throw new OperationalError(refusals.map((r) => `- ${r.message}`).join('\n'), {
      ...(refusals[0]!.details.title ? { title: refusals[0]!.details.title } : {})
    })
  return changes
}

/** The change the delivery applies on each base head it reads: the edited texts of the files that change. */
export function editChange(
  specs: readonly ManifestEditSpec[],
  image: ImageTarget,
  where: string
): ChangeFunction {
  return (files) =>
    editFiles(specs, files, image, where)
      .filter((file) => file.edit.changed)
      .map((file) => ({ path: file.path, text: file.edit.content }))
}
