import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'

function budget(name: string, spec: Partial<k8s.V1PodDisruptionBudgetSpec>): k8s.V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec }
  }
}

describe('PodDisruptionBudget status in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  async function statusOf(name: string, check: (s: k8s.V1PodDisruptionBudgetStatus) => boolean) {
    return eventually(
      async () => {
        const pdb = await clients.policy.readNamespacedPodDisruptionBudget({ name, namespace: ns })
        return pdb.status && check(pdb.status) ? pdb.status : undefined
      },
      5000,
      `status of ${name}`
    )
  }

  it('computes healthy, desired and allowed disruptions from ready pods with minAvailable as a number', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1', { replicas: 3 })
    })
    await clients.policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: budget('web', { minAvailable: 2 })
    })
    const status = await statusOf('web', (s) => s.currentHealthy === 3)
    expect(status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
      expectedPods: 3,
      observedGeneration: 1
    })
    expect(status.conditions?.[0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'True',
      reason: 'SufficientPods'
    })
  })

  it('scales percentages against the replicas of the pods controller, rounding up', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1', { replicas: 3 })
    })
    await clients.policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: budget('half', { maxUnavailable: '50%' })
    })
    await clients.policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: budget('most', { minAvailable: '60%' })
    })
    await expect(statusOf('half', (s) => s.currentHealthy === 3)).resolves.toMatchObject({
      expectedPods: 3,
      desiredHealthy: 1,
      disruptionsAllowed: 2
    })
    await expect(statusOf('most', (s) => s.currentHealthy === 3)).resolves.toMatchObject({
      expectedPods: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1
    })
  })

  it('allows no disruption while the matching pods are not ready', async () => {
    sim.setImageBehaviour('ghcr.io/acme/web:bad', { kind: 'crash-loop' })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:bad')
    })
    await clients.policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: budget('web', { minAvailable: 1 })
    })
    const status = await statusOf('web', (s) => s.expectedPods === 2)
    expect(status).toMatchObject({ currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0 })
    expect(status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' })
  })
})
