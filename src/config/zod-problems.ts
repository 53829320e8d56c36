import type { z } from 'zod'
import type { Problem } from '../runtime/errors.js'

/** Formats a zod path the way a user writes it: environments.staging.targets[0].name */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else {
      const name = String(key)
      out += /^[A-Za-z_$][\w$-]*$/.test(name) ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`
    }
  }
  return out
}

/** What zod's issue says was expected, phrased for a person. */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // Our own messages (set with { error }) are already phrased as the expectation.
      return issue.message.startsWith('Invalid input') ? article(issue.expected) : issue.message
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of: ${issue.values.map((v) => String(v)).join(', ')}`
    case 'too_small':
      return issue.message.startsWith('Too small')
        ? `${sizeWord(issue.origin)} of at least ${issue.minimum}${unit(issue.origin)}`
        : issue.message
    case 'too_big':
      return issue.message.startsWith('Too big')
        ? `${sizeWord(issue.origin)} of at most ${issue.maximum}${unit(issue.origin)}`
        : issue.message
    case 'unrecognized_keys':
      return 'no such key here (check the spelling against the config reference)'
    case 'invalid_union':
      return issue.message === 'Invalid input' ? 'one of the documented forms' : issue.message
    default:
      return issue.message
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function sizeWord(origin: string): string {
  return origin === 'array' || origin === 'set' ? 'a list' : origin === 'string' ? 'text' : 'a number'
}

function unit(origin: string): string {
  return origin === 'array' || origin === 'set' ? ' item(s)' : origin === 'string' ? ' character(s)' : ''
}

/**
 * Turns zod issues into Problems. `locate` maps a path inside the validated value to
 * the path the user should look at (e.g. the layer that supplied the value).
 */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  locate: (path: PropertyKey[]) => string = (p) => formatPath(p)
): Problem[] {
  const problems: Problem[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = issue.input as Record<string, unknown> | undefined
      for (const key of issue.keys)
        problems.push({
          path: locate([...issue.path, key]),
          value: parent?.[key],
          expected: expectedOf(issue)
        })
      continue
    }
    problems.push({ path: locate([...issue.path]), value: issue.input, expected: expectedOf(issue) })
  }
  return problems
}
