import * as k8s from '@kubernetes/client-node'
import { USER_AGENT } from './api-client.js'
import { DispatcherHttpLibrary } from './dispatcher-transport.js'

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below the cluster's server URL, e.g. `/apis/apps/v1/namespaces/shop/deployments/api`. */
  path: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  /** Default `application/json`; patches name their strategy here. */
  contentType?: string
}

/**
 * One API request for any resource, sent the way client-node's generated clients send theirs:
 * client-node applies the kubeconfig's auth (tokens, exec plugins, client certificates) and
 * picks the connection (the undici Agent with the cluster's CA), and the request goes through
 * the same {@link DispatcherHttpLibrary} as every typed call. The answer is the server's JSON,
 * parsed; a status outside 2xx throws client-node's ApiException (`code`, `body` as the Status
 * text, `headers`), which callers wrap in KubernetesApiError as they do for typed calls.
 */
/** kubectl sets none by default; a minute outlasts any healthy API server's answer to our calls. */
const REQUEST_TIMEOUT_MS = 60_000

export class JsonRequester {
  private readonly transport = new DispatcherHttpLibrary()

  constructor(
    private readonly kubeConfig: k8s.KubeConfig,
    /** How long one request may take before it is abandoned (and, if idempotent, retried). */
    private readonly timeoutMs = REQUEST_TIMEOUT_MS
  ) {}

  async send<T>(request: JsonRequest): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster()
    if (!cluster) throw new Error('No active cluster!')
    const url = new URL(cluster.server.replace(/\/+$/, '') + request.path)
    for (const [key, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value))
    const context = new k8s.RequestContext(url.toString(), request.method as k8s.HttpMethod)
    context.setHeaderParam('Accept', 'application/json')
    context.setHeaderParam('User-Agent', USER_AGENT)
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json')
      context.setBody(JSON.stringify(request.body))
    }
    // An answer that never comes is a failure to retry, not a promotion that hangs.
    context.setSignal(AbortSignal.timeout(this.timeoutMs))
    await this.kubeConfig.applySecurityAuthentication(context)
    const response = await this.transport.send(context).toPromise()
    const text = await response.body.text()
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw new k8s.ApiException(
        response.httpStatusCode,
        `HTTP status ${response.httpStatusCode}`,
        text,
        response.headers
      )
    return (text ? JSON.parse(text) : undefined) as T
  }
}
