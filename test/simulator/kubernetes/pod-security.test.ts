import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, eventually, type Clients } from './simulator-clients.js'

const restricted: k8s.V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' }
}

describe('Pod Security admission in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
    for (const [name, level] of [
      ['locked', 'restricted'],
      ['open', 'privileged']
    ]) {
      await clients.core.createNamespace({
        body: { metadata: { name: name!, labels: { 'pod-security.kubernetes.io/enforce': level! } } }
      })
    }
  })
  afterEach(async () => {
    await sim.close()
  })

  const pod = (name: string, spec: Partial<k8s.V1PodSpec>): k8s.V1Pod => ({
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/api:1', securityContext: restricted }], ...spec }
  })

  it('lets compliant pods run in a restricted namespace and anything run in a privileged one', async () => {
    await clients.core.createNamespacedPod({ namespace: 'locked', body: pod('ok', {}) })
    await clients.core.createNamespacedPod({
      namespace: 'open',
      body: pod('anything', {
        hostNetwork: true,
        containers: [{ name: 'app', image: 'ghcr.io/acme/api:1', securityContext: { privileged: true } }]
      })
    })
    await eventually(async () => {
      const p = await clients.core.readNamespacedPod({ name: 'ok', namespace: 'locked' })
      return p.status?.phase === 'Running'
    })
  })

  it('names restricted volume types, and pluralises for several containers', async () => {
    const volumes = await apiFailure(
      clients.core.createNamespacedPod({
        namespace: 'locked',
        body: pod('volumes', {
          volumes: [
            { name: 'h', hostPath: { path: '/' } },
            { name: 'e', emptyDir: {} },
            { name: 'n', nfs: { server: 'nfs.example', path: '/' } }
          ]
        })
      })
    )
    expect(volumes.status.message).toBe(
      'pods "volumes" is forbidden: violates PodSecurity "restricted:latest": restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")'
    )
    const two = await apiFailure(
      clients.core.createNamespacedPod({
        namespace: 'locked',
        body: pod('two', {
          containers: [
            { name: 'app', image: 'ghcr.io/acme/api:1' },
            { name: 'side', image: 'ghcr.io/acme/side:1' }
          ]
        })
      })
    )
    expect(two.status.message).toBe(
      'pods "two" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (containers "app", "side" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (containers "app", "side" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or containers "app", "side" must set securityContext.runAsNonRoot=true), seccompProfile (pod or containers "app", "side" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    )
  })

  it('checks a namespace label when the namespace is created, too', async () => {
    const failure = await apiFailure(
      clients.core.createNamespace({
        body: { metadata: { name: 'odd', labels: { 'pod-security.kubernetes.io/warn': 'strict' } } }
      })
    )
    expect(failure.code).toBe(422)
    expect(failure.status.message).toBe(
      'Namespace "odd" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "strict": must be one of privileged, baseline, restricted'
    )
  })
})
