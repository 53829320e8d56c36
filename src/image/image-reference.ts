/**
 * OCI image references, parsed by the grammar of github.com/distribution/reference:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path-component ["/" path-component]*
 *   domain     := host [":" port]      (host: DNS name, IPv4, or [IPv6])
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [._] | __ | [-]*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex    (sha256: 64, sha384: 96, sha512: 128 lowercase hex)
 *
 * The first path segment is a domain only when it contains "." or ":", is "localhost", or has
 * an upper-case letter (Docker's rule); otherwise the image lives on Docker Hub. `format()`
 * returns the reference as written; `canonicalRepository` is the Docker-normalised form
 * (`nginx` -> `docker.io/library/nginx`) used only to compare repositories.
 */

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$/
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`
)
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
const NAME_MAX_LENGTH = 255
const DOCKER_HUB = 'docker.io'
const LEGACY_DOCKER_HUB = 'index.docker.io'

export const IMAGE_REFERENCE_FORM =
  '[registry[:port]/]path[:tag][@sha256:<64 hex>], e.g. ghcr.io/acme/api:1.2.3'

export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError'
  constructor(
    readonly value: string,
    readonly problem: string
  ) {
    super(`Invalid image reference ${JSON.stringify(value)}: ${problem}. Expected ${IMAGE_REFERENCE_FORM}.`)
  }
}

export class ImageReference {
  private constructor(
    /** Registry host[:port] as written, or undefined when the reference names none (Docker Hub). */
    readonly domain: string | undefined,
    /** Repository path as written, e.g. `acme/api` or `nginx`. */
    readonly path: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined
  ) {}

  /** Parses and validates `value`; throws ImageReferenceError naming the value and what is wrong. */
  static parse(value: string): ImageReference {
    if (typeof value !== 'string' || value.length === 0)
      throw new ImageReferenceError(String(value), 'it is empty')
    if (value !== value.trim() || /\s/.test(value))
      throw new ImageReferenceError(value, 'it contains whitespace')

    let rest = value
    let digest: string | undefined
    const at = rest.indexOf('@')
    if (at >= 0) {
      digest = rest.slice(at + 1)
      rest = rest.slice(0, at)
      validateDigest(value, digest)
    }

    let tag: string | undefined
    const lastColon = rest.lastIndexOf(':')
    if (lastColon > rest.lastIndexOf('/')) {
      tag = rest.slice(lastColon + 1)
      rest = rest.slice(0, lastColon)
      if (!TAG.test(tag)) {
        throw new ImageReferenceError(
          value,
          `tag ${JSON.stringify(tag)} must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
        )
      }
    }

    if (rest.length === 0) throw new ImageReferenceError(value, 'the repository name is empty')
    if (rest.length > NAME_MAX_LENGTH) {
      throw new ImageReferenceError(value, `the repository name is longer than ${NAME_MAX_LENGTH} characters`)
    }
    if (/^[a-f0-9]{64}$/.test(rest) && tag === undefined && digest === undefined) {
      throw new ImageReferenceError(
        value,
        'a 64-character hexadecimal string is an image ID, not a repository name'
      )
    }

    const { domain, path } = splitDomain(rest)
    if (domain !== undefined && !DOMAIN.test(domain)) {
      throw new ImageReferenceError(value, `registry ${JSON.stringify(domain)} is not a valid host[:port]`)
    }
    for (const component of path.split('/')) {
      if (!PATH_COMPONENT.test(component)) {
        const hint = component !== component.toLowerCase() ? ' (repository names must be lower case)' : ''
        throw new ImageReferenceError(
          value,
          `path component ${JSON.stringify(component)} must be lower-case letters and digits separated by ".", "_", "__" or "-"${hint}`
        )
      }
    }
    return new ImageReference(domain, path, tag, digest)
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(value: string): ImageReference | undefined {
    try {
      return ImageReference.parse(value)
    } catch {
      return undefined
    }
  }

  /** The repository as written, without tag or digest: `ghcr.io/acme/api`, `nginx`. */
  get repository(): string {
    return this.domain === undefined ? this.path : `${this.domain}/${this.path}`
  }

  /** Docker-normalised repository for comparisons: `nginx` -> `docker.io/library/nginx`. */
  get canonicalRepository(): string {
    const domain = normalizeDomain(this.domain)
    const path = domain === DOCKER_HUB && !this.path.includes('/') ? `library/${this.path}` : this.path
    return `${domain}/${path}`
  }

  /** The reference as written: repository[:tag][@digest]. */
  format(): string {
    return `${this.repository}${this.tag !== undefined ? `:${this.tag}` : ''}${this.digest !== undefined ? `@${this.digest}` : ''}`
  }

  toString(): string {
    return this.format()
  }

  /** Pins the content: keeps the tag (informational, as `repo:tag@digest` is), sets the digest. */
  withDigest(digest: string): ImageReference {
    validateDigest(`${this.repository}@${digest}`, digest)
    return new ImageReference(this.domain, this.path, this.tag, digest)
  }

  /**
   * Sets the tag and drops any digest. distribution's WithTag keeps the digest, but then the
   * runtime pulls the digest and ignores the new tag, which is never what a promotion means.
   */
  withTag(tag: string): ImageReference {
    if (!TAG.test(tag)) {
      throw new ImageReferenceError(
        `${this.repository}:${tag}`,
        `tag ${JSON.stringify(tag)} must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
      )
    }
    return new ImageReference(this.domain, this.path, tag, undefined)
  }

  /** True when both name the same repository after Docker normalisation (tags and digests ignored). */
  sameRepository(other: ImageReference | string): boolean {
    return sameRepository(this, other)
  }

  /**
   * True when both pull the same content reference after normalisation: equal digests when
   * either has one (the runtime ignores the tag then), else equal tags (no tag = `latest`).
   */
  /**
   * Whether this reference (what a workload runs) is what `requested` asks for: a requested
   * digest must match; a requested tag matches this tag even when this one also pins a
   * digest (`app:1.2@sha256:…` is `app:1.2`, promoted by digest).
   */
  satisfies(requested: ImageReference | string): boolean {
    const wanted = typeof requested === 'string' ? ImageReference.parse(requested) : requested
    if (!this.sameRepository(wanted)) return false
    if (wanted.digest !== undefined) return this.digest === wanted.digest
    if (this.tag === undefined && this.digest !== undefined) return false
    return (this.tag ?? 'latest') === (wanted.tag ?? 'latest')
  }

  sameImage(other: ImageReference | string): boolean {
    const b = typeof other === 'string' ? ImageReference.parse(other) : other
    if (!this.sameRepository(b)) return false
    if (this.digest !== undefined || b.digest !== undefined) return this.digest === b.digest
    return (this.tag ?? 'latest') === (b.tag ?? 'latest')
  }
}

/** Compares repositories after Docker normalisation; an unparseable string never matches. */
export function sameRepository(a: ImageReference | string, b: ImageReference | string): boolean {
  const left = typeof a === 'string' ? ImageReference.tryParse(a) : a
  const right = typeof b === 'string' ? ImageReference.tryParse(b) : b
  if (left === undefined || right === undefined) return false
  return left.canonicalRepository === right.canonicalRepository
}

/** `docker.io/library/nginx` for `nginx`; throws like parse for invalid input. */
export function canonicalRepository(value: string): string {
  return ImageReference.parse(value).canonicalRepository
}

function splitDomain(name: string): { domain: string | undefined; path: string } {
  const slash = name.indexOf('/')
  if (slash === -1) return { domain: undefined, path: name }
  const first = name.slice(0, slash)
  const isDomain =
    first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first
  return isDomain ? { domain: first, path: name.slice(slash + 1) } : { domain: undefined, path: name }
}

function normalizeDomain(domain: string | undefined): string {
  if (domain === undefined || domain === LEGACY_DOCKER_HUB) return DOCKER_HUB
  return domain
}

function validateDigest(value: string, digest: string): void {
  if (!DIGEST.test(digest)) {
    throw new ImageReferenceError(
      value,
      `digest ${JSON.stringify(digest)} must be algorithm:hex, e.g. sha256:<64 hex characters>`
    )
  }
  const [algorithm, hex] = digest.split(':') as [string, string]
  const length = DIGEST_HEX_LENGTH[algorithm]
  if (length === undefined) {
    throw new ImageReferenceError(
      value,
      `digest algorithm ${JSON.stringify(algorithm)} is not supported (sha256, sha384, sha512)`
    )
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new ImageReferenceError(
      value,
      `a ${algorithm} digest must be ${length} lower-case hexadecimal characters`
    )
  }
}
