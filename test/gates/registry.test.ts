import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { z } from 'zod'
import { parsePromotionConfig } from '../../src/config/parse-config.js'
import { ConfigurationError } from '../../src/runtime/errors.js'
import { findGate, gateCatalog, gates } from '../../src/gates/registry.js'

const GATES_DIR = join(import.meta.dirname, '..', '..', 'src', 'gates')
const HEAVY = [
  '@actions/github',
  '@actions/core',
  '@kubernetes/client-node',
  '@octokit/',
  '../kubernetes/api/kubernetes-api.js',
  '../kubernetes/api/client-factory.js',
  '../kubernetes/lock/lease-lock.js',
  '../github/octokit-factory.js'
]

describe('gate registry', () => {
  it('registers the sixteen gates the seed needs, each with a description and documented settings', () => {
    expect(gates.map((g) => g.name)).toEqual([
      'required-checks',
      'upstream-deployed',
      'upstream-running',
      'upstream-healthy',
      'security',
      'performance',
      'migration',
      'freeze',
      'approval',
      'concurrency',
      'parity',
      'config',
      'secrets',
      'disruption',
      'capacity',
      'tls'
    ])
    for (const gate of gates) {
      expect(gate.description.length).toBeGreaterThan(60)
      const schema = z.toJSONSchema(gate.settings, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, { description?: string }>
      }
      for (const [key, property] of Object.entries(schema.properties ?? {}))
        expect([gate.name, key, property.description ?? ''].join(' ')).toMatch(/\w+ \S+ .{10,}/)
    }
    expect(findGate('freeze')?.name).toBe('freeze')
    expect(findGate('nope')).toBeUndefined()
  })

  it('gate files load no heavy client: they receive clients through their context', () => {
    for (const file of readdirSync(GATES_DIR).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(GATES_DIR, file), 'utf8')
      const runtimeImports = [...source.matchAll(/^import (?!type )[^'"]*from '([^']+)'/gm)].map((m) => m[1]!)
      for (const heavy of HEAVY)
        expect({ file, imports: runtimeImports.filter((i) => i.startsWith(heavy)) }).toEqual({
          file,
          imports: []
        })
    }
  })

  it('lets the config express every gate the seed lists, from development to production', () => {
    const config = parsePromotionConfig(
      `
environments:
  development:
    namespace: dev
    targets: [{ name: web }]
    image: { repository: ghcr.io/acme/web }
  staging:
    from: development
    namespace: staging
    targets: [{ name: web }]
    gates:
      - uses: required-checks
        name: unit tests, lint and type checks
        with: { checks: [unit-tests, lint, typecheck] }
      - uses: required-checks
        name: image built
        with: { checks: ['build / image'], wait: 10m }
      - uses: upstream-deployed
  production:
    from: staging
    namespace: prod
    targets: [{ name: web }]
    health:
      http: [{ name: version, url: 'https://staging.example.com/healthz' }]
    gate-policy: { pending: wait, timeout: 30m }
    gates:
      - uses: required-checks
        name: integration tests against staging
        with: { checks: ['integration (staging)'] }
      - uses: performance
        with:
          results: bench/results.json
          baseline: bench/baseline.json
          metrics:
            - { path: latency.p95, max: 250, max-increase: 10, unit: ms }
            - { path: throughput.rps, min: 1000, max-decrease: 5 }
      - uses: security
        with: { severity: critical }
      - uses: approval
      - uses: migration
        with: { check: 'migrate (staging data)' }
      - uses: upstream-running
      - uses: upstream-healthy
      - uses: freeze
        with:
          windows:
            - { name: weekend, time-zone: Europe/Berlin, weekly: { from: 'fri 16:00', to: 'mon 08:00' } }
            - { name: year end, time-zone: America/New_York, dates: { from: '2025-12-22', to: '2026-01-02' } }
      - uses: concurrency
`,
      'promotion.yml',
      gateCatalog
    )
    expect(config.environments.get('production')!.gates.map((g) => g.uses)).toHaveLength(9)
  })

  it('reports a bad gate setting with the path under with', () => {
    let error: unknown
    try {
      parsePromotionConfig(
        `environments:\n  production:\n    namespace: p\n    targets: [{name: web}]\n    gates: [{ uses: security, with: { severity: severe } }]\n`,
        'p.yml',
        gateCatalog
      )
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).problems).toContainEqual({
      path: 'p.yml: environments.production.gates[0].with.severity',
      value: 'severe',
      expected: 'one of: low, medium, high, critical'
    })
  })
})
