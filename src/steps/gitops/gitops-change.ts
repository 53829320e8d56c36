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
  /**
   * The commit that put the change on the base branch (a direct push, or the pull request's
   * merge), set by the delivery once it is there; undefined while a pull request awaits its
   * merge. The sync step waits for the GitOps engine to apply exactly this.
   */
  deliveredSha?: string | undefined
  /** When it landed on the base branch (clock time). */
  deliveredAt?: number | undefined
}
