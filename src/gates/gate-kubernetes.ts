import type { ResolvedEnvironment } from '../config/schema.js'
import type { Logger } from '../runtime/logger.js'
import type { GateKubernetes } from './gate-context.js'

/** The lazy accessor, and a way to drop the lists read so far without loading anything. */
export interface LazyKubernetes {
  (): Promise<GateKubernetes>
  /** Forget the shared lists (before pending gates are run again); a no-op until loaded. */
  newRound(): void
}

/**
 * Cluster access for the gates that read Kubernetes, loaded on first use: a gate run without
 * such a gate never loads @kubernetes/client-node. Connections are made by the same connector
 * as the promote stage's (same credential rules, secrets masked, one connection per cluster).
 * One LiveObjects per accessor: every gate of the run (and, in check mode, every environment
 * pair) shares its lists.
 */
export function lazyKubernetes(options: {
  kubeconfig: string | undefined
  env: NodeJS.ProcessEnv
  logger: Logger
}): LazyKubernetes {
  let loaded: Promise<GateKubernetes> | undefined
  let current: GateKubernetes | undefined
  const get = () =>
    (loaded ??= Promise.all([
      import('../targets/connect-clusters.js'),
      import('../targets/live-objects.js')
    ]).then(([{ ClusterConnector }, { LiveObjects }]) => {
      const connector = new ClusterConnector(options)
      current = {
        async clusters(environment: ResolvedEnvironment) {
          return connector.clusters(environment).sort((a, b) => a.wave - b.wave)
        },
        objects: new LiveObjects()
      }
      return current
    }))
  return Object.assign(get, { newRound: () => current?.objects.forget() })
}
