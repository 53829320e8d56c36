import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { concurrency, lockName } from '../../src/gates/concurrency.js'
import { startGateCluster, type GateCluster } from './support/cluster.js'
import {
  fixedClock,
  OTHER_SHA,
  RUN_ID,
  SHA,
  startGateHarness,
  type GateHarness
} from './support/gate-harness.js'

describe('concurrency gate (GitHub Deployments)', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })

  const deploy = (sha: string, state: 'queued' | 'in_progress' | 'success' | 'failure', runId = '1001') =>
    h.github.addDeployment({
      environment: 'production',
      sha,
      statuses: [{ state, log_url: `https://github.com/acme/shop/actions/runs/${runId}/job/7` }]
    })

  it('passes when no deployment of the environment is under way', async () => {
    deploy(OTHER_SHA, 'success')
    deploy(SHA, 'failure')
    expect(await h.run(concurrency, {})).toMatchObject({
      status: 'passed',
      summary: 'no other promotion into production is under way (checked 2 recent deployment(s))'
    })
  })

  it('is pending while another run’s deployment is queued or in progress, linking it', async () => {
    const other = deploy(OTHER_SHA, 'in_progress')
    const result = await h.run(concurrency, {})
    expect(result.status).toBe('pending')
    expect(result.summary).toContain(`deployment ${other.id} of ${OTHER_SHA.slice(0, 7)} (in_progress since`)
    expect(result.evidence[0]!.url).toBe('https://github.com/acme/shop/actions/runs/1001/job/7')
  })

  it('ignores this run’s own deployment (a job with environment: creates one)', async () => {
    deploy(SHA, 'in_progress', RUN_ID)
    expect((await h.run(concurrency, {})).status).toBe('passed')
  })

  it('only warns about a deployment stuck in progress for longer than stale-after', async () => {
    deploy(OTHER_SHA, 'in_progress')
    const result = await h.run(
      concurrency,
      { 'stale-after': '1h' },
      { clock: fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString()) }
    )
    expect(result.status).toBe('passed')
    expect(result.warnings?.[0]).toContain('longer than stale-after; taken as abandoned')
  })

  it('says when the Lease could not be checked for lack of cluster credentials', async () => {
    const result = await h.run(concurrency, {})
    expect(result.evidence).toContainEqual({
      label: 'lease',
      value: 'not checked: no cluster credentials are configured'
    })
  })

  it('names the permissions: line when deployments may not be read', async () => {
    h.github.denyPermission({ pathPattern: '/repos/{owner}/{repo}/deployments' })
    await expect(h.run(concurrency, {})).rejects.toThrow(/permissions:\n\s+deployments: read/)
  })
})

describe('concurrency gate (environment Lease)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger)
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await cluster.close()
    await h.close()
  })

  const lease = (
    holder: string,
    renewedAgoMs: number,
    durationSeconds = 60,
    annotations?: Record<string, string>
  ) =>
    cluster.sim.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'promote-action.production',
        namespace: 'shop',
        ...(annotations ? { annotations } : {})
      },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: durationSeconds,
        acquireTime: microTime(Date.now() - renewedAgoMs),
        renewTime: microTime(Date.now() - renewedAgoMs)
      }
    })
  const run = (settings: unknown = {}) =>
    h.run(concurrency, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true })

  it('is pending while another run holds the Lease, linking that run', async () => {
    lease('acme/shop/999/1', 1000)
    const result = await run()
    expect(result.status).toBe('pending')
    expect(result.evidence[0]).toMatchObject({
      label: 'lease shop/promote-action.production in default',
      value: expect.stringMatching(/^held by acme\/shop\/999\/1 until /),
      url: 'https://github.com/acme/shop/actions/runs/999/attempts/1'
    })
  })

  it('says when the holder is a secret rotation, with its reason', async () => {
    lease('acme/shop/998/1', 1000, 1800, {
      'promote-action.io/purpose': 'rotation',
      'promote-action.io/reason': 'rotating the database password'
    })
    const result = await run()
    expect(result.status).toBe('pending')
    expect(result.summary).toMatch(/^a secret rotation of production holds its lock: /)
    expect(result.evidence[0]).toMatchObject({
      value: expect.stringMatching(
        /^held by acme\/shop\/998\/1 for a secret rotation: rotating the database password until /
      ),
      url: 'https://github.com/acme/shop/actions/runs/998/attempts/1'
    })
  })

  it('passes when the Lease expired, was released, or is held by this run', async () => {
    lease('acme/shop/999/1', 120_000)
    expect(await run()).toMatchObject({
      status: 'passed',
      summary: expect.stringContaining('lease default/shop/promote-action.production')
    })
    cluster.sim.delete('leases', 'shop', 'promote-action.production')
    lease('', 0)
    expect((await run()).status).toBe('passed')
    cluster.sim.delete('leases', 'shop', 'promote-action.production')
    lease(`acme/shop/${RUN_ID}/1`, 0)
    expect((await run()).status).toBe('passed')
  })

  it('passes when no Lease exists, and reads a configured name', async () => {
    expect((await run()).status).toBe('passed')
    lease('acme/shop/999/1', 0)
    expect((await run({ lease: { name: 'another-lock' } })).status).toBe('passed')
    expect((await run({ lease: { enabled: false } })).summary).toBe(
      'no other promotion into production is under way (checked 0 recent deployment(s))'
    )
  })

  it('reads the Lease the promote stage takes', async () => {
    const { lockName: promoteLockName } = await import('../../src/steps/lock/environment-lock.js')
    for (const name of ['production', 'Prod EU/West', 'x'.repeat(300) + '--'])
      expect(lockName(name)).toBe(promoteLockName(name))
  })

  it('names the missing RBAC rule when the Lease may not be read', async () => {
    cluster.sim.denyRequests({ verb: 'get', resource: 'leases' })
    await expect(run()).rejects.toThrow(
      '{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get"] }'
    )
  })
})

/** Kubernetes MicroTime: RFC 3339 with six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}
