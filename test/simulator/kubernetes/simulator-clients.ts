/** Test helpers: real @kubernetes/client-node clients against a simulator, and polling. */
import * as k8s from '@kubernetes/client-node'
import type { KubeconfigOptions, KubernetesSimulator } from '../../../simulator/kubernetes/index.js'

export interface Clients {
  kc: k8s.KubeConfig
  apps: k8s.AppsV1Api
  core: k8s.CoreV1Api
  coordination: k8s.CoordinationV1Api
  policy: k8s.PolicyV1Api
  events: k8s.EventsV1Api
}

export function clientsFor(sim: KubernetesSimulator, options?: KubeconfigOptions): Clients {
  const kc = new k8s.KubeConfig()
  kc.loadFromString(sim.kubeconfig(options))
  return {
    kc,
    apps: kc.makeApiClient(k8s.AppsV1Api),
    core: kc.makeApiClient(k8s.CoreV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    policy: kc.makeApiClient(k8s.PolicyV1Api),
    events: kc.makeApiClient(k8s.EventsV1Api)
  }
}

/** Polls until `probe` returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
  what = 'condition'
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The parsed Status body of an ApiException thrown by client-node. */
export async function apiFailure(call: Promise<unknown>): Promise<{
  code: number
  status: { reason?: string; message?: string; code?: number; details?: unknown }
}> {
  try {
    await call
  } catch (error) {
    const e = error as { code?: number; body?: unknown }
    const body = typeof e.body === 'string' && e.body !== '' ? (JSON.parse(e.body) as object) : {}
    return { code: e.code ?? 0, status: body }
  }
  throw new Error('expected the call to fail')
}

export function deploymentManifest(
  name: string,
  image: string,
  extra: Partial<k8s.V1DeploymentSpec> = {}
): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image, ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'prod' }] }
          ]
        }
      },
      ...extra
    }
  }
}
