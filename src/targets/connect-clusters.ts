import type { Cluster, ResolvedEnvironment } from '../config/schema.js'
import { createKubeConfig, type KubernetesConnection } from '../kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi, type WorkloadApi } from '../kubernetes/api/kubernetes-api.js'
import { ConfigurationError, type Problem } from '../runtime/errors.js'
import type { Logger } from '../runtime/logger.js'

/** One cluster of an environment, connected: where its targets live and how to reach them. */
export interface ClusterHandle {
  name: string
  wave: number
  /** The namespace targets default to in this cluster (cluster's, else the environment's). */
  namespace: string | undefined
  api: WorkloadApi
  server: string
  /** How the post step finds this cluster again (the kubeconfig itself is never saved). */
  locator: ClusterLocator
}

export interface ClusterLocator {
  name: string
  credentials: Cluster['credentials']
  context?: string
}

export interface ConnectOptions {
  kubeconfig: string | undefined
  env: NodeJS.ProcessEnv
  logger: Logger
  /** Builds the API for a connection; tests and the bench may count or wrap requests. */
  makeApi?: (connection: KubernetesConnection) => WorkloadApi
}

/**
 * Connects to every cluster of the environment. Every credential found is masked before
 * anything is logged; problems with any cluster's kubeconfig are reported together.
 */
export function connectClusters(environment: ResolvedEnvironment, options: ConnectOptions): ClusterHandle[] {
  const problems: Problem[] = []
  const handles: ClusterHandle[] = []
  for (const cluster of environment.clusters) {
    const locator: ClusterLocator = {
      name: cluster.name,
      credentials: cluster.credentials,
      ...(cluster.context ? { context: cluster.context } : {})
    }
    try {
      const connection = connectCluster(locator, options)
      handles.push({
        name: cluster.name,
        wave: cluster.wave,
        namespace: cluster.namespace ?? environment.namespace,
        api: options.makeApi ? options.makeApi(connection) : new KubernetesWorkloadApi(connection.kubeConfig),
        server: connection.server,
        locator
      })
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error
      problems.push(...error.problems.map((p) => ({ ...p, path: `cluster ${cluster.name}: ${p.path}` })))
    }
  }
  if (problems.length) throw new ConfigurationError(problems)
  return handles
}

/** Connects to one cluster as the locator says, masking its credentials. */
export function connectCluster(
  locator: ClusterLocator,
  options: Omit<ConnectOptions, 'makeApi'>
): KubernetesConnection {
  const { kubeconfig, env } = options
  const source =
    locator.credentials === 'input'
      ? { kubeconfig: kubeconfig ?? '', env: {} }
      : locator.credentials === 'env'
        ? { env: { KUBECONFIG: env['KUBECONFIG'] } }
        : locator.credentials === 'in-cluster'
          ? { env: { ...env, KUBECONFIG: undefined } }
          : { ...(kubeconfig ? { kubeconfig } : {}), env }
  const connection = createKubeConfig({
    ...source,
    ...(locator.context ? { context: locator.context } : {}),
    inputNames: { kubeconfig: 'input kubeconfig', context: `clusters[${locator.name}].context` }
  })
  for (const secret of connection.secrets) options.logger.mask(secret)
  return connection
}
