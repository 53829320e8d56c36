import type { ManifestFile, ManifestRepository } from '../../gitops/delivery/manifest-repository.js'
import type { KustomizationEdit } from './kustomization-image.js'

/** What the GitOps edit step found and the steps after it deliver and report. */
export interface GitOpsChange {
  manifests: ManifestRepository
  repository: string
  path: string
  imageName: string
  base: string
  branch: string
  /** The base branch's head when the file was read. */
  baseHead: string
  file: ManifestFile
  edit: KustomizationEdit
  diff: string
}
