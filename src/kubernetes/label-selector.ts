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
