import { describe, expect, it } from '@jest/globals'
import { applyJsonPatch } from '../../../simulator/kubernetes/json-patch.js'
import { parseLabelSelector, matches } from '../../../simulator/kubernetes/label-selector.js'
import { applyMergePatch } from '../../../simulator/kubernetes/merge-patch.js'
import { applyStrategicMergePatch } from '../../../simulator/kubernetes/strategic-merge-patch.js'
import type { Json } from '../../../simulator/kubernetes/json-values.js'
import type { ApiError } from '../../../simulator/kubernetes/api-errors.js'

/** The detail of a rejected patch, which the apiserver puts in the Status causes. */
function rejection(apply: () => unknown): string {
  try {
    apply()
  } catch (error) {
    const status = (error as ApiError).status
    expect(status.code).toBe(422)
    return status.details?.causes?.[0]?.message ?? ''
  }
  throw new Error('expected the patch to be rejected')
}

const pod: Json = {
  metadata: { finalizers: ['a'], labels: { app: 'web', tier: 'front' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' }
        ],
        args: ['--x']
      },
      { name: 'sidecar', image: 'side:1', ports: [{ containerPort: 80 }, { containerPort: 443 }] }
    ],
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }
  }
}

describe('strategic merge patch documents', () => {
  it('replaces a list outright with a $patch: replace element', () => {
    const result = applyStrategicMergePatch(pod, {
      spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'only:1' }] }
    }) as { spec: { containers: unknown[] } }
    expect(result.spec.containers).toEqual([{ name: 'only', image: 'only:1' }])
  })

  it('replaces a map with $patch: replace and removes keys not in $retainKeys', () => {
    const replaced = applyStrategicMergePatch(pod, {
      spec: { strategy: { $patch: 'replace', type: 'Recreate' } }
    }) as {
      spec: { strategy: unknown }
    }
    expect(replaced.spec.strategy).toEqual({ type: 'Recreate' })
    const retained = applyStrategicMergePatch(pod, {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } }
    }) as {
      spec: { strategy: unknown }
    }
    expect(retained.spec.strategy).toEqual({ type: 'Recreate' })
  })

  it('merges container ports by containerPort, orders by $setElementOrder and edits primitive merge lists', () => {
    const result = applyStrategicMergePatch(pod, {
      metadata: { finalizers: ['b'], '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
        containers: [{ name: 'sidecar', ports: [{ containerPort: 443, name: 'tls' }] }]
      }
    }) as {
      metadata: { finalizers: string[] }
      spec: { containers: Array<{ name: string; ports?: unknown }> }
    }
    expect(result.metadata.finalizers).toEqual(['b'])
    expect(result.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'app'])
    expect(result.spec.containers[0]!.ports).toEqual([
      { containerPort: 80 },
      { containerPort: 443, name: 'tls' }
    ])
  })

  it('replaces lists without a merge key and deletes keys set to null', () => {
    const result = applyStrategicMergePatch(pod, {
      metadata: { labels: { tier: null } },
      spec: { containers: [{ name: 'app', args: ['--y'] }] }
    }) as { metadata: { labels: unknown }; spec: { containers: Array<{ args: unknown }> } }
    expect(result.metadata.labels).toEqual({ app: 'web' })
    expect(result.spec.containers[0]!.args).toEqual(['--y'])
  })

  it('rejects a list element that lacks the merge key', () => {
    expect(
      rejection(() => applyStrategicMergePatch(pod, { spec: { containers: [{ image: 'x' }] } }))
    ).toMatch(/merge key: name/)
  })
})

describe('JSON merge patch and JSON patch documents', () => {
  it('merge patch follows RFC 7386 examples', () => {
    expect(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({
      a: 'z',
      c: { d: 'e' }
    })
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] })
  })

  it('JSON patch escapes ~1 and ~0 in pointers and appends with -', () => {
    const result = applyJsonPatch({ metadata: { annotations: {} }, list: [1] }, [
      { op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'x' },
      { op: 'add', path: '/metadata/annotations/a~0b', value: 'y' },
      { op: 'add', path: '/list/-', value: 2 }
    ])
    expect(result).toEqual({
      metadata: { annotations: { 'kubernetes.io/change-cause': 'x', 'a~b': 'y' } },
      list: [1, 2]
    })
  })

  it('JSON patch refuses to replace or remove a missing path', () => {
    expect(
      rejection(() => applyJsonPatch({}, [{ op: 'replace', path: '/spec/replicas', value: 1 }]))
    ).toMatch(/missing/)
    expect(rejection(() => applyJsonPatch({}, [{ op: 'remove', path: '/spec' }]))).toMatch(/missing/)
  })
})

describe('label selector query syntax', () => {
  it.each([
    ['app=web', true],
    ['app==web,tier!=back', true],
    ['tier in (front,mid)', true],
    ['tier notin (front)', false],
    ['app', true],
    ['!missing', true],
    ['!app', false]
  ])('%s against {app: web, tier: front} matches: %s', (selector, expected) => {
    expect(matches(parseLabelSelector(selector), { app: 'web', tier: 'front' })).toBe(expected)
  })

  it('rejects a malformed selector as a bad request', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(/unable to parse requirement/)
  })
})
