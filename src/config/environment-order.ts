import type { Problem } from '../runtime/errors.js'

/**
 * Environments form chains through `from` (development -> staging -> production).
 * Returns them ordered so every environment comes after the one it promotes from,
 * and a problem for every unknown `from` and every cycle.
 */
export function orderEnvironments(
  froms: ReadonlyMap<string, string | undefined>,
  pathOf: (env: string) => string
): { order: string[]; problems: Problem[] } {
  const problems: Problem[] = []
  const names = [...froms.keys()]
  for (const [env, from] of froms) {
    if (from === undefined) continue
    if (from === env)
      problems.push({ path: pathOf(env), value: from, expected: 'another environment than itself' })
    else if (!froms.has(from))
      problems.push({
        path: pathOf(env),
        value: from,
        expected: `one of the environments: ${names.join(', ')}`
      })
  }

  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const reported = new Set<string>()
  const visit = (env: string, trail: string[]): void => {
    if (state.get(env) === 'done') return
    if (state.get(env) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(env)), env]
      const key = [...cycle].sort().join(',')
      if (!reported.has(key)) {
        reported.add(key)
        problems.push({
          path: pathOf(env),
          value: froms.get(env),
          expected: `no cycle in from (found ${cycle.reverse().join(' -> ')})`
        })
      }
      return
    }
    state.set(env, 'visiting')
    const from = froms.get(env)
    if (from !== undefined && from !== env && froms.has(from)) visit(from, [...trail, env])
    state.set(env, 'done')
    order.push(env)
  }
  for (const env of names) visit(env, [])
  return { order, problems }
}
