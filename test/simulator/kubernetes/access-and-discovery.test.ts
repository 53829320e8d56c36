import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)

describe('authentication, authorization and discovery in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator({ token: 'sekret', namespaces: ['prod', 'staging'] })
    clients = clientsFor(sim, { user: 'ci-bot' })
    for (const namespace of ['prod', 'staging']) {
      await clients.apps.createNamespacedDeployment({
        namespace,
        body: deploymentManifest('web', 'ghcr.io/acme/web:1')
      })
    }
  })
  afterEach(async () => {
    await sim.close()
  })

  it('answers 401 Unauthorized to a request without the bearer token', async () => {
    const response = await fetch(`${sim.url}/apis/apps/v1/namespaces/prod/deployments/web`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
      message: 'Unauthorized'
    })

    const kc = new k8s.KubeConfig()
    kc.loadFromString(sim.kubeconfig().replace('"sekret"', '"wrong"'))
    const failure = await apiFailure(
      kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: 'prod' })
    )
    expect(failure.code).toBe(401)
    expect(sim.requestLog.at(-1)).toMatchObject({
      status: 401,
      path: '/apis/apps/v1/namespaces/prod/deployments/web'
    })
    expect(sim.requestLog.at(-1)?.user).toBeUndefined()
  })

  it('answers 403 Forbidden with the apiserver wording to a denied verb, resource and namespace only', async () => {
    sim.denyRequests({ verb: 'patch', resource: 'deployments', namespace: 'prod' })
    const failure = await apiFailure(
      clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'prod', body: { spec: { replicas: 3 } } },
        merge
      )
    )
    expect(failure.code).toBe(403)
    expect(failure.status).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message:
        'deployments.apps "web" is forbidden: User "ci-bot" cannot patch resource "deployments" in API group "apps" in the namespace "prod"',
      details: { name: 'web', group: 'apps', kind: 'deployments' }
    })
    await expect(
      clients.apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' })
    ).resolves.toBeDefined()
    await expect(
      clients.apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'staging', body: { spec: { replicas: 3 } } },
        merge
      )
    ).resolves.toBeDefined()
    expect(sim.writeLog.filter((w) => w.verb === 'patch').map((w) => w.namespace)).toEqual(['staging'])
  })

  it('denies per user and reports the same answer through SelfSubjectAccessReview', async () => {
    sim.denyRequests({ verb: 'list', resource: 'pods', user: 'ci-bot' })
    const failure = await apiFailure(clients.core.listNamespacedPod({ namespace: 'prod' }))
    expect(failure.status.message).toBe(
      'pods is forbidden: User "ci-bot" cannot list resource "pods" in API group "" in the namespace "prod"'
    )
    await expect(clientsFor(sim).core.listNamespacedPod({ namespace: 'prod' })).resolves.toBeDefined()

    const authorization = clients.kc.makeApiClient(k8s.AuthorizationV1Api)
    const review = (verb: string) =>
      authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace: 'prod', verb, group: '', resource: 'pods' } } }
      })
    expect((await review('list')).status?.allowed).toBe(false)
    expect((await review('get')).status?.allowed).toBe(true)
    sim.allowAllRequests()
    await expect(clients.core.listNamespacedPod({ namespace: 'prod' })).resolves.toBeDefined()
  })

  it('serves discovery well enough for the generic KubernetesObjectApi client and reports a version', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(clients.kc)
    const read = await objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'prod' }
    })
    expect(read.metadata?.uid).toBeDefined()
    const version = await clients.kc.makeApiClient(k8s.VersionApi).getCode()
    expect(version.gitVersion).toBe('v1.36.3')
    const groups = await clients.kc.makeApiClient(k8s.ApisApi).getAPIVersions()
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'coordination.k8s.io', 'policy', 'events.k8s.io'])
    )
  })

  it('serves events through both the core and the events.k8s.io API', async () => {
    const core = await eventually(async () => {
      const { items } = await clients.core.listNamespacedEvent({
        namespace: 'prod',
        fieldSelector: 'involvedObject.name=web'
      })
      return items.length > 0 ? items : undefined
    })
    const { items: v1 } = await clients.events.listNamespacedEvent({
      namespace: 'prod',
      fieldSelector: 'regarding.name=web'
    })
    expect(v1.map((e) => e.note)).toEqual(core.map((e) => e.message))
    expect(v1[0]?.regarding?.kind).toBe('Deployment')
    expect(v1[0]?.reportingController).toBe('deployment-controller')
    const unknown = await apiFailure(
      clients.core.listNamespacedEvent({ namespace: 'prod', fieldSelector: 'spec.nope=1' })
    )
    expect(unknown).toMatchObject({
      code: 400,
      status: { reason: 'BadRequest', message: 'field label not supported: spec.nope' }
    })
  })

  it('pages a list with limit and continue', async () => {
    const first = await clients.apps.listDeploymentForAllNamespaces({ limit: 1 })
    expect(first.items).toHaveLength(1)
    expect(first.metadata?.remainingItemCount).toBe(1)
    const second = await clients.apps.listDeploymentForAllNamespaces({
      limit: 1,
      _continue: first.metadata?._continue
    })
    expect(second.items.map((d) => d.metadata?.namespace)).toEqual(['staging'])
    expect(second.metadata?._continue).toBeUndefined()
  })
})
