import { createHash } from 'node:crypto'
import type { AgentOptions } from 'node:https'
import type { Cluster, KubeConfig } from '@kubernetes/client-node'

/**
 * Makes every request of one KubeConfig share a keep-alive connection pool.
 *
 * @kubernetes/client-node 2.x builds a new undici Agent in `applySecurityAuthentication`,
 * i.e. for every request and every watch, whenever the cluster has TLS options (a CA, a
 * client certificate, or insecure-skip-tls-verify: nearly every real kubeconfig). Each
 * request then opens its own TCP connection (and TLS handshake) and leaves it to idle out:
 * with 50 targets that is hundreds of connections for one promotion. Here the Agent is built
 * once per distinct set of connection options and reused; options that change (an exec
 * plugin rotating a client certificate) get a new Agent, so no stale credential is reused.
 *
 * client-node keeps the factory as a private method; when it is missing (a later release
 * renamed it) nothing is changed and requests work as before, one connection each.
 */
export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const target = kubeConfig as unknown as Partial<DispatcherFactory>
  const create = target.createDispatcher
  if (typeof create !== 'function' || typeof kubeConfig.createDispatcherOptions !== 'function')
    return kubeConfig
  const pools = new Map<string, unknown>()
  target.createDispatcher = (cluster, agentOptions) => {
    const key = fingerprint(kubeConfig.createDispatcherOptions(cluster, agentOptions))
    if (!pools.has(key)) pools.set(key, create.call(kubeConfig, cluster, agentOptions))
    return pools.get(key)
  }
  return kubeConfig
}

interface DispatcherFactory {
  createDispatcher(cluster: Cluster | null, agentOptions: AgentOptions): unknown
}

/** A digest of the options (key material included) so the map never holds them in clear. */
function fingerprint(options: unknown): string {
  return createHash('sha256').update(JSON.stringify(options)).digest('hex')
}
