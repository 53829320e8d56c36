import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, type Clients } from './simulator-clients.js'

const ns = 'promote-locks'

function lease(holder: string, at: Date): k8s.V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'promote-production' },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: new k8s.V1MicroTime(at.getTime()),
      renewTime: new k8s.V1MicroTime(at.getTime()),
      leaseTransitions: 0
    }
  }
}

describe('leases on the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator({ namespaces: [ns] })
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  it('stores MicroTime fields and echoes them with six fractional digits', async () => {
    const at = new Date('2026-03-01T10:20:30.123Z')
    const created = await clients.coordination.createNamespacedLease({
      namespace: ns,
      body: lease('acme/app/1/1', at)
    })
    expect(created.spec?.renewTime as unknown).toBe('2026-03-01T10:20:30.123000Z')
    const read = await clients.coordination.readNamespacedLease({ name: 'promote-production', namespace: ns })
    expect(read.spec?.acquireTime as unknown).toBe('2026-03-01T10:20:30.123000Z')
    expect(read.spec?.holderIdentity).toBe('acme/app/1/1')
    expect(read.metadata?.generation).toBeUndefined()
  })

  it('rejects a time with millisecond precision, as the apiserver does for a plain Date', async () => {
    const body = lease('acme/app/1/1', new Date())
    body.spec!.renewTime = new Date('2026-03-01T10:20:30.123Z') as k8s.V1MicroTime
    const failure = await apiFailure(clients.coordination.createNamespacedLease({ namespace: ns, body }))
    expect(failure.code).toBe(400)
    expect(failure.status.reason).toBe('BadRequest')
  })

  it('answers a second create with 409 AlreadyExists', async () => {
    await clients.coordination.createNamespacedLease({ namespace: ns, body: lease('a', new Date()) })
    const failure = await apiFailure(
      clients.coordination.createNamespacedLease({ namespace: ns, body: lease('b', new Date()) })
    )
    expect(failure.code).toBe(409)
    expect(failure.status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'leases.coordination.k8s.io "promote-production" already exists',
      details: { name: 'promote-production', group: 'coordination.k8s.io', kind: 'leases' }
    })
  })

  it('lets only one of two writers holding the same resourceVersion take the lease (409 Conflict)', async () => {
    await clients.coordination.createNamespacedLease({ namespace: ns, body: lease('a', new Date()) })
    const seenByA = await clients.coordination.readNamespacedLease({
      name: 'promote-production',
      namespace: ns
    })
    const seenByB = await clients.coordination.readNamespacedLease({
      name: 'promote-production',
      namespace: ns
    })

    seenByA.spec!.holderIdentity = 'a'
    seenByA.spec!.renewTime = new k8s.V1MicroTime()
    const renewed = await clients.coordination.replaceNamespacedLease({
      name: 'promote-production',
      namespace: ns,
      body: seenByA
    })
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(seenByB.metadata?.resourceVersion)
    )

    seenByB.spec!.holderIdentity = 'b'
    seenByB.spec!.leaseTransitions = 1
    const failure = await apiFailure(
      clients.coordination.replaceNamespacedLease({
        name: 'promote-production',
        namespace: ns,
        body: seenByB
      })
    )
    expect(failure.code).toBe(409)
    expect(failure.status).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "promote-production": the object has been modified; please apply your changes to the latest version and try again'
    })
    const final = await clients.coordination.readNamespacedLease({
      name: 'promote-production',
      namespace: ns
    })
    expect(final.spec?.holderIdentity).toBe('a')
  })

  it('deletes a lease, honouring a resourceVersion precondition', async () => {
    const created = await clients.coordination.createNamespacedLease({
      namespace: ns,
      body: lease('a', new Date())
    })
    const stale = await apiFailure(
      clients.coordination.deleteNamespacedLease({
        name: 'promote-production',
        namespace: ns,
        body: { preconditions: { resourceVersion: '1' } }
      })
    )
    expect(stale.code).toBe(409)
    await clients.coordination.deleteNamespacedLease({
      name: 'promote-production',
      namespace: ns,
      body: { preconditions: { resourceVersion: created.metadata?.resourceVersion } }
    })
    const gone = await apiFailure(
      clients.coordination.readNamespacedLease({ name: 'promote-production', namespace: ns })
    )
    expect(gone.code).toBe(404)
    expect(sim.writeLog.map((w) => `${w.verb} ${w.resource}`)).toEqual(['create leases', 'delete leases'])
  })

  it('refuses to create a lease in a namespace that does not exist', async () => {
    const failure = await apiFailure(
      clients.coordination.createNamespacedLease({ namespace: 'nowhere', body: lease('a', new Date()) })
    )
    expect(failure.code).toBe(404)
    expect(failure.status.message).toBe('namespaces "nowhere" not found')
  })
})
