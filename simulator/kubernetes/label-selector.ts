/**
 * Label selectors in both forms the API uses: the query-string syntax of `?labelSelector=`
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and the structured `LabelSelector` of object
 * specs (matchLabels + matchExpressions). Both compile to one list of requirements.
 */
import { badRequest } from './api-errors.js'
import type { LabelSelector } from './kube-types.js'

export interface Requirement {
  key: string
  operator: 'in' | 'notin' | 'exists' | 'doesnotexist'
  values: string[]
}

/** A selector that matches everything when empty; `null` selectors match nothing. */
export type Selector = Requirement[] | null

export function matches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  if (selector === null) return false
  const have = labels ?? {}
  return selector.every((r) => {
    const present = Object.hasOwn(have, r.key)
    switch (r.operator) {
      case 'exists':
        return present
      case 'doesnotexist':
        return !present
      case 'in':
        return present && r.values.includes(have[r.key]!)
      case 'notin':
        return !present || !r.values.includes(have[r.key]!)
    }
  })
}

/** Parses `?labelSelector=`; a syntax error is a 400 as on a real apiserver. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (!text || !text.trim()) return []
  return splitTopLevel(text).map((part) => parseRequirement(part.trim(), text))
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of text) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}

const keyPattern = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/

function parseRequirement(part: string, whole: string): Requirement {
  const fail = (): never => {
    throw badRequest(
      `unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt (in "${whole}")`
    )
  }
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part)
  if (setMatch) {
    const [, key, op, list] = setMatch
    if (!keyPattern.test(key!)) fail()
    const values = list!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
    return { key: key!, operator: op as 'in' | 'notin', values }
  }
  const compare = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part)
  if (compare) {
    const [, key, op, value] = compare
    if (!keyPattern.test(key!)) fail()
    return { key: key!, operator: op === '!=' ? 'notin' : 'in', values: [value!] }
  }
  if (part.startsWith('!')) {
    const key = part.slice(1).trim()
    if (!keyPattern.test(key)) fail()
    return { key, operator: 'doesnotexist', values: [] }
  }
  if (!keyPattern.test(part)) fail()
  return { key: part, operator: 'exists', values: [] }
}

/**
 * Compiles a spec `LabelSelector`. As in metav1.LabelSelectorAsSelector, an empty selector
 * (`{}`) matches everything and a missing one (null/undefined) matches nothing.
 */
export function fromLabelSelector(selector: LabelSelector | null | undefined): Selector {
  if (!selector) return null
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: 'in',
    values: [value]
  }))
  for (const expression of selector.matchExpressions ?? []) {
    const operator = expression.operator.toLowerCase() as Requirement['operator']
    requirements.push({ key: expression.key, operator, values: expression.values ?? [] })
  }
  return requirements
}

/** The query-string form of a spec selector, as the Scale subresource reports it. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const requirements = fromLabelSelector(selector) ?? []
  return requirements
    .map((r) => {
      if (r.operator === 'exists') return r.key
      if (r.operator === 'doesnotexist') return `!${r.key}`
      if (r.values.length === 1 && r.operator === 'in') return `${r.key}=${r.values[0]}`
      return `${r.key} ${r.operator} (${r.values.join(',')})`
    })
    .sort()
    .join(',')
}
