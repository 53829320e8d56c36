import type { V1LabelSelector } from '@kubernetes/client-node'

/**
 * A LabelSelector object as the `labelSelector` query string the API takes
 * (`app=api,tier in (web,edge),!legacy`). An empty selector selects everything ("").
 */
export function labelSelectorString(selector: V1LabelSelector | undefined): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) parts.push(`${key}=${value}`)
  for (const expression of selector?.matchExpressions ?? []) {
    const values = `(${[...(expression.values ?? [])].sort().join(',')})`
    switch (expression.operator) {
      case 'In':
        parts.push(`${expression.key} in ${values}`)
        break
      case 'NotIn':
        parts.push(`${expression.key} notin ${values}`)
        break
      case 'Exists':
        parts.push(expression.key)
        break
      case 'DoesNotExist':
        parts.push(`!${expression.key}`)
        break
      default:
        throw new Error(
          `unknown label selector operator ${JSON.stringify(expression.operator)} for key ${expression.key}`
        )
    }
  }
  return parts.join(',')
}

/** Whether `labels` satisfy a LabelSelector, as the API server decides it (an empty selector matches all). */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: V1LabelSelector | undefined
): boolean {
  const have = labels ?? {}
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    if (have[key] !== value) return false
  for (const expression of selector?.matchExpressions ?? []) {
    const met = meetsRequirement(
      expression.operator,
      Object.hasOwn(have, expression.key) ? have[expression.key] : undefined,
      expression.values
    )
    if (met === undefined)
      throw new Error(
        `unknown label selector operator ${JSON.stringify(expression.operator)} for key ${expression.key}`
      )
    if (!met) return false
  }
  return true
}

/**
 * One set-based requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`) on a value that is
 * present (a string) or not (undefined), as label selectors and ResourceQuota scope selectors
 * judge it; undefined for an operator it does not know.
 */
export function meetsRequirement(
  operator: string,
  value: string | undefined,
  values: readonly string[] = []
): boolean | undefined {
  const present = value !== undefined
  switch (operator) {
    case 'In':
      return present && values.includes(value)
    case 'NotIn':
      return !(present && values.includes(value))
    case 'Exists':
      return present
    case 'DoesNotExist':
      return !present
    default:
      return undefined
  }
}
