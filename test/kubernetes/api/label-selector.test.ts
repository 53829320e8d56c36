import { describe, expect, it } from '@jest/globals'
import { labelSelectorString, matchesLabelSelector } from '../../../src/kubernetes/api/label-selector.js'

/** A selector with matchLabels and one expression per operator. */
const EVERY_OPERATOR = {
  matchLabels: { app: 'api' },
  matchExpressions: [
    { key: 'tier', operator: 'In', values: ['web', 'edge'] },
    { key: 'env', operator: 'NotIn', values: ['dev'] },
    { key: 'canary', operator: 'Exists' },
    { key: 'legacy', operator: 'DoesNotExist' }
  ]
}

describe('labelSelectorString', () => {
  it.each([
    ['no selector', undefined, ''],
    ['match labels', { matchLabels: { app: 'api', tier: 'web' } }, 'app=api,tier=web'],
    ['every operator', EVERY_OPERATOR, 'app=api,tier in (edge,web),env notin (dev),canary,!legacy']
  ])('%s', (_case, selector, expected) => {
    expect(labelSelectorString(selector)).toBe(expected)
  })
})

describe('matchesLabelSelector', () => {
  it.each<[string, Record<string, string> | undefined, boolean]>([
    [
      'every requirement met (NotIn also matches an absent key)',
      { app: 'api', tier: 'web', canary: '' },
      true
    ],
    ['a matchLabels value differs', { app: 'web', tier: 'web', canary: '' }, false],
    ['In with the key absent', { app: 'api', canary: '' }, false],
    ['NotIn with an excluded value', { app: 'api', tier: 'edge', env: 'dev', canary: '' }, false],
    ['Exists with the key absent', { app: 'api', tier: 'web' }, false],
    ['DoesNotExist with the key present', { app: 'api', tier: 'web', canary: '', legacy: 'x' }, false],
    ['no labels at all', undefined, false]
  ])('%s', (_case, labels, expected) => {
    expect(matchesLabelSelector(labels, EVERY_OPERATOR)).toBe(expected)
  })

  it('matches everything with an empty or missing selector', () => {
    expect(matchesLabelSelector({ any: 'thing' }, {})).toBe(true)
    expect(matchesLabelSelector(undefined, undefined)).toBe(true)
  })
})
