/**
 * Check names as users write them in `checks:`: exact, or with `*` (any run of characters,
 * slashes included, since job names read "build / test") and `?` (one character).
 */
export function isPattern(text: string): boolean {
  return text.includes('*') || text.includes('?')
}

export function matchesName(pattern: string, name: string): boolean {
  if (!isPattern(pattern)) return pattern === name
  return compile(pattern).test(name)
}

const compiled = new Map<string, RegExp>()

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern)
  if (!regex) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')
    regex = new RegExp(`^${source}$`, 's')
    compiled.set(pattern, regex)
  }
  return regex
}
