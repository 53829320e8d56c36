import type { Cluster, ResolvedEnvironment } from '../../config/schema.js'
import type { ClusterAccess, GateKubernetes } from '../../gates/gate-context.js'
import type { Logger } from '../../runtime/logger.js'

/**
 * Cluster access for the gates that read Kubernetes, loaded on first use: a gate run without
 * such a gate never loads @kubernetes/client-node (it dominates start-up time). Connections
 * are made as the promote stage makes them (same credential rules, secrets masked).
 */
export function lazyKubernetes(options: {
  kubeconfig: string | undefined
  env: NodeJS.ProcessEnv
  logger: Logger
}): () => Promise<GateKubernetes> {
  let loaded: Promise<GateKubernetes> | undefined
  return () => (loaded ??= load(options))
}

async function load(options: {
  kubeconfig: string | undefined
  env: NodeJS.ProcessEnv
  logger: Logger
}): Promise<GateKubernetes> {
  const [{ connectCluster }, { KubernetesWorkloadApi }] = await Promise.all([
    import('../../targets/connect-clusters.js'),
    import('../../kubernetes/api/kubernetes-api.js')
  ])
  const connections = new Map<string, Omit<ClusterAccess, 'cluster'>>()
  const connect = (cluster: Cluster): ClusterAccess => {
    const key = `${cluster.name}\u0000${cluster.credentials}\u0000${cluster.context ?? ''}`
    let access = connections.get(key)
    if (!access) {
      const locator = {
        name: cluster.name,
        credentials: cluster.credentials,
        ...(cluster.context ? { context: cluster.context } : {})
      }
      const connection = connectCluster(locator, options)
      access = { api: new KubernetesWorkloadApi(connection.kubeConfig), namespace: connection.namespace }
      connections.set(key, access)
    }
    return { ...access, cluster }
  }
  return {
    async clusters(environment: ResolvedEnvironment) {
      return [...environment.clusters].sort((a, b) => a.wave - b.wave).map(connect)
    }
  }
}
