import { describe, expect, it } from '@jest/globals'
import { parsePromotionConfig } from '../../src/config/parse-config.js'
import { ConfigurationError } from '../../src/runtime/errors.js'

const problemsOf = (yaml: string): string[] => {
  try {
    parsePromotionConfig(yaml, 'promotion.yml')
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message.split('\n')
    throw error
  }
  throw new Error('expected a configuration error')
}

describe('promotion config', () => {
  const base = `
defaults:
  namespace: shop
  image: { repository: ghcr.io/acme/web }
  targets: [{ name: web }]
  rollout: { timeout: 5m, fail-fast: { failing-pods: 2 } }
environments:
  development: {}
  staging: { from: development, namespace: shop-staging }
  production: { from: staging, production: true, rollout: { rollback: never } }
`

  it('orders environments so each follows the one it promotes from', () => {
    const config = parsePromotionConfig(
      'environments:\n  production: { from: staging }\n  staging: { from: development }\n  development: {}\ndefaults: { namespace: a, targets: [{ name: web }] }\n',
      'p.yml'
    )
    expect(config.order).toEqual(['development', 'staging', 'production'])
  })

  it('merges defaults into each environment key by key, the environment winning', () => {
    const production = parsePromotionConfig(base, 'p.yml').environments.get('production')!
    expect(production.namespace).toBe('shop')
    expect(production.rollout).toMatchObject({
      timeout: 300_000,
      rollback: 'never',
      'fail-fast': { 'failing-pods': 2, enabled: true }
    })
    expect(parsePromotionConfig(base, 'p.yml').environments.get('staging')!.namespace).toBe('shop-staging')
  })

  it('replaces lists rather than splicing them', () => {
    const config = parsePromotionConfig(
      base.replace('staging: { from', 'staging: { targets: [{ name: api }], from'),
      'p.yml'
    )
    expect(config.environments.get('staging')!.targets.map((t) => t.name)).toEqual(['api'])
  })

  it('applies documented defaults', () => {
    const dev = parsePromotionConfig(base, 'p.yml').environments.get('development')!
    expect(dev.lock).toEqual({
      enabled: true,
      'lease-duration': 30_000,
      timeout: 900_000,
      'wait-for-deployments': true
    })
    expect(dev.clusters).toEqual([{ name: 'default', wave: 1, credentials: 'auto' }])
    expect(dev.image.tag).toBe('${sha}')
  })

  it('points a bad value at the layer that supplied it', () => {
    const problems = problemsOf(
      base.replace('timeout: 5m', 'timeout: five').replace('namespace: shop-staging', 'namespace: Shop')
    )
    expect(problems).toContainEqual(
      expect.stringContaining('promotion.yml: defaults.rollout.timeout: got "five"; expected a duration')
    )
    expect(problems).toContainEqual(
      expect.stringContaining('promotion.yml: environments.staging.namespace: got "Shop"')
    )
  })

  it('reports a bad value in defaults once, not once per environment', () => {
    const problems = problemsOf(base.replace('timeout: 5m', 'timeout: five'))
    expect(problems.filter((p) => p.includes('defaults.rollout.timeout'))).toHaveLength(1)
  })

  it('asks for a required value missing from both layers where an environment would set it', () => {
    const problems = problemsOf(base.replace('  targets: [{ name: web }]\n', ''))
    expect(problems).toContainEqual(
      expect.stringContaining('environments.development.targets: missing; expected at least one target')
    )
  })

  it('rejects a target with both a name and a selector', () => {
    expect(problemsOf(base.replace('[{ name: web }]', '[{ name: web, selector: app=web }]'))).toContainEqual(
      expect.stringContaining('exactly one of name or selector')
    )
  })

  it('reports cycles and unknown upstream environments together with schema problems', () => {
    const problems = problemsOf(
      base
        .replace('development: {}', 'development: { from: production }')
        .replace('rollback: never', 'rollback: sometimes')
    )
    expect(problems.join('\n')).toMatch(/no cycle in from/)
    expect(problems.join('\n')).toMatch(
      /environments.production.rollout.rollback: got "sometimes"; expected one of: auto, never/
    )
  })

  it('names the line of a YAML syntax error', () => {
    expect(problemsOf('environments:\n  a: [\n')).toContainEqual(
      expect.stringMatching(/expected valid YAML \(line \d+, column \d+/)
    )
  })
})
