/**
 * Kubernetes resource quantities (k8s.io/apimachinery `resource.Quantity`), held as BigInt
 * nano-units (10^-9) so that sums and comparisons are exact:
 *
 *   quantity := [+-] number suffix        number := digits | digits "." [digits] | "." digits
 *   suffix   := "" | binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m k M G T P E) | ("e"|"E") [+-] digits
 *
 * "1E" is one exa (the decimal suffix); "1E3" and "1e3" are 1000 (the exponent form).
 * The API server keeps no precision below 1n and rounds such values up; so does `parseQuantity`.
 */

export type NanoQuantity = bigint

export const QUANTITY_EXPECTED =
  'a Kubernetes quantity such as 500m, 1.5, 128974848, 1e3, 129M or 1Gi (suffixes n u m k M G T P E, Ki Mi Gi Ti Pi Ei)'

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([numkMGTPE]))?$/
const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 }
const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18
}
const NANO_PER_UNIT = 1_000_000_000n

/** Parses a quantity (a JSON number is read as its decimal text); undefined when malformed. */
export function parseQuantity(value: string | number): NanoQuantity | undefined {
  const text = typeof value === 'number' ? numberText(value) : value.trim()
  if (text === undefined) return undefined
  const match = QUANTITY.exec(text)
  if (!match) return undefined
  const [, sign, whole = '', fraction = '', binary, exponent, decimal] = match
  if (whole === '' && fraction === '') return undefined
  if (exponent !== undefined && exponent.replace(/^[+-]/, '').length > 4) return undefined

  let magnitude = BigInt(`${whole}${fraction}` || '0')
  if (binary !== undefined) magnitude *= 1024n ** BigInt(BINARY_POWER[binary]!)
  const power =
    9 -
    fraction.length +
    (exponent !== undefined ? Number(exponent) : decimal !== undefined ? DECIMAL_EXPONENT[decimal]! : 0)
  let nano: bigint
  if (power >= 0) nano = magnitude * 10n ** BigInt(power)
  else {
    const divisor = 10n ** BigInt(-power)
    nano = magnitude / divisor + (magnitude % divisor === 0n ? 0n : 1n)
  }
  return sign === '-' ? -nano : nano
}

function numberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined
  // String(1e21) is "1e+21", which the grammar reads as an exponent; that is what we want.
  return String(value)
}

/**
 * A quantity as a person reads it: whole units, then the largest exact binary suffix when
 * `binary` (memory, storage), else milli- or nano-units (`250m`, `1500m`, `3n`).
 */
export function formatQuantity(nano: NanoQuantity, options: { binary?: boolean } = {}): string {
  if (nano < 0n) return `-${formatQuantity(-nano, options)}`
  if (nano % NANO_PER_UNIT === 0n) {
    const units = nano / NANO_PER_UNIT
    if (options.binary && units > 0n) {
      for (const [suffix, power] of Object.entries(BINARY_POWER).reverse()) {
        const size = 1024n ** BigInt(power)
        if (units % size === 0n) return `${units / size}${suffix}`
      }
    }
    return `${units}`
  }
  if (nano % 1_000_000n === 0n) return `${nano / 1_000_000n}m`
  return `${nano}n`
}

/** Whether a resource name counts bytes (memory, storage, huge pages), for `formatQuantity`. */
export function isByteResource(resource: string): boolean {
  const bare = resource.replace(/^(requests|limits)\./, '')
  return bare === 'memory' || bare.includes('storage') || bare.startsWith('hugepages-')
}
