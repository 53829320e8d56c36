import * as k8s from '@kubernetes/client-node'
import { DispatcherHttpLibrary } from './dispatcher-transport.js'
import { plainJsonResponses } from './plain-json-responses.js'

export interface ApiClientOptions {
  /** Return the server's JSON as parsed instead of client-node's model classes (see plain-json-responses.ts). */
  plainResponses?: boolean
}

/**
 * What `kubeConfig.makeApiClient(type)` returns (the current cluster, the kubeconfig's auth),
 * sending through {@link DispatcherHttpLibrary}, optionally with plain JSON responses.
 */
export function makeApiClient<T>(
  kubeConfig: k8s.KubeConfig,
  type: new (configuration: k8s.Configuration, requestFactory?: undefined, responseProcessor?: never) => T,
  options: ApiClientOptions = {}
): T {
  const cluster = kubeConfig.getCurrentCluster()
  if (!cluster) throw new Error('No active cluster!')
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    middleware: [k8s.setHeaderMiddleware('User-Agent', USER_AGENT)],
    httpApi: new DispatcherHttpLibrary()
  })
  return new type(
    configuration,
    undefined,
    (options.plainResponses ? plainJsonResponses() : undefined) as never
  )
}

/** Shown in the API server's audit log as the client of every call this action makes. */
export const USER_AGENT = 'promote-action (@kubernetes/client-node)'
