/** intstr.GetScaledValueFromIntOrPercent: `25%` of a total, rounded up or down; ints as they are. */
import type { IntOrString } from '../kube-types.js'

export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0
  if (typeof value === 'number') return value
  const match = /^(\d+)%$/.exec(value)
  if (!match) return Number.parseInt(value, 10) || 0
  const exact = (Number(match[1]) * total) / 100
  return roundUp ? Math.ceil(exact) : Math.floor(exact)
}
