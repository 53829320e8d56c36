import { describe, expect, it } from '@jest/globals'
import { z } from 'zod'
import { manifestEditSpec, manifestKind } from '../../src/config/manifest-edit-spec.js'

const issues = (input: unknown) => {
  const result = manifestEditSpec.safeParse(input)
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
}

describe('manifestEditSpec', () => {
  it('defaults create-missing to false and the kind to kustomization without paths', () => {
    const spec = manifestEditSpec.parse({
      path: 'environments/production/kustomization.yaml',
      'image-name': 'my-app'
    })
    expect(spec['create-missing']).toBe(false)
    expect(manifestKind(spec)).toBe('kustomization')
  })

  it('takes helm-values as the kind when paths are given', () => {
    const spec = manifestEditSpec.parse({ path: 'charts/app/values.yaml', paths: { tag: 'image.tag' } })
    expect(manifestKind(spec)).toBe('helm-values')
  })

  it('asks a kustomization for its image name and a values file for its paths', () => {
    expect(issues({ path: 'k.yaml' })).toEqual(['image-name: the images[].name to update'])
    expect(issues({ path: 'v.yaml', kind: 'helm-values' })).toEqual(['paths: the value paths of the image'])
    expect(issues({ path: 'v.yaml', kind: 'kustomization', 'image-name': 'a', paths: { tag: 'a' } })).toEqual(
      ['paths: no paths for a kustomization (it sets images[] by image-name)']
    )
  })

  it('rejects a reference path beside other paths, malformed paths and paths outside the repository', () => {
    expect(issues({ path: 'v.yaml', paths: { reference: 'app.image', tag: 'image.tag' } })).toEqual([
      'paths: reference alone, or one or more of repository, tag, digest'
    ])
    expect(issues({ path: 'v.yaml', paths: {} })).toHaveLength(1)
    expect(issues({ path: 'v.yaml', paths: { tag: 'image..tag' } })[0]).toContain(
      'paths.tag: dot-separated keys'
    )
    expect(issues({ path: 'v.yaml', paths: { tag: 'containers[x].tag' } })).toHaveLength(1)
    expect(issues({ path: '../other/v.yaml', paths: { tag: 'a' } })[0]).toContain('path: a path inside')
    expect(issues({ path: '/etc/v.yaml', paths: { tag: 'a' } })).toHaveLength(1)
  })

  it('accepts nested paths with list indexes', () => {
    expect(
      issues({ path: 'v.yaml', paths: { tag: 'app.containers[1].image.tag', repository: 'a[0][2].b' } })
    ).toEqual([])
  })

  it('describes every key for the generated JSON Schema', () => {
    const schema = z.toJSONSchema(manifestEditSpec, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<
        string,
        { description?: string; properties?: Record<string, { description?: string }> }
      >
    }
    for (const [key, property] of Object.entries(schema.properties))
      expect([key, property.description]).toEqual([key, expect.any(String)])
    expect(Object.keys(schema.properties.paths!.properties!)).toEqual([
      'repository',
      'tag',
      'digest',
      'reference'
    ])
  })
})
