import {
  readCustomResourceDefinitions,
  startKubernetesSimulator,
  type KubernetesSimulator
} from '../../../simulator/kubernetes/index.js'
import type { GateKubernetes } from '../../../src/gates/gate-context.js'
import type { Logger } from '../../../src/runtime/logger.js'
import { lazyKubernetes } from '../../../src/gates/gate-kubernetes.js'

export const REPOSITORY = 'ghcr.io/acme/shop-web'

export interface GateCluster {
  sim: KubernetesSimulator
  /** The gate stage's own lazy accessor, pointed at the simulator. */
  kubernetes: () => Promise<GateKubernetes>
  close(): Promise<void>
}

export async function startGateCluster(
  logger: Logger,
  namespaces = ['shop-staging', 'shop'],
  options: { crds?: boolean } = {}
): Promise<GateCluster> {
  const sim = await startKubernetesSimulator({
    namespaces,
    controllerTickMs: 2,
    // The CRDs of cluster/crds (ExternalSecret, Gateway, HTTPRoute, ...), served at once.
    ...(options.crds ? { customResourceDefinitions: readCustomResourceDefinitions('cluster/crds') } : {})
  })
  return {
    sim,
    kubernetes: lazyKubernetes({ kubeconfig: sim.kubeconfig(), env: {}, logger }),
    close: () => sim.close()
  }
}

export function webDeployment(namespace: string, image: string, replicas = 2, name = 'web') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name, tier: 'frontend' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image },
            { name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.0' }
          ]
        }
      }
    }
  }
}

/** Waits until the simulated controllers have rolled the Deployment out. */
export async function rolledOut(
  sim: KubernetesSimulator,
  namespace: string,
  name = 'web',
  timeoutMs = 5000
): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const d = sim.get('deployments', namespace, name) as {
      metadata: { generation: number }
      spec: { replicas: number }
      status?: {
        observedGeneration?: number
        availableReplicas?: number
        updatedReplicas?: number
        replicas?: number
      }
    }
    const s = d.status ?? {}
    if (
      s.observedGeneration === d.metadata.generation &&
      s.availableReplicas === d.spec.replicas &&
      s.updatedReplicas === d.spec.replicas &&
      s.replicas === d.spec.replicas
    )
      return
    if (Date.now() > until)
      throw new Error(`deployment ${namespace}/${name} did not roll out: ${JSON.stringify(s)}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** GET requests since `from` (an index into the request log), as `path?labelSelector` lines. */
export function readsSince(sim: KubernetesSimulator, from: number): string[] {
  return sim.requestLog
    .slice(from)
    .filter((r) => r.method === 'GET')
    .map((r) => (r.query['labelSelector'] ? `${r.path}?labelSelector=${r.query['labelSelector']}` : r.path))
}
