import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startHealthServer, type HealthServer } from '../../simulator/health/index.js'
import { upstreamHealthy } from '../../src/gates/upstream-healthy.js'
import { environment, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'

describe('upstream-healthy gate', () => {
  let server: HealthServer
  let h: GateHarness
  beforeAll(async () => {
    server = await startHealthServer()
  })
  afterAll(async () => {
    await server.close()
  })
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  const staging = (http: unknown[]) =>
    environment({
      name: 'staging',
      namespace: 'shop-staging',
      health: { http, policy: { 'initial-backoff': '10ms', 'max-backoff': '20ms' } }
    })
  const run = (http: unknown[], settings: unknown = {}, env: NodeJS.ProcessEnv = {}) =>
    h.run(upstreamHealthy, settings, { upstream: staging(http), env })

  it('passes when the upstream health checks pass now, and proves the version it serves', async () => {
    server.route('/staging/healthz', { kind: 'version', version: SHA })
    server.route('/staging/ready', { kind: 'up' })
    const result = await run([
      {
        name: 'version',
        url: `${server.url}/staging/healthz`,
        expect: { json: [{ path: 'version', equals: '${sha}' }] }
      },
      { name: 'ready', url: `${server.url}/staging/ready` }
    ])
    expect(result).toMatchObject({ status: 'passed', summary: 'all 2 health check(s) of staging pass' })
    expect(result.evidence[0]).toMatchObject({
      label: 'version',
      url: `${server.url}/staging/healthz`,
      value: expect.stringMatching(/^✓ healthy, p50 [\d.]+ ms$/)
    })
  })

  it('fails naming each failing check and why', async () => {
    server.route('/staging/old', { kind: 'version', version: '0000000' })
    server.route('/staging/down', { kind: 'status', code: 404 })
    const result = await run(
      [
        {
          name: 'version',
          url: `${server.url}/staging/old`,
          expect: { json: [{ path: 'version', equals: '${sha}' }] }
        },
        { name: 'down', url: `${server.url}/staging/down` }
      ],
      { deadline: '200ms' }
    )
    expect(result.status).toBe('failed')
    expect(result.summary).toContain(`2 of 2 health check(s) of staging failing`)
    expect(result.summary).toContain(`json path version: expected "${SHA}", got "0000000"`)
    expect(result.summary).toContain('down (')
  })

  it('runs only the named checks', async () => {
    server.route('/staging/ok', { kind: 'up' })
    const result = await run(
      [
        { name: 'ok', url: `${server.url}/staging/ok` },
        { name: 'broken', url: `${server.url}/nowhere` }
      ],
      { checks: ['ok'] }
    )
    expect(result.status).toBe('passed')
  })

  it('errors when a header secret is not set in the environment', async () => {
    server.route('/staging/ok', { kind: 'up' })
    const result = await run([
      {
        name: 'ok',
        url: `${server.url}/staging/ok`,
        headers: { Authorization: { 'from-env': 'HEALTH_TOKEN' } }
      }
    ])
    expect(result.status).toBe('errored')
    expect(result.summary).toContain('environments.staging.health.http[0].headers.Authorization.from-env')
  })

  it('asks for an upstream with health checks, and for known check names', () => {
    const setup = {
      environmentName: 'production',
      environment: environment({}),
      hasImage: true,
      kubernetesConfigured: false
    }
    const settings = upstreamHealthy.settings.parse({ checks: ['nope'] })
    expect(upstreamHealthy.validate!(settings, { ...setup, upstream: undefined })).toEqual([
      'a from: on production naming the environment it promotes from'
    ])
    expect(upstreamHealthy.validate!(settings, { ...setup, upstream: staging([]) })).toEqual([
      'health.http checks on staging, the environment promoted from'
    ])
    expect(
      upstreamHealthy.validate!(settings, { ...setup, upstream: staging([{ name: 'ok', url: 'http://x/' }]) })
    ).toEqual(['with.checks naming health.http checks of staging (ok); unknown: nope'])
  })
})
