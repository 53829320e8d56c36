import type { Cluster, ResolvedEnvironment } from '../config/schema.js'
import {
  createKubeConfig,
  hasKubeConfigSource,
  type KubernetesConnection
} from '../kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi, type WorkloadApi } from '../kubernetes/api/kubernetes-api.js'
import { ConfigurationError, type Problem } from '../runtime/errors.js'
import type { Logger } from '../runtime/logger.js'

/**
 * One cluster of an environment, connected: where its targets live and how to reach it. The one
 * type promote, verify and the gates use for a cluster.
 */
export interface ConnectedCluster {
  name: string
  wave: number
  /** The namespace targets default to in this cluster (the cluster's, else the environment's). */
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
 * Connects a run to the clusters of its environments, once per cluster: the environment being
 * promoted and its upstream share a connection (and its pooled TLS sessions) when they name the
 * same cluster. Every credential found is masked before anything is logged.
 */
export class ClusterConnector {
  private readonly connections = new Map<string, { api: WorkloadApi; server: string }>()

  constructor(private readonly options: ConnectOptions) {}

  /** Every cluster of the environment, in config order; problems with any cluster's kubeconfig are reported together. */
  clusters(environment: ResolvedEnvironment): ConnectedCluster[] {
    const problems: Problem[] = []
    const connected: ConnectedCluster[] = []
    for (const cluster of environment.clusters) {
      const locator: ClusterLocator = {
        name: cluster.name,
        credentials: cluster.credentials,
        ...(cluster.context ? { context: cluster.context } : {})
      }
      try {
        const { api, server } = this.connect(locator)
        connected.push({
          name: cluster.name,
          wave: cluster.wave,
          namespace: cluster.namespace ?? environment.namespace,
          api,
          server,
          locator
        })
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error
        problems.push(...error.problems.map((p) => ({ ...p, path: `cluster ${cluster.name}: ${p.path}` })))
      }
    }
    if (problems.length) throw new ConfigurationError(problems)
    return connected
  }

  /**
   * GitOps mode's clusters: those of the environment the run can reach. A cluster left to `auto`
   * credentials is skipped when no kubeconfig is to be found (no input, no KUBECONFIG, not inside
   * a cluster): a GitOps promotion needs none, and then locks without a Lease. A cluster whose
   * credentials are named explicitly must connect.
   */
  reachableClusters(environment: ResolvedEnvironment): ConnectedCluster[] {
    const found = hasKubeConfigSource({ kubeconfig: this.options.kubeconfig, env: this.options.env })
    return this.clusters({
      ...environment,
      clusters: environment.clusters.filter((cluster) => found || cluster.credentials !== 'auto')
    })
  }

  /** The API of the cluster a locator names (the post step's way back to a locked cluster). */
  connect(locator: ClusterLocator): { api: WorkloadApi; server: string } {
    const key = `${locator.name}\u0000${locator.credentials}\u0000${locator.context ?? ''}`
    let connection = this.connections.get(key)
    if (!connection) {
      const made = connectCluster(locator, this.options)
      connection = {
        api: this.options.makeApi
          ? this.options.makeApi(made)
          : new KubernetesWorkloadApi(made.kubeConfig, { logger: this.options.logger }),
        server: made.server
      }
      this.connections.set(key, connection)
    }
    return connection
  }
}

/** Connects to every cluster of the environment (a connector of its own; see ClusterConnector). */
export function connectClusters(
  environment: ResolvedEnvironment,
  options: ConnectOptions
): ConnectedCluster[] {
  return new ClusterConnector(options).clusters(environment)
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
