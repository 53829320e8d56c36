import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { V1Lease } from '@kubernetes/client-node'
import { systemClock } from '../../../src/runtime/clock.js'
import { LeaseLock, LeaseRefusedError, LeaseTimeoutError } from '../../../src/kubernetes/lock/lease-lock.js'
import { CancellationError } from '../../../src/runtime/errors.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'

let cluster: TestCluster
let counter = 0
const leaseName = () => `promote-lock-${++counter}`

beforeAll(async () => {
  cluster = await startTestCluster()
})
afterAll(async () => {
  await cluster.close()
})

function storedLease(name: string): V1Lease {
  return cluster.sim.get('leases', 'default', name) as V1Lease
}

describe('LeaseLock', () => {
  it('creates an absent lease and holds it, writing MicroTime values', async () => {
    const name = leaseName()
    const held = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000
    })
    try {
      const lease = storedLease(name)
      expect(lease.spec).toMatchObject({
        holderIdentity: 'acme/api/1/1',
        leaseDurationSeconds: 60,
        leaseTransitions: 0
      })
      expect(String(lease.spec?.renewTime)).toMatch(/\.\d{6}Z$/)
      expect(held.isHeld()).toBe(true)
    } finally {
      expect(await held.release()).toBe(true)
    }
    expect(storedLease(name).spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 })
  })

  it('waits while another run holds it, says who, and takes over after release with leaseTransitions + 1', async () => {
    const name = leaseName()
    const first = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000
    })
    const waits: Array<[string, number]> = []
    const second = new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 3000,
      retryMs: 20,
      onWait: (holder, waited) => waits.push([holder, waited])
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(waits).toEqual([['acme/api/1/1', expect.any(Number)]])
    await first.release()
    const held = await second
    expect(storedLease(name).spec).toMatchObject({ holderIdentity: 'acme/api/2/1', leaseTransitions: 1 })
    await held.release()
  })

  it("takes over a dead holder's lease one full duration after first seeing it, whatever the holder's clock said", async () => {
    const name = leaseName()
    // The dead run's clock was an hour behind: its renewTime looks long expired. Not trusted.
    const dead = await new LeaseLock({
      api: cluster.api,
      clock: new FastForwardClock({ offsetMs: -3_600_000 })
    }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      leaseDurationSeconds: 60,
      timeoutMs: 1000
    })
    dead.stopRenewing()
    const clock = new FastForwardClock()
    const started = clock.now()
    const held = await new LeaseLock({ api: cluster.api, clock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 600_000,
      retryMs: 2000
    })
    const waited = clock.now() - started
    held.stopRenewing()
    expect(waited).toBeGreaterThanOrEqual(60_000)
    expect(waited).toBeLessThan(64_000)
    expect(storedLease(name).spec).toMatchObject({ holderIdentity: 'acme/api/2/1', leaseTransitions: 1 })
  })

  it('times out naming the holder', async () => {
    const name = leaseName()
    const holder = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000
    })
    holder.stopRenewing()
    const attempt = new LeaseLock({ api: cluster.api, clock: new FastForwardClock() }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 30_000
    })
    await expect(attempt).rejects.toThrow(LeaseTimeoutError)
    await expect(attempt).rejects.toThrow(
      `timed out after 30s waiting for lease default/${name}, held by acme/api/1/1`
    )
  })

  it('is cancelled by its signal while waiting', async () => {
    const name = leaseName()
    const holder = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000
    })
    const controller = new AbortController()
    const attempt = new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 10_000,
      retryMs: 20,
      signal: controller.signal
    })
    setTimeout(() => controller.abort(), 50)
    await expect(attempt).rejects.toThrow(CancellationError)
    await holder.release()
  })

  it('lets exactly one of two racing runs create the lease', async () => {
    const name = leaseName()
    const attempts = ['acme/api/1/1', 'acme/api/2/1'].map((holder) =>
      new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
        name,
        namespace: 'default',
        holder,
        timeoutMs: 300,
        retryMs: 20
      })
    )
    const results = await Promise.allSettled(attempts)
    const winners = results.filter((r) => r.status === 'fulfilled')
    expect(winners).toHaveLength(1)
    const winner = (winners[0] as PromiseFulfilledResult<Awaited<(typeof attempts)[0]>>).value
    expect(storedLease(name).spec?.holderIdentity).toBe(winner.holder)
    await winner.release()
  })

  it('keeps the lease by renewing it, so a waiting run cannot take it', async () => {
    const name = leaseName()
    const holder = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      leaseDurationSeconds: 1,
      renewIntervalMs: 100,
      timeoutMs: 1000
    })
    const attempt = new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 1500,
      retryMs: 100
    })
    await expect(attempt).rejects.toThrow(LeaseTimeoutError)
    expect(holder.isHeld()).toBe(true)
    await holder.release()
  })

  it('reports loss when someone else takes the lease', async () => {
    const name = leaseName()
    const lost: string[] = []
    const held = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      renewIntervalMs: 20,
      timeoutMs: 1000,
      onLost: (reason) => lost.push(reason)
    })
    const lease = storedLease(name)
    cluster.sim.update({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } })
    await expect(held.lost).resolves.toBe('now held by intruder')
    expect(lost).toEqual(['now held by intruder'])
    expect(held.isHeld()).toBe(false)
    expect(await held.release()).toBe(false)
    expect(storedLease(name).spec?.holderIdentity).toBe('intruder')
  })

  it('releases by identity from another process only while that identity holds it', async () => {
    const name = leaseName()
    const held = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000
    })
    held.stopRenewing()
    const post = new LeaseLock({ api: cluster.api, clock: systemClock })
    expect(await post.release({ name, namespace: 'default', holder: 'acme/api/9/1' })).toBe(false)
    expect(await post.release({ name, namespace: 'default', holder: 'acme/api/1/1' })).toBe(true)
    expect(await post.release({ name: 'never-created', namespace: 'default', holder: 'acme/api/1/1' })).toBe(
      false
    )
  })

  it('writes its annotations in the same write that takes the lease, replacing the last holder’s', async () => {
    const name = leaseName()
    const first = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000,
      annotations: { 'example.io/purpose': 'rotation', 'example.io/reason': 'new password' }
    })
    expect(storedLease(name).metadata?.annotations).toEqual({
      'example.io/purpose': 'rotation',
      'example.io/reason': 'new password'
    })
    await first.release()
    const writes = cluster.sim.writeLog.length
    const second = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/2/1',
      timeoutMs: 1000,
      annotations: { 'example.io/purpose': 'promotion', 'example.io/reason': undefined }
    })
    // One update took the lease and rewrote the annotations: no reader saw the new holder with the old reason.
    expect(cluster.sim.writeLog.slice(writes).map((w) => w.verb)).toEqual(['update'])
    expect(storedLease(name).metadata?.annotations).toEqual({ 'example.io/purpose': 'promotion' })
    await second.release()
  })

  it('hands the lease as read to onWait, so a waiter can say why it is held', async () => {
    const name = leaseName()
    const first = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000,
      annotations: { 'example.io/reason': 'rotating keys' }
    })
    const reasons: Array<string | undefined> = []
    await expect(
      new LeaseLock({ api: cluster.api, clock: new FastForwardClock() }).acquire({
        name,
        namespace: 'default',
        holder: 'acme/api/2/1',
        timeoutMs: 5000,
        onWait: (_holder, _waited, lease) => reasons.push(lease.metadata?.annotations?.['example.io/reason'])
      })
    ).rejects.toThrow(LeaseTimeoutError)
    expect(reasons).toEqual(['rotating keys'])
    await first.release()
  })

  it('refuses to take a lease it already holds when refuseOwn gives a reason; renewals are not asked', async () => {
    const name = leaseName()
    const earlier = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000,
      leaseDurationSeconds: 1800,
      annotations: { 'example.io/purpose': 'rotation' }
    })
    earlier.stopRenewing()
    const refuseRotation = (lease: V1Lease) =>
      lease.metadata?.annotations?.['example.io/purpose'] === 'rotation' ? 'held for a rotation' : undefined
    await expect(
      new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
        name,
        namespace: 'default',
        holder: 'acme/api/1/1',
        timeoutMs: 1000,
        refuseOwn: refuseRotation
      })
    ).rejects.toThrow(new LeaseRefusedError('held for a rotation'))
    expect(storedLease(name).spec).toMatchObject({
      holderIdentity: 'acme/api/1/1',
      leaseDurationSeconds: 1800
    })
    await earlier.release()
    // Renewing a lease this very LeaseLock took asks nothing, whatever the annotations say.
    const again = await new LeaseLock({ api: cluster.api, clock: systemClock }).acquire({
      name,
      namespace: 'default',
      holder: 'acme/api/1/1',
      timeoutMs: 1000,
      renewIntervalMs: 10,
      annotations: { 'example.io/purpose': 'rotation' },
      refuseOwn: refuseRotation
    })
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(again.isHeld()).toBe(true)
    expect(await again.release()).toBe(true)
  })
})
