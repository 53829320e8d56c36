import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import { startHealthServer, type HealthServer } from '../../../simulator/health/index.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { UnmaskedLogger } from '../../health/support/checks.js'
import { createTestPki, type TestPki } from '../../support/test-pki.js'
import { QUICK_POLICY, runVerify, SHA, workspaceWith } from './support.js'

function config(http: string, extra = ''): string {
  return `version: 1
environments:
  staging:
    url: https://staging.example.com
    namespace: shop
    targets:
      - name: web
    health:
      kubernetes:
        rollout: false
        no-restarts: false${QUICK_POLICY}
      http:
${http}${extra}
`
}

describe('verify stage: HTTP checks through the stage', () => {
  let server: HealthServer
  let github: GitHubEmulator
  let workspace: { dir: string; remove(): void } | undefined

  beforeEach(async () => {
    server = await startHealthServer()
    github = await startGitHubEmulator()
  })
  afterEach(async () => {
    workspace?.remove()
    workspace = undefined
    await server.close()
    try {
      github.assertNoViolations()
    } finally {
      await github.close()
    }
  })

  const githubEnv = () => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`
  })
  const statuses = (id: number) => github.state.deploymentStatuses[id] ?? []

  it('is healthy when every endpoint passes, even one that starts slowly, and closes the record as success', async () => {
    server.route('/healthz', { kind: 'up' })
    server.route('/ready', { kind: 'down-then-up', downForHits: 2 })
    const deployment = github.addDeployment({
      environment: 'staging',
      sha: SHA,
      statuses: [{ state: 'in_progress' }]
    })
    workspace = workspaceWith(
      config(`        - name: healthz
          url: ${server.url}/healthz
        - name: ready
          url: ${server.url}/ready`)
    )
    const logger = new RecordingLogger()
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger,
      inputs: { 'github-token': github.token },
      env: githubEnv()
    })

    expect(io.failed).toBeUndefined()
    expect(io.outputs['healthy']).toBe('true')
    const latencies = JSON.parse(io.outputs['latencies']!) as Record<string, { p50: number; p95: number }>
    expect(Object.keys(latencies).sort()).toEqual(['healthz', 'ready'])
    expect(latencies['healthz']!.p50).toEqual(expect.any(Number))
    const report = JSON.parse(io.outputs['report']!)
    expect(report.verification.checks).toEqual([
      expect.objectContaining({ name: 'healthz', healthy: true, attempts: 2 }),
      expect.objectContaining({ name: 'ready', healthy: true, attempts: 4 })
    ])
    expect(report.deployment).toMatchObject({ id: deployment.id, state: 'success' })
    expect(statuses(deployment.id).at(-1)).toMatchObject({
      state: 'success',
      environment_url: 'https://staging.example.com'
    })
    expect(io.summary).toContain('| Check | Attempts | Status | p50 | p95 | Details |')
    expect(io.summary).toMatch(/\| ready \| 4 \| ✅ healthy \| \d+ ms \| \d+ ms \|/)
    // Every probe is in the log with its status, latency and reason.
    expect(logger.text).toMatch(/health check "ready": attempt 1: 503 in [\d.]+ ms: .*retrying/)
  })

  it('fails on a wrong served version, closes the record as failure with the reason, and fails the step', async () => {
    server.route('/version', { kind: 'version', version: 'v1.0.0' })
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA })
    workspace = workspaceWith(
      config(`        - name: version
          url: ${server.url}/version
          expect:
            json:
              - path: version
                equals: \${version}`).replace('deadline: 2s', 'deadline: 300ms')
    )
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: { 'github-token': github.token, image: 'ghcr.io/acme/shop:v2.0.0' },
      env: githubEnv()
    })

    expect(io.outputs['healthy']).toBe('false')
    expect(io.failed).toMatch(/staging is not healthy on ghcr\.io\/acme\/shop:v2\.0\.0: version: .*v2\.0\.0/)
    const report = JSON.parse(io.outputs['report']!)
    // A wrong version is retried (the old pods may still answer) until the deadline.
    expect(report.verification.checks[0]).toMatchObject({ name: 'version', healthy: false })
    expect(report.verification.checks[0].detail).toMatch(/deadline.*v1\.0\.0/)
    const last = statuses(deployment.id).at(-1)!
    expect(last.state).toBe('failure')
    expect(last.description).toMatch(/^Unhealthy: version: /)
    expect(last.environment_url).toBe('')
    expect(io.summary).toContain('❌ failed')
  })

  it('fails a 404 at once but retries a 503, reporting every check, not just the first failure', async () => {
    server.route('/unavailable', { kind: 'status', code: 503 })
    workspace = workspaceWith(
      config(`        - name: missing
          url: ${server.url}/missing
        - name: unavailable
          url: ${server.url}/unavailable
          timeout: 200ms`).replace('deadline: 2s', 'deadline: 400ms')
    )
    const { io } = await runVerify({ workspace: workspace.dir, logger: new RecordingLogger() })

    const report = JSON.parse(io.outputs['report']!)
    const [missing, unavailable] = report.verification.checks
    expect(missing).toMatchObject({ healthy: false, attempts: 1 })
    expect(unavailable.healthy).toBe(false)
    expect(unavailable.attempts).toBeGreaterThan(2)
    expect(report.deployment).toEqual({ id: null, note: 'not closed: no github-token' })
    expect(io.failed).toMatch(/missing: .*404/)
    expect(io.failed).toMatch(/unavailable: .*503/)
  })

  it('never shows a secret header value in the log, outputs, summary, failure or Deployment status', async () => {
    const secret = 'sk-live-7f3a9c1e5b2d4f60'
    server.route('/echo', { kind: 'echo-headers' })
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA })
    workspace = workspaceWith(
      config(`        - name: echo
          url: ${server.url}/echo
          headers:
            Authorization:
              from-env: HEALTH_TOKEN
          expect:
            body-contains: not-in-the-body
        - name: echo-json
          url: ${server.url}/echo
          headers:
            X-Api-Key:
              from-env: HEALTH_TOKEN
          expect:
            json:
              - path: headers.x-api-key
                equals: something-else`).replace('deadline: 2s', 'deadline: 300ms')
    )
    const logger = new UnmaskedLogger()
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger,
      inputs: { 'github-token': github.token },
      env: { ...githubEnv(), HEALTH_TOKEN: secret }
    })

    expect(io.outputs['healthy']).toBe('false')
    // The server did receive the secret: it was sent, just never shown.
    expect(server.requests('/echo')[0]!.headers['authorization']).toBe(secret)
    const everything = [
      logger.text,
      JSON.stringify(io.outputs),
      io.summary,
      io.failed ?? '',
      JSON.stringify(statuses(deployment.id))
    ].join('\n')
    expect(everything).not.toContain(secret)
    expect(everything).toContain('***')
  })

  it('reports every input problem, then a missing from-env variable, before any request', async () => {
    server.route('/healthz', { kind: 'up' })
    workspace = workspaceWith(
      config(`        - name: healthz
          url: ${server.url}/healthz
          headers:
            Authorization:
              from-env: NOT_SET_ANYWHERE`)
    )
    const badInputs = new RecordingLogger()
    const first = await runVerify({
      workspace: workspace.dir,
      logger: badInputs,
      inputs: {
        'github-token': github.token,
        'on-failure': 'sometimes',
        'deployment-id': 'abc',
        timeout: '5 minutes'
      },
      env: githubEnv()
    })
    expect(first.io.failed).toMatch(/Configuration error: 3 problem\(s\)/)
    const errors = badInputs.messages('error').join('\n')
    expect(errors).toContain('input on-failure: got "sometimes"; expected one of: rollback, report')
    expect(errors).toContain('input deployment-id')
    expect(errors).toContain('input timeout')

    const missingVariable = new RecordingLogger()
    const second = await runVerify({
      workspace: workspace.dir,
      logger: missingVariable,
      inputs: { 'github-token': github.token },
      env: githubEnv()
    })
    expect(second.io.failed).toMatch(/Configuration error: 1 problem\(s\)/)
    expect(missingVariable.messages('error').join('\n')).toMatch(
      /health\.http\[0\]\.headers\.Authorization\.from-env: got "NOT_SET_ANYWHERE"/
    )

    expect(server.hits('/healthz')).toBe(0)
    expect(github.requests).toHaveLength(0)
    expect(first.io.outputs).toEqual({})
    expect(second.io.outputs).toEqual({})
  })

  it('closes the Deployment named by deployment-id rather than searching', async () => {
    server.route('/healthz', { kind: 'up' })
    const other = github.addDeployment({ environment: 'staging', sha: SHA })
    const named = github.addDeployment({ environment: 'staging', sha: 'd'.repeat(40) })
    workspace = workspaceWith(config(`        - url: ${server.url}/healthz`))
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: {
        'github-token': github.token,
        'deployment-id': String(named.id),
        'environment-url': 'https://pr-7.example.com'
      },
      env: githubEnv()
    })
    expect(io.outputs['healthy']).toBe('true')
    expect(statuses(named.id).at(-1)).toMatchObject({
      state: 'success',
      environment_url: 'https://pr-7.example.com'
    })
    expect(statuses(other.id)).toHaveLength(0)
  })

  describe('TLS', () => {
    let pki: TestPki
    let tlsServer: HealthServer
    beforeEach(async () => {
      pki = createTestPki()
      tlsServer = await startHealthServer({ https: { key: pki.key, cert: pki.cert } })
      tlsServer.route('/healthz', { kind: 'up' })
    })
    afterEach(async () => {
      await tlsServer.close()
      pki.remove()
    })

    it('trusts an endpoint signed by the CA bundle given in the config, and only that', async () => {
      workspace = workspaceWith(
        config(`        - name: trusted
          url: ${tlsServer.url}/healthz
          tls:
            ca-file: ${pki.caFile}
        - name: untrusted
          url: ${tlsServer.url}/healthz
          tls:
            ca-pem: |
${pki.otherCaPem
  .trim()
  .split('\n')
  .map((line) => `              ${line}`)
  .join('\n')}`)
      )
      const { io } = await runVerify({ workspace: workspace.dir, logger: new RecordingLogger() })
      const report = JSON.parse(io.outputs['report']!)
      expect(
        report.verification.checks.map((c: { name: string; healthy: boolean }) => [c.name, c.healthy])
      ).toEqual([
        ['trusted', true],
        ['untrusted', false]
      ])
    })
  })
})
