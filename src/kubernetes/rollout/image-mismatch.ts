import { ImageReference } from '../../image/image-reference.js'
import type { Workload } from '../api/workload-types.js'

/** Which selected container does not run the promoted image, as a sentence; undefined when all do. */
export function imageMismatch(
  workload: Workload,
  image: ImageReference,
  containers: string[] | undefined,
  label: string
): string | undefined {
  const spec = workload.spec?.template?.spec
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  const selected = containers?.length
    ? all.filter((c) => containers.includes(c.name))
    : all.filter((c) => ImageReference.tryParse(c.image ?? '')?.sameRepository(image) ?? false)
  if (selected.length === 0)
    return `${label}: no container runs an image from ${image.repository} (containers: ${all.map((c) => `${c.name}=${c.image}`).join(', ') || 'none'})`
  const wrong = selected.filter(
    (c) =>
      !(c.image === image.format() || (ImageReference.tryParse(c.image ?? '')?.satisfies(image) ?? false))
  )
  if (wrong.length === 0) return undefined
  return `${label} runs ${wrong.map((c) => `${c.name}=${c.image}`).join(', ')}, not the promoted ${image.format()}`
}
