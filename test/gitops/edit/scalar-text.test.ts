import { describe, expect, it } from '@jest/globals'
import { readsBackPlain, scalarText } from '../../../src/gitops/edit/scalar-text.js'

describe('scalarText', () => {
  it.each([
    'v1.2.3',
    'abc123',
    '1.9.1',
    'latest',
    'sha256:' + 'ab'.repeat(32),
    'ghcr.io/acme/api:1.0@sha256:ab',
    'nan'
  ])('keeps %s plain: every reader reads it back as that string', (value) => {
    expect(scalarText(value, 'PLAIN', 'block', 'QUOTE_SINGLE')).toBe(value)
  })

  it.each([
    ['1234567', 'an integer'],
    ['553640e6', 'a float in exponent form (a short SHA, kustomize#4081)'],
    ['1e10', 'a float'],
    ['3.6', 'a float'],
    ['.5', 'a float'],
    ['true', 'a boolean'],
    ['False', 'a boolean'],
    ['yes', 'a YAML 1.1 boolean'],
    ['y', 'a YAML 1.1 boolean'],
    ['on', 'a YAML 1.1 boolean'],
    ['0x1f', 'a hex integer'],
    ['012', 'an octal integer in YAML 1.1, decimal 12 in 1.2'],
    ['0o17', 'a YAML 1.2 octal integer'],
    ['1_000', 'a YAML 1.1 integer'],
    ['1:30', 'a YAML 1.1 sexagesimal integer'],
    ['2024-01-01', 'a YAML 1.1 timestamp'],
    ['null', 'null'],
    ['~', 'null'],
    ['.inf', 'infinity'],
    ['a #b', 'a value and a comment'],
    ['a: b', 'a mapping'],
    ['*x', 'an alias'],
    ['', 'null']
  ])('quotes %s, which YAML reads as %s', (value) => {
    expect(scalarText(value, 'PLAIN', 'block', 'QUOTE_DOUBLE')).toBe(JSON.stringify(value))
    expect(scalarText(value, 'PLAIN', 'block', 'QUOTE_SINGLE')).toBe(`'${value}'`)
  })

  it('quotes a plain value with a flow indicator only inside flow collections', () => {
    expect(scalarText('a,b', 'PLAIN', 'block', 'QUOTE_DOUBLE')).toBe('a,b')
    expect(scalarText('a,b', 'PLAIN', 'flow', 'QUOTE_DOUBLE')).toBe('"a,b"')
    expect(readsBackPlain('x]', 'flow')).toBe(false)
  })

  it('keeps the quote style of a quoted original even when plain would do', () => {
    expect(scalarText('v2', 'QUOTE_SINGLE', 'block', 'QUOTE_DOUBLE')).toBe("'v2'")
    expect(scalarText('v2', 'QUOTE_DOUBLE', 'flow', 'QUOTE_SINGLE')).toBe('"v2"')
  })

  it('escapes quotes the way each style needs', () => {
    expect(scalarText("it's", 'QUOTE_SINGLE', 'block', 'QUOTE_DOUBLE')).toBe("'it''s'")
    expect(scalarText('say "hi" \\o/', 'QUOTE_DOUBLE', 'block', 'QUOTE_DOUBLE')).toBe('"say \\"hi\\" \\\\o/"')
    expect(scalarText('two\nlines', 'QUOTE_SINGLE', 'block', 'QUOTE_SINGLE')).toBe('"two\\nlines"')
  })
})
