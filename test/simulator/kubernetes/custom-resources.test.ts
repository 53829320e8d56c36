import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import {
  readCustomResourceDefinitions,
  startKubernetesSimulator,
  type KubernetesSimulator
} from '../../../simulator/kubernetes/index.js'
import { eventually } from './simulator-clients.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const argo = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' }
const flux = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' }

const application = (name: string, namespace = 'argocd'): Json => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
    source: { repoURL: 'https://git.example/shop.git', path: 'deploy', targetRevision: 'main' }
  }
})

function widgetCrd(versions: Json[], scope = 'Namespaced'): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'] },
      scope,
      versions
    }
  }
}

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { size: { type: 'integer', default: 1 } } },
      status: { type: 'object', properties: { ready: { type: 'boolean' } } }
    }
  }
}

describe('custom resources in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let custom: k8s.CustomObjectsApi

  beforeEach(async () => {
    sim = await startKubernetesSimulator({
      namespaces: ['argocd', 'flux-system'],
      customResourceDefinitions: readCustomResourceDefinitions('cluster/crds')
    })
    const kc = new k8s.KubeConfig()
    kc.loadFromString(sim.kubeconfig())
    custom = kc.makeApiClient(k8s.CustomObjectsApi)
  })
  afterEach(async () => {
    await sim.close()
  })

  it('serves the CRDs of cluster/crds from the start, Established, to client-node', async () => {
    const crds = sim
      .list('customresourcedefinitions')
      .map((crd) => (crd as Json).metadata.name)
      .sort()
    expect(crds).toEqual([
      'applications.argoproj.io',
      'externalsecrets.external-secrets.io',
      'gateways.gateway.networking.k8s.io',
      'helmreleases.helm.toolkit.fluxcd.io',
      'httproutes.gateway.networking.k8s.io',
      'kustomizations.kustomize.toolkit.fluxcd.io'
    ])
    const crd = sim.get('crd', undefined, 'applications.argoproj.io') as Json
    expect(crd.status.conditions.find((c: Json) => c.type === 'Established').status).toBe('True')
    expect(crd.status.storedVersions).toEqual(['v1alpha1'])

    const created = (await custom.createNamespacedCustomObject({
      ...argo,
      namespace: 'argocd',
      body: application('web')
    })) as Json
    expect(created.metadata.uid).toBeDefined()
    const listed = (await custom.listNamespacedCustomObject({ ...argo, namespace: 'argocd' })) as Json
    expect(listed.items.map((a: Json) => a.metadata.name)).toEqual(['web'])
    const all = (await custom.listClusterCustomObject(argo)) as Json
    expect(all.items).toHaveLength(1)
  })

  it('seeds and reads custom objects by short name, plural, qualified name or apiVersion/kind', async () => {
    sim.create(application('seeded'))
    expect(sim.get('app', 'argocd', 'seeded')).toMatchObject({
      kind: 'Application',
      metadata: { generation: 1 }
    })
    expect(sim.get('applications.argoproj.io', 'argocd', 'seeded')).toBeDefined()
    expect(sim.get('argoproj.io/v1alpha1/Application', 'argocd', 'seeded')).toBeDefined()
    expect(sim.list('ks')).toEqual([])
  })

  it('a /status JSON patch through client-node changes only the status', async () => {
    await custom.createNamespacedCustomObject({
      ...flux,
      namespace: 'flux-system',
      body: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'apps' },
        spec: { interval: '5m', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } }
      }
    })
    const patched = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...flux,
        namespace: 'flux-system',
        name: 'apps',
        body: [{ op: 'add', path: '/status/lastAppliedRevision', value: 'main@sha1:a1b2c3' }]
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)
    )) as Json
    expect(patched.status).toEqual({ observedGeneration: -1, lastAppliedRevision: 'main@sha1:a1b2c3' })
    expect(patched.metadata.generation).toBe(1)
  })

  it('a CRD update re-serves it: a status subresource added later is served', async () => {
    const crd = widgetCrd([{ name: 'v1', served: true, storage: true, schema }])
    sim.create(crd)
    const widgets = `${sim.url}/apis/example.com/v1/namespaces/default/widgets`
    const request = (method: string, path: string, body?: unknown) =>
      fetch(path, {
        method,
        headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/merge-patch+json' },
        ...(body ? { body: JSON.stringify(body) } : {})
      })
    sim.create({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
      spec: {}
    })
    expect((sim.get('widgets', 'default', 'w') as Json).spec).toEqual({ size: 1 })
    expect((await request('GET', `${widgets}/w/status`)).status).toBe(404)

    const stored = sim.get('crd', undefined, 'widgets.example.com') as Json
    stored.spec.versions[0].subresources = { status: {} }
    sim.update(stored)
    const status = await request('PATCH', `${widgets}/w/status`, {
      status: { ready: true },
      spec: { size: 9 }
    })
    expect(status.status).toBe(200)
    expect(await status.json()).toMatchObject({ spec: { size: 1 }, status: { ready: true } })
  })

  it('several served versions share one storage; each is read in its own apiVersion', async () => {
    sim.create(
      widgetCrd([
        { name: 'v1beta1', served: true, storage: false, schema },
        { name: 'v1', served: true, storage: true, schema }
      ])
    )
    sim.create({
      apiVersion: 'example.com/v1beta1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
      spec: { size: 2 }
    })
    expect(sim.get('example.com/v1/widgets', 'default', 'w')).toMatchObject({
      apiVersion: 'example.com/v1',
      spec: { size: 2 }
    })
    expect(sim.get('example.com/v1beta1/widgets', 'default', 'w')).toMatchObject({
      apiVersion: 'example.com/v1beta1'
    })
    const group = (await (
      await fetch(`${sim.url}/apis/example.com`, { headers: { Authorization: `Bearer ${sim.token}` } })
    ).json()) as Json
    expect(group.preferredVersion).toEqual({ groupVersion: 'example.com/v1', version: 'v1' })
    expect(group.versions.map((v: Json) => v.version)).toEqual(['v1', 'v1beta1'])
  })

  it('custom objects take part in garbage collection and namespace deletion', async () => {
    const app = sim.create(application('owner')) as Json
    sim.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'owned',
        namespace: 'argocd',
        ownerReferences: [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: 'owner', uid: app.metadata.uid }
        ]
      }
    })
    sim.delete('applications', 'argocd', 'owner')
    await eventually(
      () => sim.get('configmaps', 'argocd', 'owned') === undefined,
      5000,
      'the owned ConfigMap to go'
    )

    sim.create(application('doomed'))
    sim.delete('namespaces', undefined, 'argocd')
    await eventually(() => sim.list('applications').length === 0, 5000, 'the namespace content to go')
  })

  it('each simulator has its own CRDs', async () => {
    const other = await startKubernetesSimulator()
    try {
      expect(() => other.get('applications', 'default', 'x')).toThrow(
        /does not serve a resource called "applications"/
      )
      const response = await fetch(`${other.url}/apis/argoproj.io/v1alpha1/namespaces/default/applications`, {
        headers: { Authorization: `Bearer ${other.token}` }
      })
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(await response.text()).toBe('404 page not found\n')
    } finally {
      await other.close()
    }
  })
})
