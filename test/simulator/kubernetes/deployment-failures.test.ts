import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'

describe('failing rollouts in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  async function podsOf(app: string): Promise<k8s.V1Pod[]> {
    return (await clients.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items
  }

  it('shows crash-looping pods with growing restarts and ends the rollout with ProgressDeadlineExceeded', async () => {
    sim.setImageBehaviour('ghcr.io/acme/api', { kind: 'crash-loop', afterMs: 10 })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('api', 'ghcr.io/acme/api:2.0.0', { progressDeadlineSeconds: 1 })
    })

    const crashing = await eventually(
      async () => {
        const pods = await podsOf('api')
        const statuses = pods.map((p) => p.status?.containerStatuses?.[0])
        return pods.length === 2 && statuses.every((s) => (s?.restartCount ?? 0) >= 2) ? pods : undefined
      },
      5000,
      'restarts'
    )
    for (const pod of crashing) {
      expect(pod.status?.phase).toBe('Running')
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False')
      const status = pod.status!.containerStatuses![0]!
      expect(status.ready).toBe(false)
      expect(status.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' })
    }
    await eventually(
      async () => {
        const pods = await podsOf('api')
        return pods.some(
          (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'
        )
      },
      5000,
      'CrashLoopBackOff'
    )

    const failed = await eventually(
      async () => {
        const d = await clients.apps.readNamespacedDeployment({ name: 'api', namespace: ns })
        const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing')
        return progressing?.reason === 'ProgressDeadlineExceeded' ? d : undefined
      },
      5000,
      'ProgressDeadlineExceeded'
    )
    const progressing = failed.status!.conditions!.find((c) => c.type === 'Progressing')!
    expect(progressing.status).toBe('False')
    expect(progressing.message).toMatch(/^ReplicaSet "api-[a-z0-9]+" has timed out progressing\.$/)
    expect(failed.status?.availableReplicas).toBeUndefined()
    expect(failed.status?.unavailableReplicas).toBe(2)

    const { items: events } = await clients.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'reason=BackOff'
    })
    const pod = crashing[0]!
    expect(events.map((e) => e.message)).toContain(
      `Back-off restarting failed container app in pod ${pod.metadata?.name}_${ns}(${pod.metadata?.uid})`
    )
    expect(events.every((e) => e.type === 'Warning' && e.involvedObject.kind === 'Pod')).toBe(true)
  })

  it('shows ErrImagePull then ImagePullBackOff for an image that cannot be pulled, with kubelet events', async () => {
    sim.setImageBehaviour(/:missing$/, { kind: 'image-pull-backoff', afterMs: 10 })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:missing')
    })

    const reasons = new Set<string>()
    await eventually(
      async () => {
        for (const pod of await podsOf('web')) {
          const reason = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason
          if (reason) reasons.add(reason)
        }
        return reasons.has('ImagePullBackOff')
      },
      5000,
      'ImagePullBackOff'
    )
    // Pods reach the back-off one by one: judge one that has.
    const pod = (await podsOf('web')).find(
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'
    )!
    expect(pod.status?.phase).toBe('Pending')
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe(
      'Back-off pulling image "ghcr.io/acme/web:missing"'
    )
    expect(pod.status?.containerStatuses?.[0]?.imageID).toBe('')

    const { items: events } = await clients.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=${pod.metadata?.name}`
    })
    expect(events.map((e) => `${e.type}/${e.reason}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        'Normal/BackOff: Back-off pulling image "ghcr.io/acme/web:missing"',
        'Warning/Failed: Error: ImagePullBackOff',
        'Warning/Failed: Error: ErrImagePull'
      ])
    )
    expect(events.find((e) => e.reason === 'BackOff')?.involvedObject.fieldPath).toBe('spec.containers{app}')
  })

  it('reports CreateContainerConfigError and InvalidImageName as waiting reasons of pending pods', async () => {
    sim.setImageBehaviour('ghcr.io/acme/cfg:1', {
      kind: 'create-container-config-error',
      message: 'secret "db" not found'
    })
    sim.setImageBehaviour('ghcr.io/acme/bad:1', { kind: 'invalid-image-name' })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('cfg', 'ghcr.io/acme/cfg:1')
    })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('bad', 'ghcr.io/acme/bad:1')
    })

    const waiting = async (app: string) => {
      const pods = await podsOf(app)
      return pods[0]?.status?.containerStatuses?.[0]?.state?.waiting
    }
    await expect(
      eventually(
        async () => (await waiting('cfg'))?.reason === 'CreateContainerConfigError' && waiting('cfg')
      )
    ).resolves.toEqual({
      reason: 'CreateContainerConfigError',
      message: 'secret "db" not found'
    })
    const invalid = await eventually(async () =>
      (await waiting('bad'))?.reason === 'InvalidImageName' ? waiting('bad') : undefined
    )
    expect(invalid?.message).toContain('invalid reference format')
  })

  it('keeps never-ready pods Running but unready so the Deployment stays unavailable', async () => {
    sim.setImageBehaviour('ghcr.io/acme/slow', { kind: 'never-ready' })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('slow', 'ghcr.io/acme/slow:1')
    })
    const pods = await eventually(async () => {
      const items = await podsOf('slow')
      return items.length === 2 && items.every((p) => p.status?.phase === 'Running') ? items : undefined
    })
    expect(pods[0]?.status?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      started: true,
      restartCount: 0
    })
    const d = await clients.apps.readNamespacedDeployment({ name: 'slow', namespace: ns })
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.reason).toBe(
      'MinimumReplicasUnavailable'
    )
  })

  it('fails images named like the kwok cluster failure conventions without any rule', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('conv', 'ghcr.io/acme/unpullable:1')
    })
    await eventually(async () => {
      const pods = await podsOf('conv')
      return pods[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'
    })
  })
  it('runs init containers to completion before the app container, and holds the pod when one cannot start', async () => {
    sim.setImageBehaviour('ghcr.io/acme/migrate:broken', { kind: 'image-pull-backoff' })
    const withInit = (name: string, initImage: string) => {
      const manifest = deploymentManifest(name, 'ghcr.io/acme/web:1')
      manifest.spec!.template.spec!.initContainers = [{ name: 'migrate', image: initImage }]
      return manifest
    }
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: withInit('good', 'ghcr.io/acme/migrate:1')
    })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: withInit('stuck', 'ghcr.io/acme/migrate:broken')
    })

    const good = await eventually(async () => {
      const pod = (await podsOf('good'))[0]
      return pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? pod : undefined
    })
    expect(good.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed'
    })

    const stuck = await eventually(async () => {
      const pod = (await podsOf('stuck'))[0]
      return pod?.status?.initContainerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'
        ? pod
        : undefined
    })
    expect(stuck.status?.phase).toBe('Pending')
    expect(stuck.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [migrate]'
    })
    expect(stuck.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing')
  })
})
