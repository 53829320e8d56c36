/** The image to point at: what `ImageReference` gives (repository as written, tag and/or digest). */
export interface ImageTarget {
  repository: string
  tag?: string
  digest?: string
}

/** One value the edit changed. */
export interface FieldChange {
  /** Which value, e.g. `images[my-app].newTag` or the Helm path `image.tag`. */
  field: string
  /** The value before (as written, without quotes); absent when the key was added. */
  from?: string
  /** The value after; absent when the key was removed (a `newTag` that gave way to `digest`). */
  to?: string
}

export interface ManifestEdit {
  /** The file after the edit: the original text when nothing changed, else it with only the changed values' bytes replaced. */
  content: string
  changed: boolean
  /** What the file pointed at before, as `repository:tag@digest` (the parts it had), or undefined when it had no entry. */
  previous: string | undefined
  changes: FieldChange[]
}
