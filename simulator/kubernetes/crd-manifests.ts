/** Reads CustomResourceDefinition manifests (YAML, one or more documents per file) from a folder. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

/** Every CustomResourceDefinition in the `.yaml`/`.yml` files of `folder`, in file-name order. */
export function readCustomResourceDefinitions(folder: string): object[] {
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((doc) => doc.toJSON() as unknown)
    )
    .filter(
      (doc): doc is { kind: string } =>
        typeof doc === 'object' &&
        doc !== null &&
        (doc as { kind?: unknown }).kind === 'CustomResourceDefinition'
    )
}
