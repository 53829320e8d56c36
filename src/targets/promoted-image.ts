import type { ResolvedEnvironment } from '../config/schema.js'
import { ImageReference, ImageReferenceError } from '../image/image-reference.js'
import type { Problem } from '../runtime/errors.js'

/** `${sha}` and `${short-sha}` in a configured tag or image, replaced with the promoted commit. */
export function fillShaTemplate(text: string, sha: string): string {
  return text.replaceAll('${sha}', sha).replaceAll('${short-sha}', sha.slice(0, 7))
}

/**
 * The repository promoted into an environment: its own `image.repository`, else its upstream's
 * (what the upstream runs is what is promoted). Every stage uses this one rule.
 */
export function promotedRepository(
  environment: ResolvedEnvironment,
  upstream: ResolvedEnvironment | undefined
): string | undefined {
  return environment.image.repository ?? upstream?.image.repository
}

/**
 * The image a promotion into `environment` deploys when no image is given:
 * `<repository>:<tag>`, the tag template (default `${sha}`) filled with the commit. undefined
 * when no repository is configured; a problem naming both keys when they make no valid reference.
 */
export function configuredImage(
  environment: ResolvedEnvironment,
  upstream: ResolvedEnvironment | undefined,
  sha: string
): { image: ImageReference | undefined; problem?: Problem } {
  const repository = promotedRepository(environment, upstream)
  if (!repository) return { image: undefined }
  const text = `${repository}:${fillShaTemplate(environment.image.tag, sha)}`
  try {
    return { image: ImageReference.parse(text) }
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error
    return {
      image: undefined,
      problem: {
        path: `image.repository and image.tag of ${environment.name}`,
        value: text,
        expected: 'a valid image reference'
      }
    }
  }
}
