/**
 * The HTTP face of the simulator: authenticates the bearer token, routes apiserver paths to
 * the REST operations, applies deny rules as an authorizer would, and records every request
 * (and every applied write) for tests to inspect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import {
  ApiError,
  badRequest,
  expired,
  forbidden,
  methodNotAllowed,
  notFound,
  pathNotFound,
  unauthorized
} from './api-errors.js'
import {
  apiVersionOf,
  builtinGroups,
  qualifiedResource,
  type ResourceType,
  type Verb
} from './api-resources.js'
import { apiGroup, apiGroupList, apiResourceList, apiVersions, simulatedVersion } from './discovery.js'
import { toEventsV1 } from './event-conversion.js'
import { parseFieldSelector } from './field-selector.js'
import { isJsonObject } from './json-values.js'
import type { KubeObject } from './kube-types.js'
import { parseLabelSelector } from './label-selector.js'
import type { ObjectStore } from './object-store.js'
import type { DeleteOptions, ResourceOperations, Subresource } from './resource-operations.js'
import type { ResourceRegistry } from './resource-registry.js'
import type { DenyRule, RequestLogEntry } from './simulator-types.js'
import { serveWatch } from './watch-stream.js'

interface Route {
  type: ResourceType
  namespace?: string
  name?: string
  subresource?: Subresource
  /** A custom resource path naming a subresource its CRD does not declare: 404 for the object. */
  undeclaredSubresource?: boolean
}

/** What the apiserver's fallback handler answers for paths no API group serves (plain text). */
const pageNotFound = '404 page not found\n'

export interface HttpApiDependencies {
  ops: ResourceOperations
  store: ObjectStore
  registry: ResourceRegistry
  /** token -> user name */
  users: Map<string, string>
  denyRules: DenyRule[]
  requestLog: RequestLogEntry[]
  bookmarkIntervalMs: number
  serverAddress: () => string
  /** Open watches, ended when the server closes. */
  watches: Set<() => void>
}

class JsonResponse {
  constructor(
    readonly code: number,
    readonly body: unknown
  ) {}
}

export class HttpApi {
  constructor(private readonly deps: HttpApiDependencies) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator')
    const query = Object.fromEntries(url.searchParams.entries())
    const method = (request.method ?? 'GET').toUpperCase()
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const entry: RequestLogEntry = {
      time: Date.now(),
      method,
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      dryRun: query['dryRun'] !== undefined,
      status: 0
    }
    this.deps.requestLog.push(entry)
    try {
      const user = this.authenticate(request)
      entry.user = user
      const { body, text } = await readBody(request)
      if (isJsonObject(body) && Array.isArray(body['dryRun']) && body['dryRun'].length > 0)
        entry.dryRun = true
      const result = this.dispatch(
        method,
        url.pathname,
        query,
        contentType,
        body,
        text,
        user,
        response,
        entry
      )
      if (result) this.send(response, entry, result.code, result.body)
    } catch (error) {
      if (error instanceof ApiError) {
        // 401 answers carry the Status too; client-node ignores the body for 401.
        this.send(response, entry, error.code, error.status)
      } else {
        const status = new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${(error as Error).message}`
        ).status
        this.send(response, entry, 500, status)
      }
    }
  }

  private authenticate(request: IncomingMessage): string {
    const header = request.headers['authorization'] ?? ''
    const match = /^Bearer\s+(.+)$/i.exec(header)
    const user = match ? this.deps.users.get(match[1]!.trim()) : undefined
    if (!user) throw unauthorized()
    return user
  }

  private send(response: ServerResponse, entry: RequestLogEntry, code: number, body: unknown): void {
    entry.status = code
    if (response.headersSent) return
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    response.writeHead(code, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Audit-Id': randomUUID(),
      'Content-Length': Buffer.byteLength(text)
    })
    response.end(text)
  }

  /** Returns the response to send, or undefined when the request became a watch stream. */
  private dispatch(
    method: string,
    path: string,
    query: Record<string, string>,
    contentType: string,
    body: unknown,
    rawBody: string,
    user: string,
    response: ServerResponse,
    entry: RequestLogEntry
  ): JsonResponse | undefined {
    const segments = path.split('/').filter((s) => s !== '')
    const discovery = this.discovery(segments)
    if (discovery !== undefined) {
      if (method !== 'GET') throw methodNotAllowed()
      return new JsonResponse(200, discovery)
    }
    const route = parseRoute(this.deps.registry, segments)
    if (!route) {
      // Built-in groups answer unknown resources with a Status; anything else falls through
      // to the apiserver's plain-text not-found handler.
      if (segments[0] === 'apis' && !builtinGroups.has(segments[1] ?? ''))
        return new JsonResponse(404, pageNotFound)
      throw pathNotFound()
    }
    const isWatch = query['watch'] === 'true' || query['watch'] === '1'
    const verb = verbOf(method, route, isWatch)
    if (!verb || !route.type.verbs.includes(verb)) throw methodNotAllowed()
    this.authorize(user, verb, route)
    if (route.undeclaredSubresource) throw notFound(route.type, route.name!)
    const dryRun = this.dryRunOf(query, body)
    const context = {
      dryRun,
      user,
      rawBody,
      ...(route.subresource ? { subresource: route.subresource } : {})
    }
    const { ops } = this.deps

    if (route.type.storageKey === 'virtual/selfsubjectaccessreviews') {
      return new JsonResponse(201, this.accessReview(user, body))
    }
    switch (verb) {
      case 'get':
        return new JsonResponse(200, ops.get(route.type, route.namespace, route.name!, route.subresource))
      case 'list':
        return new JsonResponse(200, this.list(route, query))
      case 'watch':
        this.watch(route, query, response, entry)
        return undefined
      case 'create':
        return new JsonResponse(201, ops.create(route.type, route.namespace, body, context))
      case 'update':
        if (route.type.custom) requireResourceVersion(route.type, route.name!, body)
        return new JsonResponse(200, ops.update(route.type, route.namespace, route.name!, body, context))
      case 'patch':
        return new JsonResponse(
          200,
          ops.patch(route.type, route.namespace, route.name!, body, contentType, context)
        )
      case 'delete':
        return new JsonResponse(
          200,
          ops.delete(route.type, route.namespace, route.name!, deleteOptions(query, body), context)
        )
      case 'deletecollection':
        return new JsonResponse(200, this.deleteCollection(route, query, body, context))
    }
  }

  private discovery(segments: string[]): unknown {
    const [root, a, b, ...rest] = segments
    if (segments.length === 1 && root === 'version') return simulatedVersion
    if (segments.length === 1 && (root === 'healthz' || root === 'readyz' || root === 'livez')) return 'ok'
    if (root === 'api') {
      if (segments.length === 1) return apiVersions(this.deps.serverAddress())
      if (segments.length === 2) return apiResourceList(this.deps.registry, '', a!)
    }
    if (root === 'apis') {
      if (segments.length === 1) return apiGroupList(this.deps.registry)
      if (segments.length === 2) return apiGroup(this.deps.registry, a!) ?? undefined
      if (segments.length === 3 && rest.length === 0) return apiResourceList(this.deps.registry, a!, b!)
    }
    return undefined
  }

  private authorize(user: string, verb: Verb, route: Route): void {
    const resource = route.subresource ? `${route.type.resource}/${route.subresource}` : route.type.resource
    const denied = this.deps.denyRules.some(
      (rule) =>
        (rule.verb === '*' || rule.verb === verb) &&
        (rule.resource === '*' || rule.resource === resource) &&
        (rule.namespace === undefined || rule.namespace === route.namespace) &&
        (rule.user === undefined || rule.user === user) &&
        (rule.name === undefined || rule.name === route.name)
    )
    if (denied) {
      throw forbidden({
        user,
        verb,
        type: route.type,
        ...(route.subresource ? { subresource: route.subresource } : {}),
        ...(route.namespace ? { namespace: route.namespace } : {}),
        ...(route.name ? { name: route.name } : {})
      })
    }
  }

  private dryRunOf(query: Record<string, string>, body: unknown): boolean {
    const value = query['dryRun']
    if (value !== undefined && value !== 'All') {
      throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(value)}: supported values: "All"`)
    }
    const inBody = isJsonObject(body) && Array.isArray(body['dryRun']) && body['dryRun'].includes('All')
    return value === 'All' || inBody
  }

  /** A stored object as the watched API version shows it. */
  private present(type: ResourceType, object: KubeObject): KubeObject {
    if (type.group === 'events.k8s.io') return toEventsV1(object)
    if (type.custom && object.apiVersion !== apiVersionOf(type))
      return { ...object, apiVersion: apiVersionOf(type) }
    return object
  }

  private list(route: Route, query: Record<string, string>): unknown {
    const { ops, store } = this.deps
    const items = ops.list(route.type, route.namespace, {
      ...(query['labelSelector'] !== undefined ? { labelSelector: query['labelSelector'] } : {}),
      ...(query['fieldSelector'] !== undefined ? { fieldSelector: query['fieldSelector'] } : {})
    })
    let resourceVersion = store.resourceVersion
    let start = 0
    const token = query['continue']
    if (token) {
      const decoded = decodeContinue(token)
      if (decoded.resourceVersion < store.oldestWatchableResourceVersion) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'
        )
      }
      resourceVersion = decoded.resourceVersion
      start = items.findIndex((item) => keyOf(item) > decoded.after)
      if (start < 0) start = items.length
    }
    const limit = query['limit'] ? Number.parseInt(query['limit'], 10) : 0
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start)
    const remaining = items.length - start - page.length
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) }
    // Custom resource lists are unstructured: `continue` is always there, items keep their kind.
    if (route.type.custom) metadata['continue'] = ''
    if (limit > 0 && remaining > 0) {
      metadata['continue'] = encodeContinue(resourceVersion, keyOf(page[page.length - 1]!))
      metadata['remainingItemCount'] = remaining
    }
    return {
      kind: listKindOf(route.type),
      apiVersion: apiVersionOf(route.type),
      metadata,
      items: page.map((item) => listItem(route.type, item))
    }
  }

  private watch(
    route: Route,
    query: Record<string, string>,
    response: ServerResponse,
    entry: RequestLogEntry
  ): void {
    const rv = query['resourceVersion']
    if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) {
      throw badRequest(
        `resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a non-negative integer`
      )
    }
    const labels = parseLabelSelector(query['labelSelector'])
    const fields = parseFieldSelector(route.type, query['fieldSelector'])
    if (route.name) fields.push({ field: 'metadata.name', equal: true, value: route.name })
    entry.status = 200
    const timeout = query['timeoutSeconds'] ? Number.parseInt(query['timeoutSeconds'], 10) : undefined
    const end = serveWatch(
      this.deps.store,
      {
        type: route.type,
        ...(route.namespace ? { namespace: route.namespace } : {}),
        labels,
        fields,
        ...(rv !== undefined ? { resourceVersion: rv } : {}),
        allowBookmarks: query['allowWatchBookmarks'] === 'true',
        sendInitialEvents: query['sendInitialEvents'] === 'true',
        ...(timeout !== undefined && !Number.isNaN(timeout) ? { timeoutSeconds: timeout } : {}),
        bookmarkIntervalMs: this.deps.bookmarkIntervalMs,
        present: (object) => this.present(route.type, object)
      },
      response
    )
    this.deps.watches.add(end)
    response.on('close', () => this.deps.watches.delete(end))
  }

  private deleteCollection(
    route: Route,
    query: Record<string, string>,
    body: unknown,
    context: { dryRun: boolean; user: string }
  ): unknown {
    const { ops } = this.deps
    const items = ops.list(route.type, route.namespace, {
      ...(query['labelSelector'] !== undefined ? { labelSelector: query['labelSelector'] } : {}),
      ...(query['fieldSelector'] !== undefined ? { fieldSelector: query['fieldSelector'] } : {})
    })
    for (const item of items) {
      ops.delete(
        route.type,
        item.metadata.namespace,
        item.metadata.name!,
        deleteOptions(query, body),
        context
      )
    }
    return {
      kind: listKindOf(route.type),
      apiVersion: apiVersionOf(route.type),
      metadata: { resourceVersion: String(this.deps.store.resourceVersion) },
      items: items.map((item) => listItem(route.type, item))
    }
  }

  private accessReview(user: string, body: unknown): unknown {
    const spec = (isJsonObject(body) ? body['spec'] : undefined) as
      | {
          resourceAttributes?: {
            namespace?: string
            verb?: string
            group?: string
            resource?: string
            subresource?: string
            name?: string
          }
        }
      | undefined
    const attributes = spec?.resourceAttributes ?? {}
    const type = this.deps.registry.findByGroupResource(attributes.group ?? '', attributes.resource ?? '')
    let allowed = true
    let reason = ''
    if (type) {
      try {
        this.authorize(user, (attributes.verb ?? 'get') as Verb, {
          type,
          ...(attributes.namespace ? { namespace: attributes.namespace } : {}),
          ...(attributes.name ? { name: attributes.name } : {}),
          ...(attributes.subresource ? { subresource: attributes.subresource as Subresource } : {})
        })
      } catch (error) {
        allowed = false
        reason = (error as ApiError).message
      }
    }
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: spec ?? {},
      status: allowed
        ? { allowed: true, reason: 'allowed by the simulator' }
        : { allowed: false, denied: true, reason }
    }
  }
}

function listKindOf(type: ResourceType): string {
  return type.custom?.listKind ?? `${type.kind}List`
}

/** Items of a typed list carry no kind/apiVersion on a real apiserver; custom ones do. */
function listItem(type: ResourceType, item: KubeObject): Record<string, unknown> {
  if (type.custom) return item as unknown as Record<string, unknown>
  const copy: Record<string, unknown> = { ...item }
  delete copy['kind']
  delete copy['apiVersion']
  return copy
}

/** Custom resources do not allow unconditional updates: a PUT must carry metadata.resourceVersion. */
function requireResourceVersion(type: ResourceType, name: string, body: unknown): void {
  const metadata = isJsonObject(body) ? body['metadata'] : undefined
  if (isJsonObject(metadata) && metadata['resourceVersion']) return
  const detail = 'Invalid value: 0: must be specified for an update'
  throw new ApiError(
    422,
    'Invalid',
    `${qualifiedResource(type)} "${name}" is invalid: metadata.resourceVersion: ${detail}`,
    {
      name,
      group: type.group,
      kind: type.resource,
      causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.resourceVersion' }]
    }
  )
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`
}

function encodeContinue(resourceVersion: number, after: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, start: after })).toString(
    'base64url'
  )
}

function decodeContinue(token: string): { resourceVersion: number; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv: number
      start: string
    }
    if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad token')
    return { resourceVersion: parsed.rv, after: parsed.start }
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'
    )
  }
}

function deleteOptions(query: Record<string, string>, body: unknown): DeleteOptions {
  const options = (isJsonObject(body) ? body : {}) as DeleteOptions
  const policy = query['propagationPolicy'] ?? options.propagationPolicy
  return {
    ...(options.preconditions ? { preconditions: options.preconditions } : {}),
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : {}),
    ...(options.orphanDependents !== undefined ? { orphanDependents: options.orphanDependents } : {})
  }
}

function verbOf(method: string, route: Route, watch: boolean): Verb | undefined {
  const named = route.name !== undefined
  switch (method) {
    case 'GET':
      // Watching a named object (`.../deployments/web?watch=true`) is a watch with a name selector.
      if (watch) return route.subresource ? undefined : 'watch'
      return named ? 'get' : 'list'
    case 'POST':
      return named ? undefined : 'create'
    case 'PUT':
      return named ? 'update' : undefined
    case 'PATCH':
      return named ? 'patch' : undefined
    case 'DELETE':
      return named ? 'delete' : 'deletecollection'
    default:
      return undefined
  }
}

/**
 * `/api/v1/...` and `/apis/<group>/<version>/...` followed by one of
 * `<resource>[/<name>[/<subresource>]]` (cluster-scoped, or all namespaces for lists) or
 * `namespaces/<ns>/<resource>[/<name>[/<subresource>]]`.
 */
function parseRoute(registry: ResourceRegistry, segments: string[]): Route | undefined {
  let group: string
  let version: string
  let rest: string[]
  if (segments[0] === 'api' && segments.length >= 3) {
    group = ''
    version = segments[1]!
    rest = segments.slice(2)
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!
    version = segments[2]!
    rest = segments.slice(3)
  } else {
    return undefined
  }
  // undefined: none; null: not one the type has (404 path for built-ins, 404 object for custom).
  const subresourceOf = (type: ResourceType, text: string | undefined): Subresource | undefined | null => {
    if (text === undefined) return undefined
    return (text === 'status' || text === 'scale') && type.subresources.includes(text) ? text : null
  }
  const routeTo = (
    type: ResourceType,
    name: string | undefined,
    sub: string | undefined,
    namespace?: string
  ) => {
    const subresource = subresourceOf(type, sub)
    if (subresource === null && !type.custom) return undefined
    return {
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource ? { subresource } : {}),
      ...(subresource === null ? { undeclaredSubresource: true } : {})
    }
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const nsType = registry.findByPath(group, version, 'namespaces')
    // `namespaces/<name>/status` is the Namespace's own subresource.
    if (nsType && rest.length === 3 && rest[2] === 'status') {
      return { type: nsType, name: rest[1]!, subresource: 'status' }
    }
    const type = registry.findByPath(group, version, rest[2]!)
    if (!type || !type.namespaced || rest.length > 5) return undefined
    const name = rest[3] !== undefined ? decodeURIComponent(rest[3]) : undefined
    return routeTo(type, name, rest[4], decodeURIComponent(rest[1]!))
  }
  const type = registry.findByPath(group, version, rest[0]!)
  if (!type || rest.length > 3) return undefined
  if (type.namespaced && rest.length > 1) return undefined
  return routeTo(type, rest[1] !== undefined ? decodeURIComponent(rest[1]) : undefined, rest[2])
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; text: string }> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return { body: undefined, text }
  try {
    return { body: JSON.parse(text) as unknown, text }
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`)
  }
}
