import { describe, expect, it } from '@jest/globals'
import { formatQuantity, parseQuantity } from '../../src/environment-checks/quantity.js'

const GI = 1024n ** 3n * 1_000_000_000n

describe('parseQuantity', () => {
  it.each<[string, string | number, bigint]>([
    ['millicores', '500m', 500_000_000n],
    ['a plain integer of bytes', '128974848', 128_974_848_000_000_000n],
    ['a decimal', '1.5', 1_500_000_000n],
    ['a JSON number', 2, 2_000_000_000n],
    ['binary gibibytes', '1Gi', GI],
    ['a fraction of a binary suffix', '1.5Ki', 1536_000_000_000n],
    ['decimal kilo', '1k', 1_000_000_000_000n],
    ['decimal mega', '129M', 129_000_000_000_000_000n],
    ['exa, not an exponent', '1E', 10n ** 18n * 1_000_000_000n],
    ['an exponent', '1e3', 1_000_000_000_000n],
    ['an upper-case exponent', '1E3', 1_000_000_000_000n],
    ['a negative exponent', '25e-2', 250_000_000n],
    ['nano', '3n', 3n],
    ['micro', '7u', 7_000n],
    ['a leading dot', '.5', 500_000_000n],
    ['a trailing dot', '5.', 5_000_000_000n],
    ['a sign', '-1', -1_000_000_000n],
    ['zero', '0', 0n],
    ['below a nano, rounded up', '0.1n', 1n]
  ])('%s (%s)', (_case, text, expected) => {
    expect(parseQuantity(text)).toBe(expected)
  })

  it('compares exactly where floating point would not: 0.1 + 0.2 is 0.3', () => {
    expect(parseQuantity('0.1')! + parseQuantity('0.2')!).toBe(parseQuantity('0.3'))
  })

  it.each([
    ['empty', ''],
    ['a unit only', 'Mi'],
    ['an unknown suffix', '1Kb'],
    ['two dots', '1.2.3'],
    ['a lower-case e without digits', '1e'],
    ['a space inside', '1 Gi'],
    ['a dot alone', '.']
  ])('rejects %s', (_case, text) => {
    expect(parseQuantity(text)).toBeUndefined()
  })
})

describe('formatQuantity', () => {
  it.each<[string, bigint, boolean, string]>([
    ['whole cores', 2_000_000_000n, false, '2'],
    ['millicores', 250_000_000n, false, '250m'],
    ['more than a core in millicores', 1_500_000_000n, false, '1500m'],
    ['gibibytes', GI, true, '1Gi'],
    ['mebibytes that are no whole gibibyte', 1536n * 1024n * 1024n * 1_000_000_000n, true, '1536Mi'],
    ['bytes without a binary multiple', 1000_000_000_000n, true, '1000'],
    ['nano-units', 3n, false, '3n']
  ])('%s', (_case, nano, binary, expected) => {
    expect(formatQuantity(nano, { binary })).toBe(expected)
  })
})
