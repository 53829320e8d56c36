import { parseDocument } from 'yaml'
import { OperationalError } from '../runtime/errors.js'
import {
  DEFAULT_PARITY_ALLOW,
  isAllowed,
  type ParityDimension,
  type ParityOptions,
  type ParityRow
} from './parity.js'

/**
 * Parity of two environments' Kustomize overlays (as the seed lays them out,
 * `environments/<env>/kustomization.yaml`): both must build on the same `resources` (and the
 * deprecated `bases`), and override the same `images[].name` entries. Tags, replicas and
 * patches are what overlays are for, so they are not compared. Paths are compared as written
 * after dropping `./` and a trailing `/`, so both overlays should sit at the same depth.
 */
export interface OverlayFile {
  path: string
  text: string
}

export function compareKustomizeOverlays(
  upstream: OverlayFile,
  target: OverlayFile,
  options: ParityOptions = {}
): ParityRow[] {
  const allow = options.allow ?? DEFAULT_PARITY_ALLOW
  const a = readOverlay(upstream)
  const b = readOverlay(target)
  const rows: ParityRow[] = []
  const compare = (dimension: ParityDimension, up: string[], down: string[]) => {
    for (const key of [...new Set([...up, ...down])]) {
      const inUp = up.includes(key)
      const inDown = down.includes(key)
      if (inUp === inDown) continue
      rows.push({
        workload: target.path,
        dimension,
        key,
        upstream: inUp ? 'present' : 'absent',
        target: inDown ? 'present' : 'absent',
        allowed: isAllowed({ dimension, key }, allow)
      })
    }
  }
  compare('kustomizeResource', a.resources, b.resources)
  compare('kustomizeImage', a.images, b.images)
  return rows
}

function readOverlay(file: OverlayFile): { resources: string[]; images: string[] } {
  const doc = parseDocument(file.text)
  if (doc.errors.length > 0)
    throw new OperationalError(`${file.path} is not valid YAML: ${doc.errors[0]!.message}`, {
      title: 'Invalid kustomization file'
    })
  const content: unknown = doc.toJS() ?? {}
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    throw new OperationalError(`${file.path} is not a YAML mapping`, { title: 'Invalid kustomization file' })
  const record = content as Record<string, unknown>
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  const resources = [...strings(record.resources), ...strings(record.bases)].map(normalizePath)
  const images = (Array.isArray(record.images) ? record.images : []).flatMap((entry: unknown) =>
    typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string'
      ? [(entry as { name: string }).name]
      : []
  )
  return { resources, images }
}

function normalizePath(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.'
}
