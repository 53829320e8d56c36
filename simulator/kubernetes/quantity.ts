/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): parsing, the canonical
 * form the apiserver writes back (`1000m` -> `1`, `1024Mi` -> `1Gi`, `0.5` -> `500m`, `2000` ->
 * `2k`, `1.5Gi` -> `1536Mi`), addition and comparison. Values are exact to the nano unit, as
 * upstream rounds anything finer up.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'

export interface Quantity {
  /** The value in units of 10^-9. */
  nanos: bigint
  format: QuantityFormat
}

export const quantityPattern = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
const syntax = new RegExp(quantityPattern)

export class QuantityError extends Error {}

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18
}
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 }
const decimalNames = new Map(Object.entries(decimalSuffixes).map(([name, exponent]) => [exponent, name]))
const binaryNames = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']
const nano = 1_000_000_000n

function pow(base: bigint, exponent: number): bigint {
  return base ** BigInt(exponent)
}

/** Parses a quantity string (or a JSON number, which the apiserver accepts too). */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? String(input) : input
  const match = syntax.exec(text.trim() === text ? text : '')
  if (!match) throw new QuantityError(`quantities must match the regular expression '${quantityPattern}'`)
  const [, numberPart, suffix] = match as unknown as [string, string, string]
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(numberPart)) {
    throw new QuantityError(`quantities must match the regular expression '${quantityPattern}'`)
  }
  let format: QuantityFormat
  let base10 = 0
  let base1024 = 0
  if (suffix in decimalSuffixes) {
    format = 'DecimalSI'
    base10 = decimalSuffixes[suffix]!
  } else if (suffix in binarySuffixes) {
    format = 'BinarySI'
    base1024 = binarySuffixes[suffix]!
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    format = 'DecimalExponent'
    base10 = Number.parseInt(suffix.slice(1), 10)
  } else {
    throw new QuantityError("unable to parse quantity's suffix")
  }
  const negative = numberPart.startsWith('-')
  const unsigned = numberPart.replace(/^[+-]/, '')
  const [whole = '', fraction = ''] = unsigned.split('.')
  const digits = BigInt(`${whole}${fraction}` || '0')
  // value = digits * 10^(base10 - fraction.length) * 1024^base1024, in nanos (rounded up)
  const exponent = base10 - fraction.length + 9
  let scaled = digits * pow(1024n, base1024)
  if (exponent >= 0) scaled *= pow(10n, exponent)
  else {
    const divisor = pow(10n, -exponent)
    scaled = scaled / divisor + (scaled % divisor === 0n ? 0n : 1n)
  }
  return { nanos: negative ? -scaled : scaled, format }
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(quantity: Quantity): string {
  const { nanos } = quantity
  if (nanos === 0n) return '0'
  if (quantity.format === 'BinarySI') {
    const whole = nanos / nano
    const small = whole > -1024n && whole < 1024n
    if (!small && nanos % nano === 0n) {
      let amount = whole
      let exponent = 0
      while (exponent < 6 && amount % 1024n === 0n) {
        amount /= 1024n
        exponent++
      }
      return `${amount}${binaryNames[exponent]}`
    }
  }
  let amount = nanos
  let exponent = -9
  while (amount % 10n === 0n) {
    amount /= 10n
    exponent++
  }
  const remainder = ((exponent % 3) + 3) % 3
  if (remainder !== 0) {
    amount *= pow(10n, remainder)
    exponent -= remainder
  }
  if (quantity.format !== 'DecimalExponent' && decimalNames.has(exponent)) {
    return `${amount}${decimalNames.get(exponent)}`
  }
  return exponent === 0 ? `${amount}` : `${amount}e${exponent}`
}

/** Canonical form of a quantity string, as the apiserver stores it. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input))
}

/** Quantity.Add: the sum keeps the first operand's format unless that operand is zero. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format }
}

export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return b.nanos > a.nanos ? b : a
}

export const zeroQuantity: Quantity = { nanos: 0n, format: 'DecimalSI' }
