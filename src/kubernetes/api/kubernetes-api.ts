import * as k8s from '@kubernetes/client-node'
import type {
  CoreV1Event,
  KubeConfig,
  V1Lease,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet
} from '@kubernetes/client-node'
import { makeApiClient } from './api-client.js'
import { watchWithDispatcher } from './dispatcher-watch.js'
import { KubernetesApiError, type ApiCallContext, type Verb } from './api-error.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { JsonRequester } from './json-request.js'
import { withRetries, type RetryOptions } from './retry-policy.js'
import {
  apiVersionOf,
  RESOURCE_TYPES,
  resourcePath,
  resourceType,
  type KnownResource,
  type ResourceType
} from './resource-types.js'
import {
  WORKLOAD_RESOURCES,
  type Workload,
  type WorkloadKind,
  type WorkloadOf,
  type WorkloadRef
} from './workload-types.js'

export type { WorkloadOf }

/**
 * The Kubernetes calls the action makes, behind one small interface: one real implementation
 * over @kubernetes/client-node (below). Every method throws KubernetesApiError. The workload,
 * pod and lease methods are what promotion needs; the resource methods read, patch and watch
 * any other kind (custom resources included) through the same transport and error model.
 */
export interface WorkloadApi {
  /** One object of any resource type (404 throws, as every call here does). */
  getResource<T = Record<string, unknown>>(
    type: KnownResource | ResourceType,
    namespace: string | undefined,
    name: string
  ): Promise<T>
  listResources<T = Record<string, unknown>>(
    type: KnownResource | ResourceType,
    namespace: string | undefined,
    options?: ListOptions
  ): Promise<ListResult<T>>
  /** A patch of any resource: merge (RFC 7386, what custom resources take), strategic merge (built-ins) or JSON patch. */
  patchResource<T = Record<string, unknown>>(
    type: KnownResource | ResourceType,
    namespace: string | undefined,
    name: string,
    patch: object,
    options?: WriteOptions & { strategy?: PatchStrategy; subresource?: 'status' }
  ): Promise<T>
  getWorkload<K extends WorkloadKind>(ref: WorkloadRef & { kind: K }): Promise<WorkloadOf<K>>
  listWorkloads<K extends WorkloadKind>(
    kind: K,
    namespace: string,
    options?: ListOptions
  ): Promise<ListResult<WorkloadOf<K>>>
  /** Strategic merge patch (built-in kinds only). */
  patchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    patch: object,
    options?: WriteOptions
  ): Promise<WorkloadOf<K>>
  /** RFC 6902 JSON patch, as `kubectl rollout undo` sends. */
  jsonPatchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    operations: JsonPatchOperation[],
    options?: WriteOptions
  ): Promise<WorkloadOf<K>>
  listReplicaSets(namespace: string, options?: ListOptions): Promise<ListResult<V1ReplicaSet>>
  listPods(namespace: string, options?: ListOptions): Promise<ListResult<V1Pod>>
  /** Deletes a pod only if it is still the one with `uid` (a precondition: a re-created namesake is left alone). */
  deletePod(namespace: string, name: string, uid: string): Promise<void>
  /** Core v1 events whose involvedObject is the given object, oldest first as the server returns them. */
  listEvents(
    namespace: string,
    involvedObject: { kind: string; name: string; uid?: string }
  ): Promise<CoreV1Event[]>
  /** undefined when the Lease does not exist. */
  getLease(namespace: string, name: string): Promise<V1Lease | undefined>
  createLease(namespace: string, lease: V1Lease): Promise<V1Lease>
  /** PUT with the lease's metadata.resourceVersion: a stale one fails with 409 Conflict. */
  replaceLease(namespace: string, lease: V1Lease): Promise<V1Lease>
  listPodDisruptionBudgets(namespace: string, options?: ListOptions): Promise<V1PodDisruptionBudget[]>
  /**
   * Starts a watch. `onEvent` gets each event (ERROR events carry a Status object, e.g. code 410);
   * `onDone` is called once when the stream ends for any reason other than `stop()`.
   */
  watch(
    request: WatchRequest,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: Error) => void
  ): Promise<WatchHandle>
}

export type PatchStrategy = 'merge' | 'strategic' | 'json'

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
}

export interface ListResult<T> {
  items: T[]
  /** The list's resourceVersion, to start a watch from. */
  resourceVersion: string
}

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated and admitted, never persisted. */
  dryRun?: boolean
  fieldManager?: string
  /**
   * The write may be sent again when its answer is lost (a rollback restoring a recorded
   * template: the same document twice is the same result). A dry run always may. Other writes
   * are sent once; their caller re-reads to learn whether a lost one applied.
   */
  repeatable?: boolean
}

/** How the client retries transient failures (429, 5xx, resets, timeouts) of idempotent calls. */
export interface ApiClientRetry {
  clock: Clock
  logger?: Logger
  /** Overrides of the retry policy (tests lower the waits). */
  policy?: Partial<Omit<RetryOptions, 'idempotent' | 'clock' | 'signal' | 'logger' | 'describe'>>
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy'
  path: string
  value?: unknown
  from?: string
}

/** What can be listed and watched: a resource type by its name in RESOURCE_TYPES, or any type. */
export type WatchableResource = KnownResource | ResourceType

export interface WatchRequest {
  resource: WatchableResource
  namespace: string
  resourceVersion?: string
  labelSelector?: string
  fieldSelector?: string
  /** Ask the server to end the watch after this long (it is then resumed). */
  timeoutSeconds?: number
  allowWatchBookmarks?: boolean
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchEvent {
  type: WatchEventType
  /** The object as JSON (not a client-node model: dates are strings), or a Status for ERROR. */
  object: Record<string, unknown> & { metadata?: { resourceVersion?: string; name?: string } }
}

export interface WatchHandle {
  stop(): void
}

export const FIELD_MANAGER = 'promote-action'

const CONTENT_TYPES: Record<PatchStrategy, string> = {
  merge: k8s.PatchStrategy.MergePatch,
  strategic: k8s.PatchStrategy.StrategicMergePatch,
  json: k8s.PatchStrategy.JsonPatch
}

/**
 * WorkloadApi over @kubernetes/client-node 2.x. Requests are built from the resource table
 * (resource-types.ts) and sent with client-node's auth through our dispatcher transport; only
 * Leases use client-node's typed client, because a Lease read is sent back in an update and its
 * MicroTime fields need client-node's serializer.
 */
export class KubernetesWorkloadApi implements WorkloadApi {
  private readonly requests: JsonRequester
  private readonly coordination: k8s.CoordinationV1Api

  private readonly retry: ApiClientRetry

  constructor(
    private readonly kubeConfig: KubeConfig,
    retry: Partial<ApiClientRetry> = {}
  ) {
    this.requests = new JsonRequester(kubeConfig)
    this.coordination = makeApiClient(kubeConfig, k8s.CoordinationV1Api)
    this.retry = { clock: systemClock, ...retry }
  }

  async getResource<T>(
    resource: KnownResource | ResourceType,
    namespace: string | undefined,
    name: string
  ): Promise<T> {
    const type = resourceType(resource)
    return this.call(context('get', type.resource, type.group, namespace, name), () =>
      this.requests.send<T>({ method: 'GET', path: resourcePath(type, { namespace, name }) })
    )
  }

  async listResources<T>(
    resource: KnownResource | ResourceType,
    namespace: string | undefined,
    options: ListOptions = {}
  ): Promise<ListResult<T>> {
    const type = resourceType(resource)
    const list = await this.call(context('list', type.resource, type.group, namespace), () =>
      this.requests.send<{ items?: T[]; metadata?: { resourceVersion?: string } }>({
        method: 'GET',
        path: resourcePath(type, { namespace }),
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector }
      })
    )
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' }
  }

  async patchResource<T>(
    resource: KnownResource | ResourceType,
    namespace: string | undefined,
    name: string,
    patch: object,
    options: WriteOptions & { strategy?: PatchStrategy; subresource?: 'status' } = {}
  ): Promise<T> {
    const type = resourceType(resource)
    const callContext = context('patch', type.resource, type.group, namespace, name)
    const repeatable = options.dryRun === true || options.repeatable === true
    return this.call(
      callContext,
      () =>
        this.requests.send<T>({
          method: 'PATCH',
          path: resourcePath(type, { namespace, name, subresource: options.subresource }),
          query: {
            fieldManager: options.fieldManager ?? FIELD_MANAGER,
            ...(options.dryRun ? { dryRun: 'All' } : {})
          },
          body: patch,
          contentType: CONTENT_TYPES[options.strategy ?? 'merge']
        }),
      repeatable
    )
  }

  async getWorkload<K extends WorkloadKind>(ref: WorkloadRef & { kind: K }): Promise<WorkloadOf<K>> {
    return this.getResource<WorkloadOf<K>>(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name)
  }

  async listWorkloads<K extends WorkloadKind>(
    kind: K,
    namespace: string,
    options: ListOptions = {}
  ): Promise<ListResult<WorkloadOf<K>>> {
    const list = await this.listResources<Workload>(WORKLOAD_RESOURCES[kind], namespace, options)
    return {
      items: list.items.map((item) => withKind(item, WORKLOAD_RESOURCES[kind])) as WorkloadOf<K>[],
      resourceVersion: list.resourceVersion
    }
  }

  async patchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    patch: object,
    options: WriteOptions = {}
  ): Promise<WorkloadOf<K>> {
    return this.patchResource(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name, patch, {
      ...options,
      strategy: 'strategic'
    })
  }

  async jsonPatchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    operations: JsonPatchOperation[],
    options: WriteOptions = {}
  ): Promise<WorkloadOf<K>> {
    return this.patchResource(WORKLOAD_RESOURCES[ref.kind], ref.namespace, ref.name, operations, {
      ...options,
      strategy: 'json'
    })
  }

  listReplicaSets(namespace: string, options: ListOptions = {}): Promise<ListResult<V1ReplicaSet>> {
    return this.listResources<V1ReplicaSet>('ReplicaSet', namespace, options)
  }

  listPods(namespace: string, options: ListOptions = {}): Promise<ListResult<V1Pod>> {
    return this.listResources<V1Pod>('Pod', namespace, options)
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    await this.call(
      context('delete', 'pods', '', namespace, name),
      () =>
        this.requests.send({
          method: 'DELETE',
          path: resourcePath(RESOURCE_TYPES.Pod, { namespace, name }),
          body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } }
        }),
      false
    )
  }

  async listEvents(
    namespace: string,
    involvedObject: { kind: string; name: string; uid?: string }
  ): Promise<CoreV1Event[]> {
    const selectors = [
      `involvedObject.kind=${involvedObject.kind}`,
      `involvedObject.name=${involvedObject.name}`
    ]
    if (involvedObject.uid) selectors.push(`involvedObject.uid=${involvedObject.uid}`)
    const list = await this.listResources<CoreV1Event>('Event', namespace, {
      fieldSelector: selectors.join(',')
    })
    return list.items
  }

  async getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.call(context('get', 'leases', 'coordination.k8s.io', namespace, name), () =>
        this.coordination.readNamespacedLease({ name, namespace })
      )
    } catch (error) {
      if (error instanceof KubernetesApiError && error.code === 404) return undefined
      throw error
    }
  }

  async createLease(namespace: string, lease: V1Lease): Promise<V1Lease> {
    // Not repeated here: a lost create answers 409 when sent again; the lock re-reads instead.
    return this.call(
      context('create', 'leases', 'coordination.k8s.io', namespace, lease.metadata?.name),
      () => this.coordination.createNamespacedLease({ namespace, body: lease, fieldManager: FIELD_MANAGER }),
      false
    )
  }

  async replaceLease(namespace: string, lease: V1Lease): Promise<V1Lease> {
    const name = lease.metadata?.name ?? ''
    return this.call(
      context('update', 'leases', 'coordination.k8s.io', namespace, name),
      () =>
        this.coordination.replaceNamespacedLease({
          name,
          namespace,
          body: lease,
          fieldManager: FIELD_MANAGER
        }),
      false
    )
  }

  async listPodDisruptionBudgets(
    namespace: string,
    options: ListOptions = {}
  ): Promise<V1PodDisruptionBudget[]> {
    return (await this.listResources<V1PodDisruptionBudget>('PodDisruptionBudget', namespace, options)).items
  }

  async watch(
    request: WatchRequest,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: Error) => void
  ): Promise<WatchHandle> {
    const type = resourceType(request.resource)
    const path = resourcePath(type, { namespace: request.namespace })
    const callContext = context('watch', type.resource, type.group, request.namespace)
    let stopped = false
    const query: Record<string, string | number | boolean | undefined> = {
      resourceVersion: request.resourceVersion,
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
      timeoutSeconds: request.timeoutSeconds,
      allowWatchBookmarks: request.allowWatchBookmarks
    }
    const controller = await watchWithDispatcher(
      this.kubeConfig,
      path,
      query,
      (type: string, object: unknown) => {
        if (!stopped)
          onEvent({ type: type as WatchEventType, object: (object ?? {}) as WatchEvent['object'] })
      },
      (error: unknown) => {
        if (stopped) return
        stopped = true
        if (error === null || error === undefined) onDone()
        else if (isHttpError(error)) onDone(KubernetesApiError.from(error, callContext))
        else onDone(error instanceof Error ? error : new Error(String(error)))
      }
    )
    return {
      stop: () => {
        stopped = true
        controller.abort()
      }
    }
  }

  /**
   * Sends a call, retrying transient failures (429 with its Retry-After, 5xx, resets, timeouts)
   * with client-go-like backoff when repeating it is harmless (reads, dry runs, repeatable
   * writes), and wraps what it finally throws in KubernetesApiError.
   */
  private async call<T>(
    callContext: ApiCallContext,
    request: () => Promise<T>,
    idempotent = true
  ): Promise<T> {
    try {
      return await withRetries(() => request(), {
        ...this.retry.policy,
        idempotent,
        clock: this.retry.clock,
        ...(this.retry.logger ? { logger: this.retry.logger } : {}),
        describe: describeCall(callContext)
      })
    } catch (error) {
      throw KubernetesApiError.from(error, callContext)
    }
  }
}

function context(
  verb: Verb,
  resource: string,
  group: string,
  namespace: string | undefined,
  name?: string
): ApiCallContext {
  const where = namespace === undefined ? {} : { namespace }
  return name === undefined ? { verb, resource, group, ...where } : { verb, resource, group, ...where, name }
}

/** `get deployments.apps "api" in shop`, for retry log lines. */
function describeCall(call: ApiCallContext): string {
  const what = call.group === '' ? call.resource : `${call.resource}.${call.group}`
  return `${call.verb} ${what}${call.name !== undefined ? ` ${JSON.stringify(call.name)}` : ''}${call.namespace !== undefined ? ` in ${call.namespace}` : ''}`
}

/** List items come without kind/apiVersion; set them so callers can tell what they hold. */
function withKind(item: Workload, type: ResourceType): Workload {
  item.kind ??= type.kind
  item.apiVersion ??= apiVersionOf(type)
  return item
}

function isHttpError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number'
  )
}
