import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { app, ENVIRONMENTS, pdb, startCheckWorld, threeEnvironments, type CheckWorld } from './support.js'

describe('check stage: the drift report across every environment pair', () => {
  let world: CheckWorld
  beforeEach(async () => {
    world = await startCheckWorld()
  })
  afterEach(async () => {
    await world.close()
  })

  function matching() {
    for (const env of ENVIRONMENTS) world.sim.create(app(env.namespace, { replicas: env.replicas }))
    world.sim.create(pdb('shop'))
  }

  it('reports no drift when every environment matches its upstream, running the checks that apply by default', async () => {
    world.config(threeEnvironments())
    matching()
    const run = await world.run()
    expect(run.io.failed).toBeUndefined()
    expect(run.io.outputs['drift']).toBe('false')
    expect(run.report.schemaVersion).toBe(1)
    expect(
      run.report.environments.map((e) => ({
        environment: e.environment,
        checks: e.checks.map((c) => `${c.check}:${c.status}`)
      }))
    ).toEqual([
      {
        environment: 'development',
        checks: ['config:passed', 'secrets:passed', 'capacity:passed', 'tls:passed']
      },
      {
        environment: 'staging',
        checks: ['parity:passed', 'config:passed', 'secrets:passed', 'capacity:passed', 'tls:passed']
      },
      {
        environment: 'production',
        checks: [
          'parity:passed',
          'config:passed',
          'secrets:passed',
          'disruption:passed',
          'capacity:passed',
          'tls:passed'
        ]
      }
    ])
    expect(run.io.summary).toContain('## ✅ Drift report: no drift in 3 environment(s)')
    expect(run.io.summary).toContain(
      '| Environment | From | parity | config | secrets | disruption | capacity | tls |'
    )
    expect(run.io.summary).toContain('| production | staging | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |')
  })

  it('reports drift in the summary tables and the JSON, and the step still succeeds', async () => {
    world.config(threeEnvironments())
    world.sim.create(app('shop-dev'))
    world.sim.create(
      app('shop-staging', {
        replicas: 2,
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'FEATURE_FLAGS_URL', value: 'https://flags.staging.example.com' }
        ]
      })
    )
    world.sim.create(app('shop', { replicas: 3 }))
    const run = await world.run()
    expect(run.io.failed).toBeUndefined()
    expect(run.io.outputs['drift']).toBe('true')
    const production = run.report.environments.find((e) => e.environment === 'production')!
    expect(production.drift).toBe(true)
    expect(production.checks.filter((c) => c.status !== 'passed').map((c) => c.check)).toEqual([
      'parity',
      'disruption'
    ])
    const parity = production.checks.find((c) => c.check === 'parity')!
    expect(parity.findings).toEqual([
      { workload: 'deployment/web', dimension: 'replicas', upstream: '2', target: '3', allowed: true },
      {
        workload: 'deployment/web',
        dimension: 'env',
        scope: 'app',
        key: 'FEATURE_FLAGS_URL',
        upstream: 'value',
        target: 'absent',
        allowed: false
      }
    ])
    // staging against development: staging has the variable development lacks.
    expect(run.report.environments.find((e) => e.environment === 'staging')!.drift).toBe(true)
    expect(run.io.summary).toContain('## ❌ Drift report: 2 of 3 environment(s) drifted')
    expect(run.io.summary).toContain(
      '| deployment/web | env | app / FEATURE_FLAGS_URL | staging value | absent | **no** |'.replace(
        'staging value',
        'value'
      )
    )
    expect(run.io.summary).toContain('no PodDisruptionBudget selects its pods')
    expect(JSON.stringify(run)).not.toContain('flags.staging.example.com')
  })

  it("runs as the root action's stage: check, without an environment input", async () => {
    world.config(threeEnvironments())
    matching()
    const run = await world.run({ stage: 'check' }, { root: true })
    expect(run.io.failed).toBeUndefined()
    expect(run.io.outputs['drift']).toBe('false')
  })

  it('fails the step on drift only with fail-on: drift', async () => {
    world.config(threeEnvironments())
    for (const env of ENVIRONMENTS) world.sim.create(app(env.namespace, { replicas: env.replicas }))
    const run = await world.run({ 'fail-on': 'drift' })
    expect(run.io.outputs['drift']).toBe('true')
    expect(run.io.failed).toMatch(/^Drift in production: production disruption: /)
  })

  it('runs the checks an environment names with their settings, and counts one that cannot finish as drift', async () => {
    world.config(
      threeEnvironments({
        production:
          '    gates:\n      - uses: config\n        name: twelve-factor\n        with: { required-env: [DATABASE_URL] }\n'
      })
    )
    matching()
    world.sim.denyRequests({ verb: 'list', resource: 'ingresses', namespace: 'shop-dev' })
    const run = await world.run()
    const production = run.report.environments.find((e) => e.environment === 'production')!
    expect(production.checks.find((c) => c.check === 'config')).toMatchObject({
      name: 'twelve-factor',
      configured: true,
      status: 'failed',
      summary:
        'production is missing configuration: default/shop/deployment/web: container app: required variable DATABASE_URL is not set (neither in env nor through envFrom)'
    })
    const tls = run.report.environments[0]!.checks.find((c) => c.check === 'tls')!
    expect(tls.status).toBe('errored')
    expect(tls.summary).toContain('ingresses')
    expect(run.report.environments[0]!.drift).toBe(true)
  })

  it("reports a configured check's config problems before reading anything", async () => {
    world.config(
      threeEnvironments().replace(
        '  development:\n    namespace: shop-dev\n',
        '  development:\n    namespace: shop-dev\n    gates: [{ uses: parity }]\n'
      )
    )
    const from = world.sim.requestLog.length
    const run = await world.run()
    expect(run.io.failed).toMatch(/^Configuration error/)
    const errors = run.logger.entries.filter((e) => e.level === 'error').map((e) => e.message)
    expect(errors.join('\n')).toContain('environments.development.gates[0] (uses: parity)')
    expect(errors.join('\n')).toContain('a from: on development')
    expect(world.sim.requestLog.length).toBe(from)
  })

  it('never echoes a secret the scan finds: not in the log, the summary or the outputs', async () => {
    const token = `ghp_${'Zq9'.repeat(12)}`
    mkdirSync(join(world.workspace, 'config'))
    world.write('config/staging.yaml', `app:\n  github_token: ${token}\n`)
    world.config(
      threeEnvironments().replace(
        '    namespace: shop-staging\n',
        '    namespace: shop-staging\n    gates: [{ uses: secrets, with: { paths: [config/staging.yaml] } }]\n'
      )
    )
    matching()
    const run = await world.run()
    const staging = run.report.environments.find((e) => e.environment === 'staging')!
    expect(staging.checks.find((c) => c.check === 'secrets')!.status).toBe('failed')
    expect(run.io.summary).toContain('config/staging.yaml')
    const everything = JSON.stringify(run.logger.entries) + run.io.summary + JSON.stringify(run.io.outputs)
    expect(everything).not.toContain(token)
    expect(everything).not.toContain(token.slice(4, 20))
  })
})
