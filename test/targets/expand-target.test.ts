import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Target } from '../../src/config/schema.js'
import type { ConnectedCluster } from '../../src/targets/connect-clusters.js'
import { expandTarget, UnresolvedTarget } from '../../src/targets/expand-target.js'
import { startTestCluster, type TestCluster } from '../kubernetes/support/cluster.js'
import { deploymentManifest } from '../kubernetes/support/fixtures.js'

let cluster: TestCluster
let handle: ConnectedCluster

beforeAll(async () => {
  cluster = await startTestCluster()
  cluster.sim.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })
  for (const name of ['web-9', 'web-a', 'web-10', 'api'])
    cluster.sim.create(
      deploymentManifest({ name, namespace: 'shop', image: 'ghcr.io/acme/app:1', replicas: 1 })
    )
  handle = {
    name: 'east',
    wave: 1,
    namespace: 'shop',
    api: cluster.api,
    server: cluster.sim.url,
    locator: { name: 'east', credentials: {} as ConnectedCluster['locator']['credentials'] }
  }
})
afterAll(async () => {
  await cluster.close()
})

const target = (t: Partial<Target>): Target => ({ kind: 'Deployment', ...t }) as Target

describe('expandTarget', () => {
  it('expands a selector into the workloads it selects, in name order, with the listed objects', async () => {
    const expanded = await expandTarget(
      handle,
      target({ selector: 'app in (web-a,web-9,web-10)', containers: ['app'] })
    )
    expect(expanded.map((e) => e.ref.name)).toEqual(['web-10', 'web-9', 'web-a'])
    expect(expanded.every((e) => e.workload?.metadata?.name === e.ref.name)).toBe(true)
    expect(expanded[0]).toMatchObject({ ref: { kind: 'Deployment', namespace: 'shop' }, containers: ['app'] })
  })

  it('takes a named target as it is, without reading the cluster', async () => {
    const before = cluster.sim.requestLog.length
    expect(await expandTarget(handle, target({ name: 'not-there-yet' }))).toEqual([
      { ref: { kind: 'Deployment', name: 'not-there-yet', namespace: 'shop' }, containers: undefined }
    ])
    expect(cluster.sim.requestLog.length).toBe(before)
  })

  it('refuses a selector that selects nothing, naming cluster, namespace and selector', async () => {
    const error = await expandTarget(handle, target({ selector: 'app=nothing' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnresolvedTarget)
    expect((error as UnresolvedTarget).message).toBe(
      'cluster east: no Deployment in namespace shop matches the selector "app=nothing"'
    )
    expect((error as UnresolvedTarget).details.title).toBe('No matching target')
  })

  it('refuses a target with no namespace from the target, the cluster or the environment', async () => {
    const error = await expandTarget({ ...handle, namespace: undefined }, target({ name: 'api' })).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(UnresolvedTarget)
    expect((error as UnresolvedTarget).problem).toMatch(/^no namespace for target api/)
  })
})
