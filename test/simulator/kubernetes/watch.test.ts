import { afterEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import {
  startKubernetesSimulator,
  type KubernetesSimulator,
  type KubernetesSimulatorOptions
} from '../../../simulator/kubernetes/index.js'
import { clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'
const path = `/apis/apps/v1/namespaces/${ns}/deployments`
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)

interface Seen {
  type: string
  object: {
    metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> }
    code?: number
    reason?: string
    message?: string
  }
}

describe('watches on the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients
  const aborts: AbortController[] = []

  async function start(options: KubernetesSimulatorOptions = {}): Promise<void> {
    sim = await startKubernetesSimulator(options)
    sim.pause()
    clients = clientsFor(sim)
  }

  afterEach(async () => {
    for (const abort of aborts.splice(0)) abort.abort()
    await sim.close()
  })

  async function watch(
    query: Record<string, string | number | boolean | undefined>,
    watchPath = path
  ): Promise<{ seen: Seen[]; done: Promise<unknown> }> {
    const seen: Seen[] = []
    let finish: (err: unknown) => void = () => undefined
    const done = new Promise((resolve) => (finish = resolve))
    const abort = await new k8s.Watch(clients.kc).watch(
      watchPath,
      query,
      (type, object) => seen.push({ type, object }),
      (err) => finish(err ?? null)
    )
    aborts.push(abort)
    return { seen, done }
  }

  const setImage = (name: string, image: string) =>
    clients.apps.patchNamespacedDeployment(
      {
        name,
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
    )

  it('from a list resourceVersion delivers only the changes made after it, in order', async () => {
    await start()
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('other', 'ghcr.io/acme/other:1')
    })
    const list = await clients.apps.listNamespacedDeployment({
      namespace: ns,
      fieldSelector: 'metadata.name=web'
    })
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['web'])

    await setImage('web', 'ghcr.io/acme/web:2')
    await setImage('other', 'ghcr.io/acme/other:2')
    const { seen } = await watch({
      resourceVersion: list.metadata?.resourceVersion,
      fieldSelector: 'metadata.name=web'
    })
    await setImage('web', 'ghcr.io/acme/web:3')

    await eventually(() => seen.length >= 2)
    expect(seen.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['MODIFIED web', 'MODIFIED web'])
    const versions = seen.map((e) => Number(e.object.metadata?.resourceVersion))
    expect(versions[0]).toBeGreaterThan(Number(list.metadata?.resourceVersion))
    expect(versions[1]).toBeGreaterThan(versions[0]!)
  })

  it('without a resourceVersion starts with an ADDED event per existing object, then follows changes', async () => {
    await start()
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    const { seen } = await watch({})
    await clients.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns })
    await eventually(() => seen.length >= 2)
    expect(seen.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED web', 'DELETED web'])
  })

  it('answers a resourceVersion older than the retained history with an ERROR event carrying 410 Expired', async () => {
    await start({ watchHistoryLimit: 3 })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    const old = sim.resourceVersion()
    for (let i = 2; i <= 5; i++) await setImage('web', `ghcr.io/acme/web:${i}`)

    const { seen, done } = await watch({ resourceVersion: old })
    await done
    expect(seen).toHaveLength(1)
    expect(seen[0]!.type).toBe('ERROR')
    expect(seen[0]!.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 })
    expect(seen[0]!.object.message).toMatch(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`))
  })

  it('expires every earlier resourceVersion after the history is compacted', async () => {
    await start()
    const old = sim.resourceVersion()
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    sim.compactWatchHistory()
    const { seen, done } = await watch({ resourceVersion: old })
    await done
    expect(seen[0]?.object.code).toBe(410)
  })

  it('reports objects entering and leaving a label selector as ADDED and DELETED', async () => {
    await start()
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    const { seen } = await watch({
      resourceVersion: sim.resourceVersion(),
      labelSelector: 'tier in (front),!legacy'
    })
    const label = (labels: Record<string, string | null>) =>
      clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: { metadata: { labels } } },
        merge
      )
    await label({ tier: 'front' })
    await label({ owner: 'me' })
    await label({ legacy: 'yes' })
    await eventually(() => seen.length >= 3)
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED'])
  })

  it('sends bookmarks when asked and ends the stream after timeoutSeconds', async () => {
    await start({ bookmarkIntervalMs: 50 })
    const started = Date.now()
    const { seen, done } = await watch({
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
      resourceVersion: sim.resourceVersion()
    })
    await expect(done).resolves.toBeNull()
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    const bookmarks = seen.filter((e) => e.type === 'BOOKMARK')
    expect(bookmarks.length).toBeGreaterThan(3)
    expect(bookmarks[0]!.object).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { resourceVersion: sim.resourceVersion() }
    })
  })

  it('streams pod changes filtered by label selector as the controllers create pods', async () => {
    await start()
    sim.resume()
    const { seen } = await watch({ labelSelector: 'app=web' }, `/api/v1/namespaces/${ns}/pods`)
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await eventually(() => seen.filter((e) => e.type === 'ADDED').length === 2)
    await eventually(() => seen.some((e) => e.type === 'MODIFIED'))
  })

  it('accepts watch=1 on a named object path as a watch of that object alone', async () => {
    await start()
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('other', 'ghcr.io/acme/other:1')
    })
    const abort = new AbortController()
    aborts.push(abort)
    const response = await fetch(`${sim.url}${path}/web?watch=1`, {
      headers: { Authorization: `Bearer ${sim.token}` },
      signal: abort.signal
    })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const { value } = await reader.read()
    const lines = new TextDecoder().decode(value).trim().split('\n')
    expect(
      lines.map((line) => JSON.parse(line) as Seen).map((e) => `${e.type} ${e.object.metadata?.name}`)
    ).toEqual(['ADDED web'])
  })

  it('ends open watches when the simulator closes', async () => {
    await start()
    const { done } = await watch({})
    await sim.close()
    await expect(done).resolves.toBeDefined()
    sim = await startKubernetesSimulator()
  })
})
