import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import type { V1Deployment } from '@kubernetes/client-node'
import { systemClock } from '../../../src/runtime/clock.js'
import type { KubernetesApiError } from '../../../src/kubernetes/api/api-error.js'
import { waitForRollout } from '../../../src/kubernetes/rollout/rollout-watcher.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import {
  dedicatedWatches,
  SharedInformers,
  WaveWatches,
  type WatchSource,
  type WatchSubscriber
} from '../../../src/kubernetes/api/watch-source.js'
import type { WorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { startTestCluster, type TestCluster } from '../support/cluster.js'
import { deploymentManifest } from '../support/fixtures.js'

let cluster: TestCluster
let informers: SharedInformers | undefined
let namespaceCounter = 0

beforeAll(async () => {
  cluster = await startTestCluster()
})
afterAll(async () => {
  await cluster.close()
})
afterEach(() => {
  informers?.dispose()
  informers = undefined
})

/** A fresh namespace with `count` Deployments app-0..app-N on `image`. */
function namespaceWith(count: number, image: string): string {
  const namespace = `shared-${++namespaceCounter}`
  cluster.sim.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })
  for (let i = 0; i < count; i++)
    cluster.sim.create(deploymentManifest({ name: `app-${i}`, namespace, image, replicas: 1 }))
  return namespace
}

function shared(): SharedInformers {
  informers = new SharedInformers({ api: cluster.api, clock: systemClock })
  return informers
}

/** Records what a subscription saw. */
function recorder() {
  const seen = {
    syncs: [] as string[][],
    events: [] as string[],
    fatal: undefined as KubernetesApiError | undefined
  }
  const subscriber: WatchSubscriber<V1Deployment> = {
    onSync: (items) => void seen.syncs.push(items.map((i) => i.metadata?.name ?? '')),
    onEvent: (type, object) => void seen.events.push(`${type} ${object.metadata?.name}`),
    onFatal: (error) => void (seen.fatal = error)
  }
  return { seen, subscriber }
}

const requestsTo = (namespace: string, since: number) =>
  cluster.sim.requestLog.slice(since).filter((r) => r.path.includes(`/namespaces/${namespace}/`))

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function patchImage(ref: WorkloadRef, image: string): Promise<V1Deployment> {
  const plan = planSetImage(ref.kind, await cluster.api.getWorkload(ref), { image, promotedAt: new Date() })
  if (plan.status !== 'patch') throw new Error('expected a patch')
  return (await cluster.api.patchWorkload(ref, plan.patch)) as V1Deployment
}

describe('SharedInformers', () => {
  it('serves twenty subscriptions in one namespace from one list and one watch', async () => {
    const namespace = namespaceWith(20, 'ghcr.io/acme/app:1')
    const before = cluster.sim.requestLog.length
    const source = shared()
    const recorders = Array.from({ length: 20 }, (_, i) => {
      const r = recorder()
      source.subscribe({ resource: 'Deployment', namespace, name: `app-${i}` }, r.subscriber)
      return r
    })
    await until(() => recorders.every((r) => r.seen.syncs.length > 0), 'every first sync')
    recorders.forEach((r, i) => expect(r.seen.syncs[0]).toEqual([`app-${i}`]))
    await until(() => requestsTo(namespace, before).some((r) => r.query['watch']), 'the watch')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const requests = requestsTo(namespace, before)
    expect(requests.map((r) => `${r.method} ${r.query['watch'] ? 'watch' : 'list'}`).sort()).toEqual([
      'GET list',
      'GET watch'
    ])
  })

  it('gives a late subscription the cached object without another request', async () => {
    const namespace = namespaceWith(2, 'ghcr.io/acme/app:1')
    const source = shared()
    const first = recorder()
    source.subscribe({ resource: 'Deployment', namespace, name: 'app-0' }, first.subscriber)
    await until(() => first.seen.syncs.length > 0, 'the first sync')
    await until(() => requestsTo(namespace, 0).some((r) => r.query['watch']), 'the shared watch')
    const before = cluster.sim.requestLog.length
    const late = recorder()
    source.subscribe({ resource: 'Deployment', namespace, name: 'app-1' }, late.subscriber)
    await until(() => late.seen.syncs.length > 0, 'the late sync')
    expect(late.seen.syncs[0]).toEqual(['app-1'])
    expect(requestsTo(namespace, before)).toEqual([])
  })

  it('delivers an event only to the subscriptions it matches, by name or by label selector', async () => {
    const namespace = namespaceWith(2, 'ghcr.io/acme/app:1')
    const source = shared()
    const byName = recorder()
    const bySelector = recorder()
    const other = recorder()
    source.subscribe({ resource: 'Deployment', namespace, name: 'app-0' }, byName.subscriber)
    source.subscribe(
      { resource: 'Deployment', namespace, selector: { matchLabels: { app: 'app-0' } } },
      bySelector.subscriber
    )
    source.subscribe({ resource: 'Deployment', namespace, name: 'app-1' }, other.subscriber)
    await until(() => other.seen.syncs.length > 0, 'the syncs')
    await patchImage({ kind: 'Deployment', namespace, name: 'app-0' }, 'ghcr.io/acme/app:2')
    await until(() => byName.seen.events.length > 0 && bySelector.seen.events.length > 0, 'the events')
    expect(bySelector.seen.syncs[0]).toEqual(['app-0'])
    // The controllers also update app-1's status meanwhile: each event reaches only its own subscriber.
    expect(new Set(byName.seen.events)).toEqual(new Set(['MODIFIED app-0']))
    expect(new Set(bySelector.seen.events)).toEqual(new Set(['MODIFIED app-0']))
    expect(other.seen.events.filter((e) => !e.endsWith(' app-1'))).toEqual([])
  })

  it('matches selectors in full: by expressions only, and on every matchLabels pair, not just the first', async () => {
    const namespace = namespaceWith(2, 'ghcr.io/acme/app:1')
    const source = shared()
    const byExpression = recorder()
    const secondPairMisses = recorder()
    source.subscribe(
      {
        resource: 'Deployment',
        namespace,
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['app-0'] }] }
      },
      byExpression.subscriber
    )
    source.subscribe(
      { resource: 'Deployment', namespace, selector: { matchLabels: { app: 'app-0', tier: 'web' } } },
      secondPairMisses.subscriber
    )
    await until(() => secondPairMisses.seen.syncs.length > 0, 'the syncs')
    await patchImage({ kind: 'Deployment', namespace, name: 'app-0' }, 'ghcr.io/acme/app:2')
    await until(() => byExpression.seen.events.length > 0, 'the event')
    expect(byExpression.seen.syncs[0]).toEqual(['app-0'])
    expect(new Set(byExpression.seen.events)).toEqual(new Set(['MODIFIED app-0']))
    expect(secondPairMisses.seen.syncs[0]).toEqual([])
    expect(secondPairMisses.seen.events).toEqual([])
  })

  it('gives a late selector subscription the objects whose labels match now, not when they were listed', async () => {
    const namespace = namespaceWith(3, 'ghcr.io/acme/app:1')
    const source = shared()
    // Watches app-1 and app-2 by name, to know when the cache has seen their new labels.
    const team = new Map<string, string | undefined>()
    for (const name of ['app-1', 'app-2'])
      source.subscribe<V1Deployment>(
        { resource: 'Deployment', namespace, name },
        {
          onSync: (items) => items.forEach((i) => team.set(name, i.metadata?.labels?.['team'])),
          onEvent: (_type, object) => team.set(name, object.metadata?.labels?.['team']),
          onFatal: () => undefined
        }
      )
    await until(() => team.size === 2, 'the first sync')
    await until(() => requestsTo(namespace, 0).some((r) => r.query['watch']), 'the shared watch')
    // After the list: app-2 gains the label and loses it again, app-1 gains it.
    const relabel = (name: string, labels: Record<string, string>) => {
      const object = cluster.sim.get('deployments', namespace, name) as V1Deployment
      cluster.sim.update({ ...object, metadata: { ...object.metadata, labels } })
    }
    relabel('app-2', { app: 'app-2', team: 'shop' })
    await until(() => team.get('app-2') === 'shop', 'app-2 labelled')
    relabel('app-1', { app: 'app-1', team: 'shop' })
    relabel('app-2', { app: 'app-2' })
    await until(() => team.get('app-1') === 'shop' && team.get('app-2') === undefined, 'the relabels')
    const late = recorder()
    source.subscribe(
      { resource: 'Deployment', namespace, selector: { matchLabels: { team: 'shop' } } },
      late.subscriber
    )
    await until(() => late.seen.syncs.length > 0, 'the late sync')
    expect(late.seen.syncs[0]).toEqual(['app-1'])
  })

  it('reports a forbidden list to every subscription, also to one that arrives later', async () => {
    const namespace = namespaceWith(1, 'ghcr.io/acme/app:1')
    cluster.sim.denyRequests({ verb: 'list', resource: 'deployments', namespace })
    try {
      const source = shared()
      const first = recorder()
      source.subscribe({ resource: 'Deployment', namespace, name: 'app-0' }, first.subscriber)
      await until(() => first.seen.fatal !== undefined, 'the fatal error')
      expect(first.seen.fatal?.code).toBe(403)
      const late = recorder()
      source.subscribe({ resource: 'Deployment', namespace, name: 'app-0' }, late.subscriber)
      await until(() => late.seen.fatal !== undefined, 'the late fatal error')
      expect(late.seen.fatal?.code).toBe(403)
    } finally {
      cluster.sim.allowAllRequests()
    }
  })
})

describe('WaveWatches', () => {
  let wave: WaveWatches | undefined
  afterEach(() => wave?.dispose())

  it("selects a lone wait's pods on the server, and shares one stream between several waits", async () => {
    const lone = namespaceWith(3, 'ghcr.io/acme/app:1')
    const busy = namespaceWith(3, 'ghcr.io/acme/app:1')
    const before = cluster.sim.requestLog.length
    wave = new WaveWatches({ api: cluster.api, clock: systemClock }, (namespace) =>
      namespace === busy ? 3 : 1
    )
    const alone = recorder()
    wave.subscribe(
      { resource: 'Pod', namespace: lone, selector: { matchLabels: { app: 'app-0' } } },
      alone.subscriber
    )
    const together = [0, 1, 2].map((i) => {
      const r = recorder()
      wave!.subscribe(
        { resource: 'Pod', namespace: busy, selector: { matchLabels: { app: `app-${i}` } } },
        r.subscriber
      )
      return r
    })
    await until(
      () => alone.seen.syncs.length > 0 && together.every((r) => r.seen.syncs.length > 0),
      'the syncs'
    )
    const shape = (namespace: string) =>
      requestsTo(namespace, before)
        .filter((r) => r.path.endsWith('/pods'))
        .map((r) => `${r.query['watch'] ? 'watch' : 'list'} ${r.query['labelSelector'] ?? '(all)'}`)
        .sort()
    await until(() => shape(lone).length === 2 && shape(busy).length === 2, 'the watches')
    expect(shape(lone)).toEqual(['list app=app-0', 'watch app=app-0'])
    expect(shape(busy)).toEqual(['list (all)', 'watch (all)'])
  })

  it('stops the dedicated streams too when disposed', async () => {
    const namespace = namespaceWith(1, 'ghcr.io/acme/app:1')
    wave = new WaveWatches({ api: cluster.api, clock: systemClock }, () => 1)
    const r = recorder()
    const before = cluster.sim.requestLog.length
    wave.subscribe({ resource: 'Deployment', namespace, name: 'app-0' }, r.subscriber)
    await until(() => r.seen.syncs.length > 0, 'the sync')
    await until(() => requestsTo(namespace, before).some((q) => q.query['watch']), 'the watch')
    wave.dispose()
    // The controllers may still have been writing the new Deployment's status before this.
    const seenBefore = r.seen.events.length
    await patchImage({ kind: 'Deployment', namespace, name: 'app-0' }, 'ghcr.io/acme/app:2')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(r.seen.events.slice(seenBefore)).toEqual([])
  })
})

describe('waitForRollout on a shared stream', () => {
  it('ignores an object older than its own patch, as a shared stream that listed before the patch delivers it', async () => {
    const namespace = namespaceWith(1, 'ghcr.io/acme/app:1')
    const ref: WorkloadRef = { kind: 'Deployment', namespace, name: 'app-0' }
    await until(() => {
      const d = cluster.sim.get('deployments', namespace, 'app-0') as V1Deployment
      return d.status?.observedGeneration === 1 && d.status?.availableReplicas === 1
    }, 'the first rollout')
    const stale = await cluster.api.getWorkload(ref)
    cluster.sim.pause()
    const patched = await patchImage(ref, 'ghcr.io/acme/app:2')
    // A source whose cache still holds the pre-patch object (fully rolled out on :1), then the real stream.
    const real = dedicatedWatches({ api: cluster.api, clock: systemClock })
    const lagging: WatchSource = {
      subscribe(query, subscriber) {
        if (query.name === ref.name) subscriber.onSync([stale as never])
        return real.subscribe(query, subscriber)
      }
    }
    const waiting = waitForRollout(ref, {
      api: cluster.api,
      watches: lagging,
      minGeneration: patched.metadata!.generation!,
      timeoutMs: 5000,
      logger: new RecordingLogger(),
      clock: systemClock
    })
    let settled = false
    void waiting.then(() => (settled = true))
    try {
      await new Promise((resolve) => setTimeout(resolve, 150))
      // With the controllers paused nothing has rolled out: the cached :1 object must not count.
      expect(settled).toBe(false)
    } finally {
      cluster.sim.resume()
    }
    const result = await waiting
    expect(result.status).toBe('succeeded')
    const workload = result.workload as V1Deployment
    expect(workload.metadata?.generation).toBe(patched.metadata?.generation)
    expect(workload.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/acme/app:2')
  })
})
