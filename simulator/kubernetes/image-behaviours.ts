/**
 * Which behaviour the simulated kubelet gives a container image, and which digest it reports.
 *
 * Besides explicit rules, images whose reference contains `crashloop`, `unpullable` or
 * `never-ready` fail the same way as in the project's kwok cluster (cluster/kwok/stages),
 * so one contract suite can drive both.
 */
import { sha256Hex } from './random-names.js'
import type { ImageBehaviour } from './simulator-types.js'

interface Rule {
  image: string | RegExp
  behaviour: ImageBehaviour
}

/** In the kwok stages' order of precedence: unpullable, then crashloop, then never-ready. */
const conventions: Array<{ pattern: RegExp; behaviour: ImageBehaviour }> = [
  { pattern: /unpullable/, behaviour: { kind: 'image-pull-backoff' } },
  { pattern: /crashloop/, behaviour: { kind: 'crash-loop' } },
  { pattern: /never-ready/, behaviour: { kind: 'never-ready' } }
]

export function imageRuleMatches(rule: string | RegExp, image: string): boolean {
  if (rule instanceof RegExp) {
    rule.lastIndex = 0
    return rule.test(image)
  }
  if (image === rule) return true
  if (!image.startsWith(rule)) return false
  if (rule.endsWith('/') || rule.endsWith(':')) return true
  const next = image[rule.length]
  return next === ':' || next === '@'
}

/** The repository part of a reference: without `:tag` and `@digest`. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0]!
  const lastSlash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest
}

export class ImageBehaviours {
  private readonly rules: Rule[] = []
  private readonly digests = new Map<string, string>()
  private readonly imageIds = new Map<string, string>()

  constructor(private readonly fallback: ImageBehaviour) {}

  set(image: string | RegExp, behaviour: ImageBehaviour): void {
    this.rules.unshift({ image, behaviour })
  }

  setDigest(image: string, digest: string): void {
    this.digests.set(image, digest.startsWith('sha256:') ? digest : `sha256:${digest}`)
    this.imageIds.delete(image)
  }

  behaviourOf(image: string): ImageBehaviour {
    const rule = this.rules.find((r) => imageRuleMatches(r.image, image))
    if (rule) return rule.behaviour
    return conventions.find((c) => c.pattern.test(image))?.behaviour ?? this.fallback
  }

  /**
   * `<repository>@sha256:<hex>`, the containerd form. A reference pinned by digest reports
   * that digest; otherwise the digest set for the image, or sha256 of the reference text.
   */
  imageIdOf(image: string): string {
    let id = this.imageIds.get(image)
    if (id === undefined) {
      const pinned = image.split('@')[1]
      const digest = this.digests.get(image) ?? (pinned ? pinned : `sha256:${sha256Hex(image)}`)
      id = `${repositoryOf(image)}@${digest}`
      this.imageIds.set(image, id)
    }
    return id
  }
}
