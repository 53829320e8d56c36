import { describe, expect, it } from '@jest/globals'
import { labelSelectorString } from '../../src/kubernetes/label-selector.js'

describe('labelSelectorString', () => {
  it.each([
    ['no selector', undefined, ''],
    ['match labels', { matchLabels: { app: 'api', tier: 'web' } }, 'app=api,tier=web'],
    [
      'every operator',
      {
        matchLabels: { app: 'api' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'edge'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' }
        ]
      },
      'app=api,tier in (edge,web),env notin (dev),canary,!legacy'
    ]
  ])('%s', (_case, selector, expected) => {
    expect(labelSelectorString(selector)).toBe(expected)
  })
})
