import * as k8s from '@kubernetes/client-node'
import type {
  CoreV1Event,
  KubeConfig,
  V1DaemonSet,
  V1Deployment,
  V1Lease,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1StatefulSet
} from '@kubernetes/client-node'
import { makeApiClient } from './api-client.js'
import { watchWithDispatcher } from './dispatcher-watch.js'
import { KubernetesApiError, type ApiCallContext, type Verb } from './api-error.js'
import {
  WORKLOAD_KINDS,
  type Workload,
  type WorkloadKind,
  type WorkloadRef
} from '../kinds/workload-kinds.js'

/**
 * The Kubernetes calls the action makes, behind one small interface: one real implementation
 * over @kubernetes/client-node (below), fakes in tests. Every method throws KubernetesApiError.
 */
export interface WorkloadApi {
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

export type WorkloadOf<K extends WorkloadKind> = K extends 'Deployment'
  ? V1Deployment
  : K extends 'StatefulSet'
    ? V1StatefulSet
    : V1DaemonSet

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
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy'
  path: string
  value?: unknown
  from?: string
}

export type WatchableResource = WorkloadKind | 'ReplicaSet' | 'Pod'

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

const strategicMerge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
const jsonPatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)

/** WorkloadApi over @kubernetes/client-node 2.x. */
export class KubernetesWorkloadApi implements WorkloadApi {
  private readonly apps: k8s.AppsV1Api
  private readonly core: k8s.CoreV1Api
  private readonly coordination: k8s.CoordinationV1Api
  private readonly policy: k8s.PolicyV1Api

  constructor(private readonly kubeConfig: KubeConfig) {
    this.apps = makeApiClient(kubeConfig, k8s.AppsV1Api, { plainResponses: true })
    this.core = makeApiClient(kubeConfig, k8s.CoreV1Api, { plainResponses: true })
    this.coordination = makeApiClient(kubeConfig, k8s.CoordinationV1Api)
    this.policy = makeApiClient(kubeConfig, k8s.PolicyV1Api, { plainResponses: true })
  }

  async getWorkload<K extends WorkloadKind>(ref: WorkloadRef & { kind: K }): Promise<WorkloadOf<K>> {
    const params = { name: ref.name, namespace: ref.namespace }
    return this.call(workloadContext('get', ref.kind, ref.namespace, ref.name), () => {
      switch (ref.kind) {
        case 'Deployment':
          return this.apps.readNamespacedDeployment(params)
        case 'StatefulSet':
          return this.apps.readNamespacedStatefulSet(params)
        default:
          return this.apps.readNamespacedDaemonSet(params)
      }
    }) as Promise<WorkloadOf<K>>
  }

  async listWorkloads<K extends WorkloadKind>(
    kind: K,
    namespace: string,
    options: ListOptions = {}
  ): Promise<ListResult<WorkloadOf<K>>> {
    const params = { namespace, ...options }
    const list = await this.call(
      workloadContext('list', kind, namespace),
      (): Promise<{ items: Workload[]; metadata?: { resourceVersion?: string } }> => {
        switch (kind) {
          case 'Deployment':
            return this.apps.listNamespacedDeployment(params)
          case 'StatefulSet':
            return this.apps.listNamespacedStatefulSet(params)
          default:
            return this.apps.listNamespacedDaemonSet(params)
        }
      }
    )
    return {
      items: list.items.map((item) => withKind(item, kind)) as WorkloadOf<K>[],
      resourceVersion: list.metadata?.resourceVersion ?? ''
    }
  }

  async patchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    patch: object,
    options: WriteOptions = {}
  ): Promise<WorkloadOf<K>> {
    return this.patch(ref, patch, options, strategicMerge())
  }

  async jsonPatchWorkload<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    operations: JsonPatchOperation[],
    options: WriteOptions = {}
  ): Promise<WorkloadOf<K>> {
    return this.patch(ref, operations, options, jsonPatch())
  }

  async listReplicaSets(namespace: string, options: ListOptions = {}): Promise<ListResult<V1ReplicaSet>> {
    const list = await this.call(context('list', 'replicasets', 'apps', namespace), () =>
      this.apps.listNamespacedReplicaSet({ namespace, ...options })
    )
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' }
  }

  async listPods(namespace: string, options: ListOptions = {}): Promise<ListResult<V1Pod>> {
    const list = await this.call(context('list', 'pods', '', namespace), () =>
      this.core.listNamespacedPod({ namespace, ...options })
    )
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' }
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    await this.call(context('delete', 'pods', '', namespace, name), () =>
      this.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } })
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
    const list = await this.call(context('list', 'events', '', namespace), () =>
      this.core.listNamespacedEvent({ namespace, fieldSelector: selectors.join(',') })
    )
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
    return this.call(
      context('create', 'leases', 'coordination.k8s.io', namespace, lease.metadata?.name),
      () => this.coordination.createNamespacedLease({ namespace, body: lease, fieldManager: FIELD_MANAGER })
    )
  }

  async replaceLease(namespace: string, lease: V1Lease): Promise<V1Lease> {
    const name = lease.metadata?.name ?? ''
    return this.call(context('update', 'leases', 'coordination.k8s.io', namespace, name), () =>
      this.coordination.replaceNamespacedLease({ name, namespace, body: lease, fieldManager: FIELD_MANAGER })
    )
  }

  async listPodDisruptionBudgets(
    namespace: string,
    options: ListOptions = {}
  ): Promise<V1PodDisruptionBudget[]> {
    const list = await this.call(context('list', 'poddisruptionbudgets', 'policy', namespace), () =>
      this.policy.listNamespacedPodDisruptionBudget({ namespace, ...options })
    )
    return list.items
  }

  async watch(
    request: WatchRequest,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: Error) => void
  ): Promise<WatchHandle> {
    const api = WATCHABLE[request.resource]
    const prefix = api.group === '' ? `/api/${api.version}` : `/apis/${api.group}/${api.version}`
    const path = `${prefix}/namespaces/${encodeURIComponent(request.namespace)}/${api.resource}`
    const callContext = context('watch', api.resource, api.group, request.namespace)
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

  private async patch<K extends WorkloadKind>(
    ref: WorkloadRef & { kind: K },
    body: object,
    options: WriteOptions,
    headers: ReturnType<typeof strategicMerge>
  ): Promise<WorkloadOf<K>> {
    const params = {
      name: ref.name,
      namespace: ref.namespace,
      body,
      fieldManager: options.fieldManager ?? FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: 'All' } : {})
    }
    return this.call(workloadContext('patch', ref.kind, ref.namespace, ref.name), (): Promise<Workload> => {
      switch (ref.kind) {
        case 'Deployment':
          return this.apps.patchNamespacedDeployment(params, headers)
        case 'StatefulSet':
          return this.apps.patchNamespacedStatefulSet(params, headers)
        default:
          return this.apps.patchNamespacedDaemonSet(params, headers)
      }
    }) as Promise<WorkloadOf<K>>
  }

  private async call<T>(callContext: ApiCallContext, request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      throw KubernetesApiError.from(error, callContext)
    }
  }
}

function context(
  verb: Verb,
  resource: string,
  group: string,
  namespace: string,
  name?: string
): ApiCallContext {
  return name === undefined
    ? { verb, resource, group, namespace }
    : { verb, resource, group, namespace, name }
}

/** Where each watchable resource lives in the API: group, version and (RBAC) resource name. */
const WATCHABLE: Record<WatchableResource, { group: string; version: string; resource: string }> = {
  Deployment: WORKLOAD_KINDS.Deployment,
  StatefulSet: WORKLOAD_KINDS.StatefulSet,
  DaemonSet: WORKLOAD_KINDS.DaemonSet,
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  Pod: { group: '', version: 'v1', resource: 'pods' }
}

function workloadContext(verb: Verb, kind: WorkloadKind, namespace: string, name?: string): ApiCallContext {
  return context(verb, WORKLOAD_KINDS[kind].resource, WORKLOAD_KINDS[kind].group, namespace, name)
}

/** List items come without kind/apiVersion; set them so callers can tell what they hold. */
function withKind(item: Workload, kind: WorkloadKind): Workload {
  item.kind ??= kind
  item.apiVersion ??= 'apps/v1'
  return item
}

function isHttpError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number'
  )
}
