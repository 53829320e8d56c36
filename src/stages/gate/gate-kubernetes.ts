import type { ResolvedEnvironment } from '../../config/schema.js'
import type { GateKubernetes } from '../../gates/gate-context.js'
import type { Logger } from '../../runtime/logger.js'

/**
 * Cluster access for the gates that read Kubernetes, loaded on first use: a gate run without
 * such a gate never loads @kubernetes/client-node. Connections are made by the same connector
 * as the promote stage's (same credential rules, secrets masked, one connection per cluster).
 */
export function lazyKubernetes(options: {
  kubeconfig: string | undefined
  env: NodeJS.ProcessEnv
  logger: Logger
}): () => Promise<GateKubernetes> {
  let loaded: Promise<GateKubernetes> | undefined
  return () =>
    (loaded ??= import('../../targets/connect-clusters.js').then(({ ClusterConnector }) => {
      const connector = new ClusterConnector(options)
      return {
        async clusters(environment: ResolvedEnvironment) {
          return connector.clusters(environment).sort((a, b) => a.wave - b.wave)
        }
      }
    }))
}
