/** Behaviours beside the fixture files: configuration errors, edge layouts, the read-back guard. */
import { describe, expect, it } from '@jest/globals'
import { editManifest } from '../../../src/gitops/edit/edit-manifest.js'
import { manifestEditSpec } from '../../../src/config/manifest-edit-spec.js'
import { checkReadsBack } from '../../../src/gitops/edit/read-back-check.js'
import { ConfigurationError, OperationalError } from '../../../src/runtime/errors.js'

const DIGEST = 'sha256:' + '3f'.repeat(32)
const kustomization = (extra: Record<string, unknown> = {}) =>
  manifestEditSpec.parse({ path: 'k/kustomization.yaml', 'image-name': 'my-app', ...extra })
const values = (paths: Record<string, string>, extra: Record<string, unknown> = {}) =>
  manifestEditSpec.parse({ path: 'values.yaml', paths, ...extra })

function failure(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

describe('editManifest: kustomization', () => {
  it('sets newTag latest for an image with neither tag nor digest', () => {
    const text = 'kind: Kustomization\nimages:\n- name: my-app\n  newTag: v1\n'
    expect(editManifest(text, kustomization(), { repository: 'my-app' }).content).toBe(
      text.replace('v1', 'latest')
    )
  })

  it('turns a digest back into newTag for a tag-only image', () => {
    const text = `kind: Kustomization\nimages:\n- name: my-app\n  digest: ${DIGEST} # pinned\n`
    expect(editManifest(text, kustomization(), { repository: 'my-app', tag: 'v2' }).content).toBe(
      'kind: Kustomization\nimages:\n- name: my-app\n  newTag: v2 # pinned\n'
    )
  })

  it('removes a newTag that shares its line with the list dash, moving the next key up', () => {
    const text = `kind: Kustomization\nimages:\n- newTag: v1\n  name: my-app\n  digest: sha256:${'00'.repeat(32)}\n`
    expect(editManifest(text, kustomization(), { repository: 'my-app', digest: DIGEST }).content).toBe(
      `kind: Kustomization\nimages:\n- name: my-app\n  digest: ${DIGEST}\n`
    )
  })

  it('removes the first item of a flow mapping with its comma', () => {
    const text = `kind: Kustomization\nimages: [{newTag: v1, name: my-app, digest: sha256:${'00'.repeat(32)}}]\n`
    expect(editManifest(text, kustomization(), { repository: 'my-app', digest: DIGEST }).content).toBe(
      `kind: Kustomization\nimages: [{name: my-app, digest: ${DIGEST}}]\n`
    )
  })

  it('fills an empty images key and an empty flow list when creating the entry', () => {
    const spec = kustomization({ 'create-missing': true })
    const image = { repository: 'my-app', tag: 'v1' }
    expect(editManifest('kind: Kustomization\nimages:\nresources:\n  - a\n', spec, image).content).toBe(
      'kind: Kustomization\nimages:\n  - name: my-app\n    newTag: v1\nresources:\n  - a\n'
    )
    expect(editManifest('kind: Kustomization\nimages: ~\n', spec, image).content).toBe(
      'kind: Kustomization\nimages:\n  - name: my-app\n    newTag: v1\n'
    )
    expect(editManifest('kind: Kustomization\nimages: []\n', spec, image).content).toBe(
      'kind: Kustomization\nimages: [{name: my-app, newTag: v1}]\n'
    )
  })

  it('keeps a file without a final line break that way when adding lines', () => {
    const text = '\uFEFFkind: Kustomization\nresources:\n- ../base'
    const result = editManifest(text, kustomization({ 'create-missing': true }), {
      repository: 'my-app',
      tag: 'v1'
    })
    expect(result.content).toBe(
      '\uFEFFkind: Kustomization\nresources:\n- ../base\nimages:\n- name: my-app\n  newTag: v1'
    )
  })

  it('rewrites a tag YAML reads as a number even when its digits are the same, since kustomize rejects numbers', () => {
    const result = editManifest(
      'kind: Kustomization\nimages:\n- name: my-app\n  newTag: 123\n',
      kustomization(),
      {
        repository: 'my-app',
        tag: '123'
      }
    )
    expect(result.content).toBe('kind: Kustomization\nimages:\n- name: my-app\n  newTag: "123"\n')
    expect(result.changes).toEqual([{ field: 'images[my-app].newTag', from: '123', to: '123' }])
  })

  it('reads an alias that already holds the wanted value as unchanged', () => {
    const text = "kind: Kustomization\nx: &tag 'v2'\nimages:\n- name: my-app\n  newTag: *tag\n"
    expect(editManifest(text, kustomization(), { repository: 'my-app', tag: 'v2' })).toEqual({
      content: text,
      changed: false,
      previous: 'my-app:v2',
      changes: []
    })
  })

  it('refuses two entries with the same name, an entry shared through an anchor, and an empty file', () => {
    const image = { repository: 'my-app', tag: 'v2' }
    expect(
      failure(() =>
        editManifest('kind: Kustomization\nimages:\n- name: my-app\n- name: my-app\n', kustomization(), image)
      ).message
    ).toContain('2 images[] entries named "my-app" (lines 3, 4)')
    const shared = 'kind: Kustomization\nimages:\n- &app {name: my-app, newTag: v1}\nreplicas:\n- *app\n'
    expect(failure(() => editManifest(shared, kustomization(), image)).message).toContain(
      'inside the anchor &app'
    )
    const empty = failure(() => editManifest('# nothing\n', kustomization(), image))
    expect([empty.name, empty.message]).toEqual([
      'OperationalError',
      expect.stringContaining('is not a Kustomization: it is empty')
    ])
  })
})

describe('editManifest: Helm values', () => {
  it('asks for a digest or reference path when the image is pinned by digest only', () => {
    const error = failure(() =>
      editManifest('image:\n  tag: v1\n', values({ tag: 'image.tag' }), { repository: 'a', digest: DIGEST })
    )
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error.message).toContain('manifest values.yaml: paths')
    expect(error.message).toContain('pinned by digest only')
  })

  it('asks for a tag or reference path when only a digest path is set and the image has no digest', () => {
    const error = failure(() =>
      editManifest('image:\n  digest: x\n', values({ digest: 'image.digest' }), {
        repository: 'a',
        tag: 'v1'
      })
    )
    expect(error).toBeInstanceOf(ConfigurationError)
  })

  it('starts an empty values file when create-missing is set', () => {
    const result = editManifest(
      '# set by CI\n',
      values({ reference: 'app.image' }, { 'create-missing': true }),
      {
        repository: 'ghcr.io/acme/app',
        tag: '1.0'
      }
    )
    expect(result.content).toBe('# set by CI\napp:\n  image: ghcr.io/acme/app:1.0\n')
  })

  it('fills a key without a value, keeping its comment', () => {
    const result = editManifest(
      'app:\n  image:   # CI fills this\n  port: 80\n',
      values({ tag: 'app.image.tag' }, { 'create-missing': true }),
      {
        repository: 'a',
        tag: 'v1'
      }
    )
    expect(result.content).toBe('app:\n  image:   # CI fills this\n    tag: v1\n  port: 80\n')
  })

  it('adds a missing key to a flow mapping in flow style', () => {
    const result = editManifest(
      'image: {repository: a}\n',
      values({ tag: 'image.tag' }, { 'create-missing': true }),
      {
        repository: 'a',
        tag: 'v1'
      }
    )
    expect(result.content).toBe('image: {repository: a, tag: v1}\n')
  })

  it('sets a list item that holds a whole reference', () => {
    const result = editManifest(
      "images:\n  - 'ghcr.io/a/web:1'\n  - ghcr.io/a/job:1\n",
      values({ reference: 'images[1]' }),
      {
        repository: 'ghcr.io/a/job',
        tag: '2'
      }
    )
    expect(result.content).toBe("images:\n  - 'ghcr.io/a/web:1'\n  - ghcr.io/a/job:2\n")
  })

  it('refuses what it cannot edit safely: list items to create, values through an alias, block scalars, several documents', () => {
    const image = { repository: 'a', tag: 'v2' }
    const create = { 'create-missing': true }
    const cases: Array<[string, ReturnType<typeof values>, string]> = [
      ['list: [a]\n', values({ reference: 'list[3]' }, create), 'list has 1 items, so there is no list[3]'],
      [
        'list: [a]\n',
        values({ tag: 'list[0].tag' }, create),
        'list[0] (line 1) is a value ("a"), expected a mapping'
      ],
      [
        'base: &img\n  tag: v1\napp:\n  image: *img\n',
        values({ tag: 'app.image.tag' }),
        'through the alias *img (line 4)'
      ],
      ['image:\n  tag: |\n    v1\n', values({ tag: 'image.tag' }), 'is a block scalar'],
      ['image: {tag: v1}\n---\nimage: {tag: v1}\n', values({ tag: 'image.tag' }), 'holds 2 YAML documents'],
      [
        'image: nginx:1\n',
        values({ tag: 'image.tag' }),
        'image (line 1) is a value ("nginx:1"), expected a mapping'
      ]
    ]
    for (const [text, spec, message] of cases) {
      const error = failure(() => editManifest(text, spec, image))
      expect([error.name, error.message]).toEqual(['OperationalError', expect.stringContaining(message)])
    }
  })

  it('changes nothing when every value is already there', () => {
    const text = 'image:\n  repository: a\n  tag: "v2"\n  digest: ""\n'
    const result = editManifest(
      text,
      values({ repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' }),
      {
        repository: 'a',
        tag: 'v2'
      }
    )
    expect(result).toEqual({ content: text, changed: false, previous: 'a:v2', changes: [] })
  })
})

describe('checkReadsBack', () => {
  it('refuses an edited text that means more than the intended change', () => {
    const error = failure(() =>
      checkReadsBack('k.yaml', 'a: 1\nb: 2\n', 'a: 9\nb: 3\n', [{ document: 0, at: ['a'], value: 9 }])
    )
    expect(error).toBeInstanceOf(OperationalError)
    expect((error as OperationalError).details.title).toBe('Manifest edit refused')
    expect(() =>
      checkReadsBack('k.yaml', 'a: 1\n', 'a: 9\n', [{ document: 0, at: ['a'], value: 9 }])
    ).not.toThrow()
  })
})
