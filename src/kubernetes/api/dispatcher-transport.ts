import * as k8s from '@kubernetes/client-node'

/**
 * client-node's typed API clients, sending their requests with undici's `Dispatcher.request`
 * instead of `fetch`.
 *
 * client-node 2.x sends every call through undici's `fetch`. Each call then builds WHATWG
 * Request, Headers, Response and ReadableStream objects, so a fresh runner process pays about
 * 2 ms of CPU per call. A 50-target promotion makes 100 such calls: a dry run and a patch for
 * each target. `Dispatcher.request` is undici's own lower-level API and reads the body from a
 * Node stream; it costs about a third less per call (docs/upstream-notes.md has the figures).
 *
 * Everything else stays client-node's. It builds the request, serializes it and applies the
 * kubeconfig's auth. That auth step also picks the connection: the undici Agent with the
 * cluster's CA, client certificate, `tls-server-name` or proxy. Only the send step changes,
 * using that same Agent. A request with no Agent attached (a cluster with no TLS options at
 * all), or with a body that is not a string, goes through client-node's own fetch library.
 *
 * Two differences from fetch, neither of which matters against an API server:
 * - Redirects are not followed (the API server does not redirect API calls).
 * - No `Accept-Encoding` header is sent, so responses come uncompressed.
 */
export class DispatcherHttpLibrary implements k8s.HttpLibrary {
  constructor(private readonly fallback: k8s.HttpLibrary = new k8s.IsomorphicFetchHttpLibrary()) {}

  send(request: k8s.RequestContext): k8s.Observable<k8s.ResponseContext> {
    const dispatcher = dispatcherOf(request)
    const body = request.getBody()
    if (!dispatcher || (body !== undefined && typeof body !== 'string')) return this.fallback.send(request)
    const url = new URL(request.getUrl())
    return new k8s.Observable(
      dispatcher
        .request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.getHttpMethod(),
          headers: request.getHeaders(),
          body,
          signal: request.getSignal()
        })
        .then(async (response) => {
          // Read the whole body now: it frees the connection even when the caller never reads
          // it, and an API response is one JSON document anyway.
          const data = Buffer.from(await response.body.arrayBuffer())
          return new k8s.ResponseContext(
            response.statusCode,
            flatHeaders(response.headers),
            new k8s.SelfDecodingBody(Promise.resolve(data))
          )
        })
    )
  }
}

/**
 * The subset of undici's Dispatcher used here and by dispatcher-watch.ts, typed locally so
 * undici itself is not imported (client-node bundles its own copy).
 */
export interface RequestDispatcher {
  request(options: {
    origin: string
    path: string
    method: string
    headers: Record<string, string>
    body?: string | undefined
    signal?: AbortSignal | undefined
  }): Promise<{
    statusCode: number
    headers: Record<string, string | string[] | undefined>
    body: NodeJS.ReadableStream & { arrayBuffer(): Promise<ArrayBuffer>; resume(): void }
  }>
}

/** The Agent client-node's auth attached to a request, if any (clusters without TLS options get none). */
export function dispatcherOf(request: k8s.RequestContext): RequestDispatcher | undefined {
  const dispatcher = request.getDispatcher() as Partial<RequestDispatcher> | undefined
  return typeof dispatcher?.request === 'function' ? (dispatcher as RequestDispatcher) : undefined
}

/** undici gives repeated headers as arrays; client-node's ResponseContext wants one string each. */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}
