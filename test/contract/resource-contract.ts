/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * Contract cases for the resources beyond workloads: CustomResourceDefinitions (with the CRDs
 * of cluster/crds), ConfigMaps and Secrets, Ingress, ResourceQuota admission and Pod Security
 * admission. Registered by defineKubernetesContract, so they run against the simulator and the
 * real control plane alike.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readCustomResourceDefinitions } from '../../simulator/kubernetes/index.js'
import type { KubeHttp } from './kube-http.js'

/** What these cases need from a target (a subset of ContractTarget). */
export interface ResourceTarget {
  name: string
  namespace: string
  http: KubeHttp
  /** A fresh namespace (with labels) in which pods can be created at once; dispose deletes it. */
  createNamespace(
    prefix: string,
    labels?: Record<string, string>
  ): Promise<{ name: string; dispose(): Promise<void> }>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const merge = 'application/merge-patch+json'

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'

/** Creates (or updates to) a CRD and waits until it is Established and its resource answers. */
async function installCrd(http: KubeHttp, crd: any): Promise<void> {
  const created = await http.request('POST', crdPath, crd)
  if (created.status === 409) {
    const current = await http.get(`${crdPath}/${crd.metadata.name}`)
    const updated = await http.request('PUT', `${crdPath}/${crd.metadata.name}`, {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion }
    })
    expect(updated.status).toBe(200)
  } else {
    expect(created.status).toBe(201)
  }
  await eventually(`${crd.metadata.name} to be established`, async () => {
    const got = await http.get(`${crdPath}/${crd.metadata.name}`)
    return got.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')
      ? true
      : undefined
  })
  const version = crd.spec.versions.find((v: any) => v.served).name
  await eventually(`${crd.spec.names.plural} to be served`, async () => {
    const r = await http.request('GET', `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`)
    return r.status === 200 ? true : undefined
  })
}

export function defineResourceContract(target: () => ResourceTarget): void {
  let counter = 0
  const unique = (prefix: string) => `${prefix}-${++counter}-${Date.now() % 100000}`
  const ns = () => target().namespace
  const http = () => target().http

  describe('CustomResourceDefinitions from cluster/crds', () => {
    const apps = () => `/apis/argoproj.io/v1alpha1/namespaces/${ns()}/applications`
    const kustomizations = () => `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns()}/kustomizations`
    const application = (name: string, extra: object = {}) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, labels: { team: 'shop' } },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
        source: { repoURL: 'https://git.example/shop.git', path: 'deploy', targetRevision: 'main' }
      },
      ...extra
    })
    const kustomization = (name: string, extra: object = {}) => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name },
      spec: { interval: '5m', prune: true, sourceRef: { kind: 'GitRepository', name: 'shop' } },
      ...extra
    })

    beforeAll(async () => {
      for (const crd of readCustomResourceDefinitions('cluster/crds')) await installCrd(http(), crd)
    }, 120_000)

    it('discovery lists the custom resources with their short names, and /status only where declared', async () => {
      const argo = await http().get('/apis/argoproj.io/v1alpha1')
      expect(argo.resources).toEqual([
        expect.objectContaining({
          name: 'applications',
          singularName: 'application',
          namespaced: true,
          kind: 'Application',
          shortNames: ['app', 'apps'],
          verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch']
        })
      ])
      const flux = await http().get('/apis/kustomize.toolkit.fluxcd.io/v1')
      expect(flux.resources.map((r: any) => r.name)).toEqual(['kustomizations', 'kustomizations/status'])
      const groups = (await http().get('/apis')).groups.map((g: any) => g.name)
      for (const group of [
        'argoproj.io',
        'kustomize.toolkit.fluxcd.io',
        'helm.toolkit.fluxcd.io',
        'external-secrets.io',
        'gateway.networking.k8s.io'
      ])
        expect(groups).toContain(group)
      const gateway = await http().get('/apis/gateway.networking.k8s.io')
      expect(gateway.preferredVersion).toEqual({
        groupVersion: 'gateway.networking.k8s.io/v1',
        version: 'v1'
      })
    })

    it('without a status subresource (Argo CD Application) status is an ordinary field: kept on create, and a status write bumps the generation', async () => {
      const name = unique('app')
      const created = await http().request(
        'POST',
        apps(),
        application(name, { status: { sync: { status: 'OutOfSync' } } })
      )
      expect(created.status).toBe(201)
      expect(created.body.metadata.generation).toBe(1)
      expect(created.body.status).toEqual({ sync: { status: 'OutOfSync' } })
      const synced = await http().request(
        'PATCH',
        `${apps()}/${name}`,
        { status: { sync: { status: 'Synced', revision: 'a1b2c3' }, health: { status: 'Healthy' } } },
        merge
      )
      expect(synced.status).toBe(200)
      expect(synced.body.status.sync).toEqual({ status: 'Synced', revision: 'a1b2c3' })
      expect(synced.body.metadata.generation).toBe(2)
      const annotated = await http().request(
        'PATCH',
        `${apps()}/${name}`,
        { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } },
        merge
      )
      expect(annotated.body.metadata.generation).toBe(2)
      const status = await http().request('GET', `${apps()}/${name}/status`)
      expect(status.status).toBe(404)
      expect(status.body).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        message: `applications.argoproj.io "${name}" not found`
      })
    })

    it('with a status subresource (Flux Kustomization) the main resource ignores status and /status ignores everything else', async () => {
      const name = unique('ks')
      const created = await http().request(
        'POST',
        kustomizations(),
        kustomization(name, { status: { lastAppliedRevision: 'ignored' } })
      )
      expect(created.status).toBe(201)
      // status is dropped on create and then defaulted from the schema; spec.force too.
      expect(created.body.status).toEqual({ observedGeneration: -1 })
      expect(created.body.spec.force).toBe(false)
      const rv = created.body.metadata.resourceVersion
      const put = await http().request('PUT', `${kustomizations()}/${name}/status`, {
        ...kustomization(name),
        metadata: { name, resourceVersion: rv, labels: { ignored: 'yes' } },
        spec: { interval: '9m', prune: false, sourceRef: { kind: 'GitRepository', name: 'other' } },
        status: {
          observedGeneration: 1,
          lastAppliedRevision: 'main@sha1:a1b2c3',
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ReconciliationSucceeded',
              message: 'Applied revision: main@sha1:a1b2c3',
              lastTransitionTime: '2026-01-01T00:00:00Z'
            }
          ]
        }
      })
      expect(put.status).toBe(200)
      expect(put.body.spec.interval).toBe('5m')
      expect(put.body.metadata.labels).toBeUndefined()
      expect(put.body.metadata.generation).toBe(1)
      expect(put.body.status.lastAppliedRevision).toBe('main@sha1:a1b2c3')
      const patched = await http().request(
        'PATCH',
        `${kustomizations()}/${name}`,
        { spec: { interval: '10m' }, status: { lastAppliedRevision: 'ignored' } },
        merge
      )
      expect(patched.status).toBe(200)
      expect(patched.body.metadata.generation).toBe(2)
      expect(patched.body.status.lastAppliedRevision).toBe('main@sha1:a1b2c3')
      const jsonPatch = await http().request(
        'PATCH',
        `${kustomizations()}/${name}/status`,
        [{ op: 'replace', path: '/status/observedGeneration', value: 2 }],
        'application/json-patch+json'
      )
      expect(jsonPatch.status).toBe(200)
      expect(jsonPatch.body.status.observedGeneration).toBe(2)
    })

    it('custom resources refuse strategic merge patch (415) and updates without a resourceVersion (422)', async () => {
      const name = unique('app')
      expect((await http().request('POST', apps(), application(name))).status).toBe(201)
      const smp = await http().request(
        'PATCH',
        `${apps()}/${name}`,
        { spec: { project: 'other' } },
        'application/strategic-merge-patch+json'
      )
      expect(smp.status).toBe(415)
      expect(smp.body).toMatchObject({
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'
      })
      const put = await http().request('PUT', `${apps()}/${name}`, application(name))
      expect(put.status).toBe(422)
      expect(put.body.message).toBe(
        `applications.argoproj.io "${name}" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update`
      )
    })

    it('the schema prunes unknown fields, applies defaults and refuses invalid values with the field path', async () => {
      const name = unique('app')
      const created = await http().request('POST', apps(), {
        ...application(name),
        spec: { ...application(name).spec, unknownField: 1 },
        extra: 'dropped'
      })
      expect(created.status).toBe(201)
      expect(created.body.spec.unknownField).toBeUndefined()
      expect(created.body.extra).toBeUndefined()
      const missing = await http().request('PATCH', `${apps()}/${name}`, { spec: { project: null } }, merge)
      expect(missing.status).toBe(422)
      expect(missing.body.message).toBe(
        `Application.argoproj.io "${name}" is invalid: spec.project: Required value`
      )
      const badTime = await http().request(
        'PATCH',
        `${apps()}/${name}`,
        { status: { reconciledAt: 'soon' } },
        merge
      )
      expect(badTime.body.message).toBe(
        `Application.argoproj.io "${name}" is invalid: status.reconciledAt: Invalid value: "soon": status.reconciledAt in body must be of type date-time: "soon"`
      )
      const ks = unique('ks')
      const badKind = await http().request(
        'POST',
        kustomizations(),
        kustomization(ks, { spec: { interval: '5m', prune: true, sourceRef: { kind: 'Git', name: 'x' } } })
      )
      expect(badKind.status).toBe(422)
      expect(badKind.body.message).toBe(
        `Kustomization.kustomize.toolkit.fluxcd.io "${ks}" is invalid: spec.sourceRef.kind: Unsupported value: "Git": supported values: "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"`
      )
      const badInterval = await http().request(
        'POST',
        kustomizations(),
        kustomization(ks, {
          spec: { interval: '5 minutes', prune: true, sourceRef: { kind: 'GitRepository', name: 'x' } }
        })
      )
      expect(badInterval.body.message).toBe(
        `Kustomization.kustomize.toolkit.fluxcd.io "${ks}" is invalid: spec.interval: Invalid value: "5 minutes": spec.interval in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'`
      )
      const created2 = await http().request('POST', kustomizations(), kustomization(ks))
      const badStatus = await http().request(
        'PATCH',
        `${kustomizations()}/${ks}/status`,
        { status: { observedGeneration: 'one' } },
        merge
      )
      expect(created2.status).toBe(201)
      // A /status write is validated against the status schema alone: "in body" paths lack "status.".
      expect(badStatus.body.message).toBe(
        `Kustomization.kustomize.toolkit.fluxcd.io "${ks}" is invalid: status.observedGeneration: Invalid value: "string": observedGeneration in body must be of type integer: "string"`
      )
    })

    it('custom objects need kind and apiVersion; a wrong kind is Invalid under the kind sent', async () => {
      const body = { metadata: { name: 'nokind' }, spec: { project: 'default', destination: {} } }
      const noKind = await http().request('POST', apps(), body)
      expect(noKind.status).toBe(400)
      expect(noKind.body.message).toBe(
        `the object provided is unrecognized (must be of type Application): Object 'Kind' is missing in '${JSON.stringify(body)}' (${JSON.stringify(body).slice(0, 30)} ...)`
      )
      const wrongVersion = await http().request('POST', apps(), {
        ...body,
        kind: 'Application',
        apiVersion: 'argoproj.io/v1'
      })
      expect(wrongVersion.body.message).toBe(
        'the API version in the data (argoproj.io/v1) does not match the expected API version (argoproj.io/v1alpha1)'
      )
      const wrongKind = await http().request('POST', apps(), {
        ...body,
        kind: 'Foo',
        apiVersion: 'argoproj.io/v1alpha1'
      })
      expect(wrongKind.status).toBe(422)
      expect(wrongKind.body).toMatchObject({
        message: 'Foo.argoproj.io "nokind" is invalid: kind: Invalid value: "Foo": must be Application',
        details: { kind: 'Foo', group: 'argoproj.io' }
      })
    })

    it('lists by label carry kind and apiVersion on every item; watches see status writes', async () => {
      const name = unique('app')
      await http().request('POST', apps(), application(name, { metadata: { name, labels: { pick: name } } }))
      const list = await http().get(`${apps()}?labelSelector=pick%3D${name}`)
      expect(list.kind).toBe('ApplicationList')
      expect(list.metadata.continue).toBe('')
      expect(list.items).toHaveLength(1)
      expect(list.items[0]).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' })
      const rv = list.metadata.resourceVersion
      const watching = http().watch(
        `${apps()}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3D${name}`,
        (events) => events.some((e) => e.object?.status?.health?.status === 'Healthy')
      )
      await sleep(200)
      await http().request('PATCH', `${apps()}/${name}`, { status: { health: { status: 'Healthy' } } }, merge)
      const result = await watching
      expect(result.events.map((e) => e.type)).toContain('MODIFIED')
      expect(result.events.at(-1)!.object).toMatchObject({
        kind: 'Application',
        apiVersion: 'argoproj.io/v1alpha1'
      })
      const gone = await http().request('DELETE', `${apps()}/${name}`)
      expect(gone.body).toMatchObject({
        kind: 'Status',
        status: 'Success',
        details: { name, kind: 'applications' }
      })
    })

    it('schema defaults of the Gateway API, External Secrets and Flux HelmRelease CRDs', async () => {
      const route = await http().request(
        'POST',
        `/apis/gateway.networking.k8s.io/v1/namespaces/${ns()}/httproutes`,
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: unique('route') },
          spec: {
            parentRefs: [{ name: 'gw' }],
            hostnames: ['shop.example.com'],
            rules: [{ backendRefs: [{ name: 'web', port: 80 }] }]
          }
        }
      )
      expect(route.status).toBe(201)
      expect(route.body.spec).toEqual({
        hostnames: ['shop.example.com'],
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }],
        rules: [
          {
            backendRefs: [{ group: '', kind: 'Service', name: 'web', port: 80, weight: 1 }],
            matches: [{ path: { type: 'PathPrefix', value: '/' } }]
          }
        ]
      })
      const gateway = await http().request(
        'POST',
        `/apis/gateway.networking.k8s.io/v1/namespaces/${ns()}/gateways`,
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: unique('gw') },
          spec: { gatewayClassName: 'shared', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }
        }
      )
      expect(gateway.status).toBe(201)
      expect(gateway.body.spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'Same' } })
      expect(gateway.body.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
        ['Accepted', 'Unknown', 'Pending'],
        ['Programmed', 'Unknown', 'Pending']
      ])
      const secret = await http().request(
        'POST',
        `/apis/external-secrets.io/v1/namespaces/${ns()}/externalsecrets`,
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: unique('es') },
          spec: {
            secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
            data: [{ secretKey: 'password', remoteRef: { key: 'db/password' } }]
          }
        }
      )
      expect(secret.status).toBe(201)
      expect(secret.body.spec).toMatchObject({
        refreshInterval: '1h',
        target: { creationPolicy: 'Owner', deletionPolicy: 'Retain' }
      })
      expect(secret.body.status).toBeUndefined()
      const release = await http().request(
        'POST',
        `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns()}/helmreleases`,
        {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: unique('hr') },
          spec: {
            interval: '5m',
            chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
            values: { replicas: 2, image: { tag: '1.2.3' } }
          }
        }
      )
      expect(release.status).toBe(201)
      expect(release.body.spec.chart.spec).toMatchObject({ version: '*', reconcileStrategy: 'ChartVersion' })
      expect(release.body.spec.values).toEqual({ replicas: 2, image: { tag: '1.2.3' } })
      expect(release.body.status).toEqual({ observedGeneration: -1 })
    })

    it('a cluster-scoped CRD serves its objects without a namespace; deleting the CRD removes them', async () => {
      const group = 'contract.example.com'
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          names: { kind: 'Widget', plural: 'widgets' },
          scope: 'Cluster',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } }
                }
              }
            }
          ]
        }
      }
      const wrongName = await http().request('POST', crdPath, {
        ...crd,
        metadata: { name: 'widgets.wrong.example.com' }
      })
      expect(wrongName.status).toBe(422)
      expect(wrongName.body.message).toBe(
        'CustomResourceDefinition.apiextensions.k8s.io "widgets.wrong.example.com" is invalid: metadata.name: Invalid value: "widgets.wrong.example.com": must be spec.names.plural+"."+spec.group'
      )
      await installCrd(http(), crd)
      const got = await http().get(`${crdPath}/widgets.${group}`)
      expect(got.spec.names).toEqual({
        kind: 'Widget',
        plural: 'widgets',
        singular: 'widget',
        listKind: 'WidgetList'
      })
      expect(got.spec.conversion).toEqual({ strategy: 'None' })
      expect(got.status.acceptedNames).toMatchObject({ kind: 'Widget', plural: 'widgets' })
      expect(got.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted']
      ])
      const widgets = `/apis/${group}/v1/widgets`
      const created = await http().request('POST', widgets, {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'w1', namespace: 'ignored' },
        spec: { size: 3 }
      })
      expect(created.status).toBe(201)
      expect(created.body.metadata.namespace).toBeUndefined()
      const namespaced = await http().request('GET', `/apis/${group}/v1/namespaces/${ns()}/widgets`)
      expect(namespaced.status).toBe(404)
      expect(namespaced.body).toBe('404 page not found\n')
      const deleted = await http().request('DELETE', `${crdPath}/widgets.${group}`)
      expect(deleted.status).toBe(200)
      expect(deleted.body.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io')
      await eventually('the widgets to be gone', async () => {
        const r = await http().request('GET', `${widgets}/w1`)
        return r.status === 404 ? r : undefined
      })
      await eventually('the CRD to be gone', async () => {
        const r = await http().request('GET', `${crdPath}/widgets.${group}`)
        return r.status === 404 ? r : undefined
      })
    })
  })

  describe('ConfigMaps and Secrets', () => {
    const secrets = () => `/api/v1/namespaces/${ns()}/secrets`
    const configmaps = () => `/api/v1/namespaces/${ns()}/configmaps`

    it('Secret data must be base64 (400 with the decoder offset); it is stored canonically, stringData folded in', async () => {
      const name = unique('sec')
      const bad = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        data: { a: 'not base64!' }
      })
      expect(bad.status).toBe(400)
      expect(bad.body).toMatchObject({
        reason: 'BadRequest',
        message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'
      })
      const unpadded = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        data: { a: 'YWJjZA' }
      })
      expect(unpadded.body.message).toBe(
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4'
      )
      const ok = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, labels: { app: name } },
        data: { a: 'YW==', b: 'YWJj' },
        stringData: { b: 'over', c: 'plain' }
      })
      expect(ok.status).toBe(201)
      expect(ok.body.type).toBe('Opaque')
      expect(ok.body.stringData).toBeUndefined()
      expect(ok.body.data).toEqual({ a: 'YQ==', b: 'b3Zlcg==', c: 'cGxhaW4=' })
      const list = await http().get(`${secrets()}?labelSelector=app%3D${name}`)
      expect(list.items.map((s: any) => s.metadata.name)).toEqual([name])
      const badName = unique('sec')
      const badKey = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: badName },
        data: { 'bad key': 'YWJj' }
      })
      expect(badKey.status).toBe(422)
      expect(badKey.body.message).toBe(
        `Secret "${badName}" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`
      )
    })

    it('immutable Secrets refuse data changes; typed Secrets need their keys', async () => {
      const name = unique('frozen')
      const created = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        immutable: true,
        data: { a: 'YWJj' }
      })
      expect(created.status).toBe(201)
      const changed = await http().request('PATCH', `${secrets()}/${name}`, { data: { a: 'YWJk' } }, merge)
      expect(changed.status).toBe(422)
      expect(changed.body.message).toBe(
        `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`
      )
      const tls = unique('tls')
      const missing = await http().request('POST', secrets(), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: tls },
        type: 'kubernetes.io/tls',
        data: { a: 'YWJj' }
      })
      expect(missing.body.message).toBe(
        `Secret "${tls}" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]`
      )
    })

    it('ConfigMap data holds strings; lists select by label', async () => {
      const name = unique('cm')
      const number = await http().request('POST', configmaps(), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data: { a: 5 }
      })
      expect(number.status).toBe(400)
      expect(number.body.message).toBe(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string'
      )
      for (const [n, tier] of [
        [name, 'web'],
        [`${name}-other`, 'db']
      ] as const) {
        const r = await http().request('POST', configmaps(), {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: n, labels: { set: name, tier } },
          data: { k: 'v' }
        })
        expect(r.status).toBe(201)
      }
      const web = await http().get(`${configmaps()}?labelSelector=set%3D${name},tier%3Dweb`)
      expect(web.items.map((c: any) => c.metadata.name)).toEqual([name])
      const both = await http().get(`${configmaps()}?labelSelector=set%3D${name}`)
      expect(both.items).toHaveLength(2)
    })
  })

  describe('Ingress', () => {
    const ingresses = () => `/apis/networking.k8s.io/v1/namespaces/${ns()}/ingresses`
    const rule = (path: object) => ({
      host: 'shop.example.com',
      http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } }, ...path }] }
    })

    it('networking.k8s.io/v1 Ingress with ingressClassName and tls; pathType is required', async () => {
      const name = unique('ing')
      const created = await http().request('POST', ingresses(), {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name },
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
          rules: [rule({ pathType: 'Prefix' })]
        }
      })
      expect(created.status).toBe(201)
      expect(created.body.metadata.generation).toBe(1)
      expect(created.body.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }])
      expect(created.body.status).toEqual({ loadBalancer: {} })
      const lb = await http().request(
        'PATCH',
        `${ingresses()}/${name}/status`,
        { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } },
        merge
      )
      expect(lb.body.status.loadBalancer.ingress).toEqual([{ ip: '192.0.2.10' }])
      const bad = await http().request('POST', ingresses(), {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'no-path-type' },
        spec: { rules: [rule({})] }
      })
      expect(bad.status).toBe(422)
      expect(bad.body.message).toBe(
        'Ingress.networking.k8s.io "no-path-type" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'
      )
    })
  })

  const pod = (name: string, containers: object[], spec: object = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers, ...spec }
  })
  const deployment = (name: string, replicas: number, container: object) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }
    }
  })
  const condition = (o: any, type: string) => o?.status?.conditions?.find((c: any) => c.type === type)

  describe('ResourceQuota admission', () => {
    let space: { name: string; dispose(): Promise<void> }
    const quotas = () => `/api/v1/namespaces/${space.name}/resourcequotas`
    const pods = () => `/api/v1/namespaces/${space.name}/pods`

    beforeAll(async () => {
      space = await target().createNamespace('quota')
      const created = await http().request('POST', quotas(), {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'compute' },
        spec: { hard: { pods: '2', 'requests.cpu': '500m', 'requests.memory': '0.5Gi' } }
      })
      expect(created.status).toBe(201)
      expect(created.body.spec.hard).toEqual({
        pods: '2',
        'requests.cpu': '500m',
        'requests.memory': '512Mi'
      })
      await eventually('the quota status', async () => {
        const q = await http().get(`${quotas()}/compute`)
        return q.status?.used ? q : undefined
      })
    }, 60_000)
    afterAll(async () => {
      await space?.dispose()
    })

    it('maintains status.hard and status.used, and refuses what would exceed the quota with the real message', async () => {
      const q = await http().get(`${quotas()}/compute`)
      expect(q.status).toEqual({
        hard: { pods: '2', 'requests.cpu': '500m', 'requests.memory': '512Mi' },
        used: { pods: '0', 'requests.cpu': '0', 'requests.memory': '0' }
      })
      const bare = await http().request(
        'POST',
        pods(),
        pod('bare', [{ name: 'app', image: 'registry.example/contract/app:1' }])
      )
      expect(bare.status).toBe(403)
      expect(bare.body).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: app; requests.memory for: app',
        details: { name: 'bare', kind: 'pods' }
      })
      const resources = { requests: { cpu: '0.3', memory: '128Mi' } }
      const first = await http().request(
        'POST',
        pods(),
        pod('first', [{ name: 'app', image: 'registry.example/contract/app:1', resources }])
      )
      expect(first.status).toBe(201)
      expect(first.body.spec.containers[0].resources.requests).toEqual({ cpu: '300m', memory: '128Mi' })
      const second = await http().request(
        'POST',
        pods(),
        pod('second', [{ name: 'app', image: 'registry.example/contract/app:1', resources }])
      )
      expect(second.status).toBe(403)
      expect(second.body.message).toBe(
        'pods "second" is forbidden: exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=300m, limited: requests.cpu=500m'
      )
      const used = await eventually('the usage of the first pod', async () => {
        const now = await http().get(`${quotas()}/compute`)
        return now.status.used.pods === '1' ? now.status.used : undefined
      })
      expect(used).toEqual({ pods: '1', 'requests.cpu': '300m', 'requests.memory': '128Mi' })
    })

    it('the ReplicaSet reports pods the quota refuses: ReplicaFailure FailedCreate and a FailedCreate Warning event', async () => {
      const name = 'over-quota'
      const created = await http().request(
        'POST',
        `/apis/apps/v1/namespaces/${space.name}/deployments`,
        deployment(name, 3, {
          name: 'app',
          image: 'registry.example/contract/app:1',
          resources: { requests: { cpu: '100m', memory: '64Mi' } }
        })
      )
      expect(created.status).toBe(201)
      const rs = await eventually('ReplicaFailure on the ReplicaSet', async () => {
        const list = await http().get(
          `/apis/apps/v1/namespaces/${space.name}/replicasets?labelSelector=app%3D${name}`
        )
        return condition(list.items[0], 'ReplicaFailure') ? list.items[0] : undefined
      })
      const failure = condition(rs, 'ReplicaFailure')
      expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' })
      const refused = new RegExp(
        `^pods "${rs.metadata.name}-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2$`
      )
      expect(failure.message).toMatch(refused)
      const event = await eventually('the FailedCreate event', async () => {
        const events = await http().get(
          `/api/v1/namespaces/${space.name}/events?fieldSelector=reason%3DFailedCreate`
        )
        return events.items.find((e: any) => e.involvedObject.name === rs.metadata.name)
      })
      expect(event).toMatchObject({
        type: 'Warning',
        source: { component: 'replicaset-controller' },
        involvedObject: { kind: 'ReplicaSet' }
      })
      expect(event.message).toMatch(new RegExp(`^Error creating: ${refused.source.slice(1)}`))
      const d = await eventually('ReplicaFailure on the Deployment', async () => {
        const got = await http().get(`/apis/apps/v1/namespaces/${space.name}/deployments/${name}`)
        return condition(got, 'ReplicaFailure') ? got : undefined
      })
      expect(condition(d, 'ReplicaFailure')).toMatchObject({
        status: 'True',
        reason: 'FailedCreate',
        message: failure.message
      })
    })
  })

  describe('Pod Security admission', () => {
    let space: { name: string; dispose(): Promise<void> }
    beforeAll(async () => {
      space = await target().createNamespace('psa', { 'pod-security.kubernetes.io/enforce': 'restricted' })
    }, 60_000)
    afterAll(async () => {
      await space?.dispose()
    })

    it('a restricted namespace refuses a pod that violates the profile, with the PodSecurity message', async () => {
      const pods = `/api/v1/namespaces/${space.name}/pods`
      const refused = await http().request(
        'POST',
        pods,
        pod('plain', [{ name: 'app', image: 'registry.example/contract/app:1' }])
      )
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods "plain" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
      })
      const worse = await http().request(
        'POST',
        pods,
        pod(
          'worse',
          [
            {
              name: 'app',
              image: 'registry.example/contract/app:1',
              securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } }
            }
          ],
          {
            hostNetwork: true,
            securityContext: { runAsNonRoot: false, seccompProfile: { type: 'Unconfined' } }
          }
        )
      )
      expect(worse.body.message).toBe(
        'pods "worse" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true), privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add), runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), runAsUser=0 (container "app" must not set runAsUser=0), seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'
      )
      const compliant = await http().request(
        'POST',
        pods,
        pod(
          'compliant',
          [
            {
              name: 'app',
              image: 'registry.example/contract/app:1',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }
            }
          ],
          { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }
        )
      )
      expect(compliant.status).toBe(201)
    })

    it('the ReplicaSet of a Deployment whose pods violate the profile shows FailedCreate', async () => {
      const name = 'insecure'
      const created = await http().request(
        'POST',
        `/apis/apps/v1/namespaces/${space.name}/deployments`,
        deployment(name, 1, { name: 'app', image: 'registry.example/contract/app:1' })
      )
      expect(created.status).toBe(201)
      const rs = await eventually('ReplicaFailure', async () => {
        const list = await http().get(
          `/apis/apps/v1/namespaces/${space.name}/replicasets?labelSelector=app%3D${name}`
        )
        return condition(list.items[0], 'ReplicaFailure') ? list.items[0] : undefined
      })
      expect(rs.status.replicas).toBe(0)
      expect(condition(rs, 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate' })
      expect(condition(rs, 'ReplicaFailure').message).toMatch(
        new RegExp(
          `^pods "${rs.metadata.name}-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false`
        )
      )
    })

    it('a StatefulSet and a DaemonSet whose pods are refused report it only as FailedCreate Warning events on themselves', async () => {
      const template = (name: string) => ({
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.example/contract/app:1' }] }
      })
      const sts = await http().request('POST', `/apis/apps/v1/namespaces/${space.name}/statefulsets`, {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'insecure-db' },
        spec: {
          replicas: 1,
          serviceName: 'insecure-db',
          selector: { matchLabels: { app: 'insecure-db' } },
          template: template('insecure-db')
        }
      })
      expect(sts.status).toBe(201)
      const ds = await http().request('POST', `/apis/apps/v1/namespaces/${space.name}/daemonsets`, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'insecure-agent' },
        spec: { selector: { matchLabels: { app: 'insecure-agent' } }, template: template('insecure-agent') }
      })
      expect(ds.status).toBe(201)
      const failedCreate = (kind: string, name: string) =>
        eventually(`the FailedCreate event of ${kind} ${name}`, async () => {
          const events = await http().get(
            `/api/v1/namespaces/${space.name}/events?fieldSelector=${encodeURIComponent(`involvedObject.kind=${kind},reason=FailedCreate`)}`
          )
          return events.items.find((e: any) => e.involvedObject.name === name)
        })
      const stsEvent = await failedCreate('StatefulSet', 'insecure-db')
      expect(stsEvent).toMatchObject({
        type: 'Warning',
        source: { component: 'statefulset-controller' },
        involvedObject: { kind: 'StatefulSet', name: 'insecure-db', uid: sts.body.metadata.uid }
      })
      expect(stsEvent.message).toMatch(
        /^Create Pod insecure-db-0 in StatefulSet insecure-db failed error: pods "insecure-db-0" is forbidden: violates PodSecurity "restricted:latest": /
      )
      const dsEvent = await failedCreate('DaemonSet', 'insecure-agent')
      expect(dsEvent).toMatchObject({
        type: 'Warning',
        source: { component: 'daemonset-controller' },
        involvedObject: { kind: 'DaemonSet', name: 'insecure-agent', uid: ds.body.metadata.uid }
      })
      expect(dsEvent.message).toMatch(
        /^Error creating: pods "insecure-agent-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": /
      )
      // Neither kind has a status condition for it.
      const got = await http().get(`/apis/apps/v1/namespaces/${space.name}/statefulsets/insecure-db`)
      expect(condition(got, 'ReplicaFailure')).toBeUndefined()
      expect(got.status.conditions ?? []).toEqual([])
      const gotDs = await http().get(`/apis/apps/v1/namespaces/${space.name}/daemonsets/insecure-agent`)
      expect(gotDs.status.conditions ?? []).toEqual([])
      // Retries repeat the same event: the recorder counts them on it.
      const repeated = await eventually('a repeated FailedCreate', async () => {
        const again = await failedCreate('StatefulSet', 'insecure-db')
        return (again.count ?? 1) > 1 ? again : undefined
      })
      expect(repeated.metadata.name).toBe(stsEvent.metadata.name)
    })

    it('a baseline namespace with a pinned version names both, and lists containers and host ports as upstream does', async () => {
      const baseline = await target().createNamespace('psa-baseline', {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/enforce-version': 'v1.30'
      })
      try {
        const r = await http().request('POST', `/api/v1/namespaces/${baseline.name}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'ports' },
          spec: {
            hostPID: true,
            volumes: [{ name: 'host', hostPath: { path: '/' } }],
            securityContext: { seccompProfile: { type: 'Unconfined' } },
            initContainers: [
              {
                name: 'init',
                image: 'registry.example/contract/app:1',
                ports: [{ containerPort: 1, hostPort: 9000 }]
              }
            ],
            containers: [
              {
                name: 'app',
                image: 'registry.example/contract/app:1',
                ports: [
                  { containerPort: 80, hostPort: 8080 },
                  { containerPort: 81, hostPort: 81 }
                ],
                securityContext: {
                  capabilities: { add: ['SYS_ADMIN', 'NET_RAW', 'CHOWN'] },
                  seccompProfile: { type: 'Unconfined' }
                }
              }
            ]
          }
        })
        expect(r.status).toBe(403)
        expect(r.body.message).toBe(
          'pods "ports" is forbidden: violates PodSecurity "baseline:v1.30": non-default capabilities (container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostPID=true), hostPath volumes (volume "host"), hostPort (containers "init", "app" use hostPorts 8080, 81, 9000), seccompProfile (pod and container "app" must not set securityContext.seccompProfile.type to "Unconfined")'
        )
      } finally {
        await baseline.dispose()
      }
    })

    it('a namespace label with an unknown level is refused', async () => {
      const r = await http().request(
        'PATCH',
        `/api/v1/namespaces/${space.name}`,
        { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } },
        merge
      )
      expect(r.status).toBe(422)
      expect(r.body.message).toBe(
        `Namespace "${space.name}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`
      )
    })
  })
}
