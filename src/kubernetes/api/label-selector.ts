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
    const present = Object.hasOwn(have, expression.key)
    const value = have[expression.key]
    switch (expression.operator) {
      case 'In':
        if (!present || !(expression.values ?? []).includes(value!)) return false
        break
      case 'NotIn':
        if (present && (expression.values ?? []).includes(value!)) return false
        break
      case 'Exists':
        if (!present) return false
        break
      case 'DoesNotExist':
        if (present) return false
        break
      default:
        throw new Error(
          `unknown label selector operator ${JSON.stringify(expression.operator)} for key ${expression.key}`
        )
    }
  }
  return true
}
