import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { upstreamDeployed } from '../../src/gates/upstream-deployed.js'
import { environment, OTHER_SHA, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'

describe('upstream-deployed gate', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })

  const deploy = (
    sha: string,
    ...states: ('success' | 'failure' | 'in_progress' | 'inactive' | 'queued')[]
  ) =>
    h.github.addDeployment({
      environment: 'staging',
      sha,
      statuses: states.map((state) => ({
        state,
        log_url: `https://github.com/acme/shop/actions/runs/9/job/1`
      }))
    })

  it('passes when the SHA is the current successful deployment upstream', async () => {
    deploy(OTHER_SHA, 'in_progress', 'success')
    const ours = deploy(SHA, 'in_progress', 'success')
    h.takeRequests()
    const result = await h.run(upstreamDeployed, {})
    expect(result.status).toBe('passed')
    expect(result.summary).toContain(`is the current deployment in staging (deployment ${ours.id}`)
    expect(result.evidence[0]).toMatchObject({
      value: 'success',
      url: expect.stringContaining('/actions/runs/9')
    })
    // One list, one status read: the walk stops at the current deployment.
    expect(h.takeRequests().map((r) => r.path)).toEqual([
      '/repos/acme/shop/deployments',
      `/repos/acme/shop/deployments/${ours.id}/statuses`
    ])
  })

  it('a newer deployment still in progress does not make the SHA less current', async () => {
    deploy(SHA, 'success')
    deploy(OTHER_SHA, 'in_progress')
    expect((await h.run(upstreamDeployed, {})).status).toBe('passed')
  })

  it('fails when a newer deployment superseded the SHA, naming what replaced it', async () => {
    deploy(SHA, 'success')
    const newer = deploy(OTHER_SHA, 'success')
    const result = await h.run(upstreamDeployed, {})
    expect(result.status).toBe('failed')
    expect(result.summary).toContain(
      `no longer current in staging: ${OTHER_SHA.slice(0, 7)} (deployment ${newer.id}`
    )
    expect(result.evidence.map((e) => e.value)).toEqual(['superseded', 'current', 'staging'])
  })

  it('with require-current: false, any successful deployment of the SHA passes', async () => {
    deploy(SHA, 'success')
    deploy(OTHER_SHA, 'success')
    expect((await h.run(upstreamDeployed, { 'require-current': false })).status).toBe('passed')
  })

  it('fails when the SHA never reached the upstream environment', async () => {
    deploy(OTHER_SHA, 'success')
    const result = await h.run(upstreamDeployed, {})
    expect(result).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining(`${SHA.slice(0, 7)} was never deployed to staging`)
    })
  })

  it('fails when its only deployment failed, and is pending while it is in progress', async () => {
    deploy(SHA, 'failure')
    expect(await h.run(upstreamDeployed, {})).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('is failure')
    })
    deploy(SHA, 'in_progress')
    expect((await h.run(upstreamDeployed, {})).status).toBe('pending')
  })

  it('fails when the deployment was later marked inactive and nothing replaced it', async () => {
    deploy(SHA, 'success', 'inactive')
    const result = await h.run(upstreamDeployed, {})
    expect(result).toMatchObject({ status: 'failed', summary: expect.stringContaining('now inactive') })
  })

  it('checks the environment named in its settings', async () => {
    h.github.addDeployment({ environment: 'qa', sha: SHA, statuses: [{ state: 'success' }] })
    expect((await h.run(upstreamDeployed, { environment: 'qa' })).status).toBe('passed')
    expect((await h.run(upstreamDeployed, {})).status).toBe('failed')
  })

  it('asks for a from: or with.environment when there is no upstream', () => {
    const problems = upstreamDeployed.validate!(upstreamDeployed.settings.parse({}), {
      environmentName: 'development',
      environment: environment({ name: 'development' }),
      upstream: undefined,
      hasImage: true,
      kubernetesConfigured: false
    })
    expect(problems).toEqual([
      'with.environment, or a from: on development naming the environment it promotes from'
    ])
  })

  it('names the permissions: line when deployments may not be read', async () => {
    h.github.denyPermission({ pathPattern: '/repos/{owner}/{repo}/deployments' })
    await expect(h.run(upstreamDeployed, {})).rejects.toThrow(/permissions:\n\s+deployments: read/)
  })
})
