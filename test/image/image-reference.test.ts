import { describe, expect, it } from '@jest/globals'
import {
  ImageReference,
  ImageReferenceError,
  canonicalRepository,
  sameRepository
} from '../../src/image/image-reference.js'

const SHA = 'sha256:' + 'a'.repeat(64)

describe('ImageReference.parse', () => {
  it.each([
    // [case, input, domain, path, tag, digest, canonical repository]
    [
      'Docker Hub official image',
      'nginx',
      undefined,
      'nginx',
      undefined,
      undefined,
      'docker.io/library/nginx'
    ],
    [
      'Docker Hub official image with tag',
      'nginx:1.27',
      undefined,
      'nginx',
      '1.27',
      undefined,
      'docker.io/library/nginx'
    ],
    ['Docker Hub user image', 'acme/api:v1', undefined, 'acme/api', 'v1', undefined, 'docker.io/acme/api'],
    [
      'explicit docker.io',
      'docker.io/library/nginx',
      'docker.io',
      'library/nginx',
      undefined,
      undefined,
      'docker.io/library/nginx'
    ],
    [
      'legacy index.docker.io',
      'index.docker.io/nginx',
      'index.docker.io',
      'nginx',
      undefined,
      undefined,
      'docker.io/library/nginx'
    ],
    [
      'registry with nested path',
      'ghcr.io/acme/team/api:1.2.3',
      'ghcr.io',
      'acme/team/api',
      '1.2.3',
      undefined,
      'ghcr.io/acme/team/api'
    ],
    [
      'registry with port',
      'registry.local:5000/api:v2',
      'registry.local:5000',
      'api',
      'v2',
      undefined,
      'registry.local:5000/api'
    ],
    ['localhost registry', 'localhost/api', 'localhost', 'api', undefined, undefined, 'localhost/api'],
    [
      'localhost with port, no tag',
      'localhost:5000/api',
      'localhost:5000',
      'api',
      undefined,
      undefined,
      'localhost:5000/api'
    ],
    ['IPv6 registry', '[::1]:5000/api:v1', '[::1]:5000', 'api', 'v1', undefined, '[::1]:5000/api'],
    ['IPv4 registry', '10.0.0.1:5000/api', '10.0.0.1:5000', 'api', undefined, undefined, '10.0.0.1:5000/api'],
    [
      'upper-case first segment is a domain',
      'Registry/api',
      'Registry',
      'api',
      undefined,
      undefined,
      'Registry/api'
    ],
    ['digest only', `ghcr.io/acme/api@${SHA}`, 'ghcr.io', 'acme/api', undefined, SHA, 'ghcr.io/acme/api'],
    ['tag and digest', `ghcr.io/acme/api:v1@${SHA}`, 'ghcr.io', 'acme/api', 'v1', SHA, 'ghcr.io/acme/api'],
    [
      'separators in path',
      'ghcr.io/a.b/c_d/e__f/g---h',
      'ghcr.io',
      'a.b/c_d/e__f/g---h',
      undefined,
      undefined,
      'ghcr.io/a.b/c_d/e__f/g---h'
    ],
    [
      'tag with dots, dashes and capitals',
      'api:V1.2-rc_3',
      undefined,
      'api',
      'V1.2-rc_3',
      undefined,
      'docker.io/library/api'
    ],
    [
      'sha512 digest',
      `api@sha512:${'b'.repeat(128)}`,
      undefined,
      'api',
      undefined,
      `sha512:${'b'.repeat(128)}`,
      'docker.io/library/api'
    ]
  ])('parses %s', (_case, input, domain, path, tag, digest, canonical) => {
    const ref = ImageReference.parse(input)
    expect({ domain: ref.domain, path: ref.path, tag: ref.tag, digest: ref.digest }).toEqual({
      domain,
      path,
      tag,
      digest
    })
    expect(ref.canonicalRepository).toBe(canonical)
    expect(ref.format()).toBe(input)
  })

  it.each([
    ['empty', '', 'it is empty'],
    ['whitespace', 'nginx :1', 'whitespace'],
    ['upper-case repository', 'ghcr.io/Acme/api', 'must be lower case'],
    ['upper-case single name', 'Nginx', 'must be lower case'],
    ['empty tag', 'nginx:', 'tag ""'],
    ['tag starting with a dot', 'nginx:.x', 'tag ".x"'],
    ['tag longer than 128', `nginx:${'a'.repeat(129)}`, 'tag'],
    ['short sha256 digest', 'nginx@sha256:abc', 'digest "sha256:abc"'],
    ['sha256 digest of 63 hex', `nginx@sha256:${'a'.repeat(63)}`, '64 lower-case hexadecimal'],
    ['upper-case hex', `nginx@sha256:${'A'.repeat(64)}`, '64 lower-case hexadecimal'],
    ['unknown digest algorithm', `nginx@md5:${'a'.repeat(32)}`, 'not supported'],
    ['double slash', 'ghcr.io//api', 'path component ""'],
    ['trailing separator', 'ghcr.io/api-', 'path component "api-"'],
    ['leading separator', 'ghcr.io/_api', 'path component "_api"'],
    ['triple underscore', 'a___b', 'path component "a___b"'],
    ['bad registry', '-bad.io/api', 'registry "-bad.io"'],
    ['image ID', 'a'.repeat(64), 'image ID'],
    ['name too long', `ghcr.io/${'a'.repeat(250)}`, 'longer than 255'],
    ['only a tag', ':v1', 'repository name is empty']
  ])('rejects %s', (_case, input, problem) => {
    expect(() => ImageReference.parse(input)).toThrow(ImageReferenceError)
    expect(() => ImageReference.parse(input)).toThrow(problem)
  })

  it('names the value and the expected form in the error', () => {
    expect(() => ImageReference.parse('ghcr.io/Acme/api')).toThrow(
      'Invalid image reference "ghcr.io/Acme/api": path component "Acme" must be lower-case letters and digits separated by ".", "_", "__" or "-" (repository names must be lower case). Expected [registry[:port]/]path[:tag][@sha256:<64 hex>], e.g. ghcr.io/acme/api:1.2.3.'
    )
  })
})

describe('ImageReference helpers', () => {
  it('gives the repository without tag or digest, as written', () => {
    expect(ImageReference.parse(`ghcr.io/acme/api:v1@${SHA}`).repository).toBe('ghcr.io/acme/api')
    expect(ImageReference.parse('nginx:1').repository).toBe('nginx')
  })

  it('withDigest keeps the tag and pins the content', () => {
    expect(ImageReference.parse('ghcr.io/acme/api:v1').withDigest(SHA).format()).toBe(
      `ghcr.io/acme/api:v1@${SHA}`
    )
    expect(() => ImageReference.parse('api').withDigest('sha256:xyz')).toThrow('digest "sha256:xyz"')
  })

  it('withTag sets the tag and drops the digest', () => {
    expect(ImageReference.parse(`ghcr.io/acme/api:v1@${SHA}`).withTag('v2').format()).toBe(
      'ghcr.io/acme/api:v2'
    )
    expect(() => ImageReference.parse('api').withTag('-x')).toThrow('tag "-x"')
  })

  it.each([
    ['nginx', 'docker.io/library/nginx:1', true],
    ['nginx:1', 'index.docker.io/library/nginx@' + SHA, true],
    ['acme/api', 'docker.io/acme/api', true],
    ['ghcr.io/acme/api:v1', 'ghcr.io/acme/api:v2', true],
    ['ghcr.io/acme/api', 'ghcr.io/acme/web', false],
    ['ghcr.io/acme/api', 'docker.io/acme/api', false],
    ['registry:5000/api', 'registry/api', false],
    ['not a ref!', 'not a ref!', false]
  ])('sameRepository(%s, %s) is %s', (a, b, expected) => {
    expect(sameRepository(a, b)).toBe(expected)
  })

  it.each([
    ['nginx', 'nginx:latest', true],
    ['nginx:1', 'docker.io/library/nginx:1', true],
    ['nginx:1', 'nginx:2', false],
    [`api:v1@${SHA}`, `api:v2@${SHA}`, true],
    [`api:v1@${SHA}`, 'api:v1', false]
  ])('sameImage(%s, %s) is %s', (a, b, expected) => {
    expect(ImageReference.parse(a).sameImage(b)).toBe(expected)
  })

  it('canonicalRepository normalises Docker Hub names', () => {
    expect(canonicalRepository('busybox:1.36')).toBe('docker.io/library/busybox')
  })
})

describe('satisfies', () => {
  it.each([
    ['ghcr.io/acme/api:1.2@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/api:1.2', true],
    ['ghcr.io/acme/api:1.2', 'ghcr.io/acme/api:1.2', true],
    ['ghcr.io/acme/api:1.3@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/api:1.2', false],
    ['ghcr.io/acme/api@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/api:1.2', false],
    ['ghcr.io/acme/api:1.2@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/api@sha256:' + 'a'.repeat(64), true],
    ['ghcr.io/acme/api:1.2@sha256:' + 'b'.repeat(64), 'ghcr.io/acme/api@sha256:' + 'a'.repeat(64), false],
    ['ghcr.io/acme/web:1.2', 'ghcr.io/acme/api:1.2', false]
  ])('%s satisfies a request for %s: %s', (running, requested, expected) => {
    expect(ImageReference.parse(running).satisfies(requested)).toBe(expected)
  })
})
