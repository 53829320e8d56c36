import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, deploymentManifest, type Clients } from './simulator-clients.js'

const ns = 'default'
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)

describe('writes to the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    // Controllers would add status writes; these tests are about the API alone.
    sim.pause()
    clients = clientsFor(sim)
    const manifest = deploymentManifest('web', 'ghcr.io/acme/web:1.0.0')
    manifest.spec!.template.spec!.containers.push({ name: 'proxy', image: 'envoyproxy/envoy:v1.30.0' })
    await clients.apps.createNamespacedDeployment({ namespace: ns, body: manifest })
  })
  afterEach(async () => {
    await sim.close()
  })

  const read = () => clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })

  describe('strategic merge patch', () => {
    it('changes one container image by name and keeps its other fields and the other containers', async () => {
      const patched = await clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: {
            spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.1.0' }] } } }
          }
        },
        strategic
      )
      const [app, proxy] = patched.spec!.template.spec!.containers
      expect(app).toMatchObject({
        name: 'app',
        image: 'ghcr.io/acme/web:1.1.0',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        env: [{ name: 'MODE', value: 'prod' }]
      })
      expect(proxy).toMatchObject({ name: 'proxy', image: 'envoyproxy/envoy:v1.30.0' })
      expect(patched.metadata?.generation).toBe(2)
    })

    it('adds a container a patch names that the template lacks, as the real apiserver does', async () => {
      const patched = await clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: { spec: { template: { spec: { containers: [{ name: 'nope', image: 'busybox:1' }] } } } }
        },
        strategic
      )
      expect(patched.spec!.template.spec!.containers.map((c) => c.name)).toEqual(['app', 'proxy', 'nope'])
    })

    it('merges env by name and deletes an element with $patch: delete', async () => {
      const patched = await clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: {
            spec: {
              template: {
                spec: {
                  containers: [
                    { name: 'app', env: [{ name: 'EXTRA', value: '1' }] },
                    { name: 'proxy', $patch: 'delete' }
                  ]
                }
              }
            }
          }
        },
        strategic
      )
      const containers = patched.spec!.template.spec!.containers
      expect(containers.map((c) => c.name)).toEqual(['app'])
      expect(containers[0]!.env).toEqual([
        { name: 'MODE', value: 'prod' },
        { name: 'EXTRA', value: '1' }
      ])
    })

    it('rejects a patch that empties a container image with 422 Invalid naming the field', async () => {
      const failure = await apiFailure(
        clients.apps.patchNamespacedDeployment(
          {
            name: 'web',
            namespace: ns,
            body: { spec: { template: { spec: { containers: [{ name: 'app', image: '' }] } } } }
          },
          strategic
        )
      )
      expect(failure.code).toBe(422)
      expect(failure.status).toMatchObject({
        reason: 'Invalid',
        code: 422,
        message: 'Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value',
        details: {
          name: 'web',
          group: 'apps',
          kind: 'Deployment',
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value',
              field: 'spec.template.spec.containers[0].image'
            }
          ]
        }
      })
      expect((await read()).spec!.template.spec!.containers[0]!.image).toBe('ghcr.io/acme/web:1.0.0')
    })
  })

  it('refuses to change the selector of a Deployment, as it is immutable', async () => {
    const failure = await apiFailure(
      clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: {
            spec: {
              selector: { matchLabels: { app: 'other' } },
              template: { metadata: { labels: { app: 'other' } } }
            }
          }
        },
        merge
      )
    )
    expect(failure.code).toBe(422)
    expect(failure.status.message).toMatch(
      /^Deployment\.apps "web" is invalid: spec\.selector: Invalid value: .*field is immutable$/
    )
  })

  it('applies a JSON merge patch: lists are replaced and null deletes a key', async () => {
    await clients.apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { metadata: { annotations: { team: 'a', gone: 'x' } } } },
      merge
    )
    const patched = await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          metadata: { annotations: { gone: null } },
          spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:2.0.0' }] } } }
        }
      },
      merge
    )
    expect(patched.metadata?.annotations).toEqual({ team: 'a' })
    const containers = patched.spec!.template.spec!.containers
    expect(containers).toHaveLength(1)
    expect(containers[0]!.ports).toBeUndefined()
    expect(containers[0]!.image).toBe('ghcr.io/acme/web:2.0.0')
  })

  it('applies a JSON patch with test, replace, add, copy, move and remove', async () => {
    const patched = await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: [
          { op: 'test', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/acme/web:1.0.0' },
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/acme/web:1.2.0' },
          { op: 'add', path: '/metadata/labels', value: { tier: 'web' } },
          { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/labels/copied' },
          { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
          { op: 'remove', path: '/spec/template/spec/containers/1' }
        ]
      },
      jsonPatch
    )
    expect(patched.spec!.template.spec!.containers.map((c) => c.image)).toEqual(['ghcr.io/acme/web:1.2.0'])
    expect(patched.metadata?.labels).toEqual({ tier: 'web', moved: 'web' })
  })

  it('refuses a JSON patch whose test operation fails, with 422 and nothing stored', async () => {
    const before = await read()
    const failure = await apiFailure(
      clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: [
            { op: 'test', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/acme/web:0.9.0' },
            { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/acme/web:1.2.0' }
          ]
        },
        jsonPatch
      )
    )
    expect(failure.code).toBe(422)
    expect(failure.status.reason).toBe('Invalid')
    expect((await read()).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion)
  })

  describe('server-side dry run', () => {
    it('returns the patched object but stores nothing and writes no log entry', async () => {
      const before = await read()
      const result = await clients.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          dryRun: 'All',
          body: {
            spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:9.9.9' }] } } }
          }
        },
        strategic
      )
      expect(result.spec!.template.spec!.containers[0]!.image).toBe('ghcr.io/acme/web:9.9.9')
      expect(result.metadata?.generation).toBe(2)
      const after = await read()
      expect(after.spec!.template.spec!.containers[0]!.image).toBe('ghcr.io/acme/web:1.0.0')
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion)
      expect(sim.writeLog.filter((w) => w.verb === 'patch')).toEqual([])
      expect(sim.requestLog.at(-2)).toMatchObject({
        method: 'PATCH',
        dryRun: true,
        status: 200,
        query: { dryRun: 'All' }
      })
    })

    it('validates a dry-run create and a dry-run delete without changing anything', async () => {
      const rv = sim.resourceVersion()
      const created = await clients.apps.createNamespacedDeployment({
        namespace: ns,
        dryRun: 'All',
        body: deploymentManifest('other', 'ghcr.io/acme/other:1')
      })
      expect(created.metadata?.uid).toBeDefined()
      await clients.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, dryRun: 'All' })
      const invalid = await apiFailure(
        clients.apps.createNamespacedDeployment({
          namespace: ns,
          dryRun: 'All',
          body: deploymentManifest('bad', '')
        })
      )
      expect(invalid.code).toBe(422)
      expect(sim.resourceVersion()).toBe(rv)
      expect(sim.get('deployments', ns, 'other')).toBeUndefined()
      expect(sim.get('deployments', ns, 'web')).toBeDefined()
    })
  })

  describe('update (PUT)', () => {
    it('answers 409 Conflict to an update with a stale resourceVersion', async () => {
      const stale = await read()
      await clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: { metadata: { labels: { a: 'b' } } } },
        merge
      )
      const failure = await apiFailure(
        clients.apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: stale })
      )
      expect(failure.code).toBe(409)
      expect(failure.status).toMatchObject({
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again'
      })
      const fresh = await read()
      fresh.spec!.replicas = 5
      const replaced = await clients.apps.replaceNamespacedDeployment({
        name: 'web',
        namespace: ns,
        body: fresh
      })
      expect(replaced.spec?.replicas).toBe(5)
    })

    it('bumps generation on spec changes only, not on metadata or status changes', async () => {
      const labelled = await clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: { metadata: { labels: { a: 'b' } } } },
        merge
      )
      expect(labelled.metadata?.generation).toBe(1)
      const withStatus = await read()
      withStatus.status = { observedGeneration: 1, replicas: 7 }
      const statusWritten = await clients.apps.replaceNamespacedDeploymentStatus({
        name: 'web',
        namespace: ns,
        body: withStatus
      })
      expect(statusWritten.status?.replicas).toBe(7)
      expect(statusWritten.metadata?.generation).toBe(1)
      const scaled = await clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: { spec: { replicas: 3 } } },
        merge
      )
      expect(scaled.metadata?.generation).toBe(2)
      expect(Number(scaled.metadata?.resourceVersion)).toBeGreaterThan(
        Number(labelled.metadata?.resourceVersion)
      )
    })

    it('ignores status in a main-resource update and spec in a status update', async () => {
      const body = await read()
      body.status = { replicas: 42 }
      body.spec!.replicas = 4
      const updated = await clients.apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body })
      expect(updated.status?.replicas).toBeUndefined()
      expect(updated.spec?.replicas).toBe(4)
      updated.spec!.replicas = 9
      updated.status = { replicas: 1 }
      const statusOnly = await clients.apps.replaceNamespacedDeploymentStatus({
        name: 'web',
        namespace: ns,
        body: updated
      })
      expect(statusOnly.spec?.replicas).toBe(4)
      expect(statusOnly.status?.replicas).toBe(1)
    })
  })

  it('stores nothing and keeps the resourceVersion for a patch that changes nothing', async () => {
    const before = await read()
    const same = await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.0.0' }] } } }
        }
      },
      strategic
    )
    expect(same.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion)
    expect(sim.writeLog.filter((w) => w.verb === 'patch')).toEqual([])
  })

  it('answers NotFound and AlreadyExists with real-looking Status objects', async () => {
    const missing = await apiFailure(clients.apps.readNamespacedDeployment({ name: 'nope', namespace: ns }))
    expect(missing).toEqual({
      code: 404,
      status: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'deployments.apps "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'apps', kind: 'deployments' },
        code: 404
      }
    })
    const exists = await apiFailure(
      clients.apps.createNamespacedDeployment({
        namespace: ns,
        body: deploymentManifest('web', 'ghcr.io/acme/web:1.0.0')
      })
    )
    expect(exists.code).toBe(409)
    expect(exists.status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'deployments.apps "web" already exists'
    })
  })

  it('records applied writes with the user who made them', async () => {
    const alice = clientsFor(sim, { user: 'alice' })
    await alice.apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { replicas: 3 } } },
      merge
    )
    expect(sim.writeLog.at(-1)).toMatchObject({
      verb: 'patch',
      resource: 'deployments',
      namespace: ns,
      name: 'web',
      user: 'alice'
    })
    expect(sim.writeLog[0]).toMatchObject({ verb: 'create', resource: 'deployments', user: 'admin' })
  })
})
