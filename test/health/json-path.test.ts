import { describe, expect, it } from '@jest/globals'
import { parseJsonPath, readJsonPath } from '../../src/health/json-path.js'

describe('json paths', () => {
  it.each([
    ['version', ['version']],
    ['build.sha', ['build', 'sha']],
    ['items[0].name', ['items', 0, 'name']],
    ['[2]', [2]],
    ['matrix[1][0]', ['matrix', 1, 0]],
    ['meta["app.kubernetes.io/version"]', ['meta', 'app.kubernetes.io/version']],
    ['a-b.c_d', ['a-b', 'c_d']]
  ])('reads %s', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments)
  })

  it.each(['', 'a..b', '.a', 'a.', 'items[x]', 'items[0', 'a["b]', 'a"b'])(
    'rejects %j with its position',
    (path) => {
      expect(() => parseJsonPath(path)).toThrow(/^invalid json path .* at position \d+$/)
    }
  )

  it('finds values, including null and falsy ones, and names the first absent step', () => {
    const doc = { a: { b: [{ c: 0 }, { c: null }] }, flag: false }
    expect(readJsonPath(doc, parseJsonPath('a.b[0].c'))).toEqual({ found: true, value: 0 })
    expect(readJsonPath(doc, parseJsonPath('a.b[1].c'))).toEqual({ found: true, value: null })
    expect(readJsonPath(doc, parseJsonPath('flag'))).toEqual({ found: true, value: false })
    expect(readJsonPath(doc, parseJsonPath('a.x.y'))).toEqual({ found: false, missing: 'a.x' })
    expect(readJsonPath(doc, parseJsonPath('a.b[5].c'))).toEqual({ found: false, missing: 'a.b[5]' })
    expect(readJsonPath(doc, parseJsonPath('a.b.length'))).toEqual({ found: false, missing: 'a.b.length' })
    expect(readJsonPath(doc, parseJsonPath('toString'))).toEqual({ found: false, missing: 'toString' })
  })
})
