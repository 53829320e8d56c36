import type { V1LabelSelector } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { KubernetesApiError } from './api-error.js'
import { labelSelectorString, matchesLabelSelector } from './label-selector.js'
import { ListWatch } from './list-watch.js'
import type { ListResult, WatchableResource, WorkloadApi } from './kubernetes-api.js'
import { resourceType } from './resource-types.js'
import { WORKLOAD_RESOURCES, type WorkloadKind } from './workload-types.js'

/** What a stream carries: objects with (at least) these metadata fields. */
export type WatchedObject = {
  metadata?: { resourceVersion?: string; name?: string; labels?: Record<string, string> }
}

/** What a wait wants to see: one object by name, or the objects a label selector selects. */
export interface WatchQuery {
  resource: WatchableResource
  namespace: string
  name?: string
  selector?: V1LabelSelector
  /**
   * Sent to the server as is, also by a shared stream (one per resource, namespace and field
   * selector): what it selects is a slice of the namespace worth sharing, such as the
   * namespace's FailedCreate events. Not checked on the client.
   */
  fieldSelector?: string
}

export interface WatchSubscriber<T> {
  /** The complete current state of what the query selects (first list, and every re-list). */
  onSync(items: T[]): void
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void
  /** The token may not list or watch this (401/403): nothing is retried. */
  onFatal(error: KubernetesApiError): void
}

/**
 * Where rollout waits get their list+watch streams. `dedicatedWatches` opens one per wait
 * with the query as server-side selectors (kubectl's way for one object); `SharedInformers`
 * opens one per (resource, namespace) and filters on the client, so the 50 waits of a wave
 * in one namespace cost one list and one watch instead of 50 of each (client-go's shared
 * informer idea). A shared stream may have listed before a wait's own patch landed, so waits
 * that need a post-patch object must ignore older generations (rollout-watcher's
 * minGeneration).
 */
export interface WatchSource {
  subscribe<T extends WatchedObject>(query: WatchQuery, subscriber: WatchSubscriber<T>): { stop(): void }
}

export interface WatchSourceDeps {
  api: WorkloadApi
  clock: Clock
  logger?: Logger
}

function listOf(
  api: WorkloadApi,
  resource: WatchableResource,
  namespace: string,
  options: object
): Promise<ListResult<unknown>> {
  // Workload lists carry kind and apiVersion on each item (list items come without them).
  if (typeof resource === 'string' && resource in WORKLOAD_RESOURCES)
    return api.listWorkloads(resource as WorkloadKind, namespace, options)
  return api.listResources(resource, namespace, options)
}

function matches(query: WatchQuery, object: WatchedObject): boolean {
  if (query.name !== undefined && object.metadata?.name !== query.name) return false
  return query.selector === undefined || matchesLabelSelector(object.metadata?.labels, query.selector)
}

/** One list+watch per subscription, the query sent as field and label selectors. */
export function dedicatedWatches(deps: WatchSourceDeps): WatchSource {
  return {
    subscribe<T extends WatchedObject>(query: WatchQuery, subscriber: WatchSubscriber<T>) {
      const fields = [
        ...(query.fieldSelector ? [query.fieldSelector] : []),
        ...(query.name !== undefined ? [`metadata.name=${query.name}`] : [])
      ].join(',')
      const selectors = {
        ...(fields ? { fieldSelector: fields } : {}),
        ...(query.selector !== undefined ? { labelSelector: labelSelectorString(query.selector) } : {})
      }
      const watch = new ListWatch<T>({
        api: deps.api,
        resource: query.resource,
        namespace: query.namespace,
        ...selectors,
        list: () => listOf(deps.api, query.resource, query.namespace, selectors) as Promise<ListResult<T>>,
        onSync: (items) => subscriber.onSync(items),
        onEvent: (type, object) => subscriber.onEvent(type, object),
        onFatal: (error) => subscriber.onFatal(error),
        clock: deps.clock,
        ...(deps.logger ? { logger: deps.logger } : {})
      })
      watch.start()
      return { stop: () => watch.stop() }
    }
  }
}

type Entry = { query: WatchQuery; subscriber: WatchSubscriber<WatchedObject> }

interface Informer {
  watch: ListWatch<WatchedObject>
  /** The last state seen; undefined until the first list arrived. */
  cache: ObjectCache | undefined
  /** Subscriptions to one object, by its name (a wave's waits: one lookup per event, not 50). */
  byName: Map<string, Set<Entry>>
  /** Subscriptions by label selector, indexed by one of their matchLabels (selectorIndexKey). */
  bySelector: Map<string, Set<Entry>>
  fatal: KubernetesApiError | undefined
}

/**
 * One list+watch per (resource, namespace), shared by every subscription until dispose().
 * A subscription that arrives after the first list gets the cached state at once.
 */
export class SharedInformers implements WatchSource {
  private readonly informers = new Map<string, Informer>()

  constructor(private readonly deps: WatchSourceDeps) {}

  subscribe<T extends WatchedObject>(query: WatchQuery, subscriber: WatchSubscriber<T>): { stop(): void } {
    const informer = this.informerFor(query.resource, query.namespace, query.fieldSelector)
    const entry: Entry = { query, subscriber: subscriber as unknown as WatchSubscriber<WatchedObject> }
    const set =
      query.name === undefined
        ? setIn(informer.bySelector, selectorIndexKey(query.selector))
        : setIn(informer.byName, query.name)
    set.add(entry)
    if (informer.fatal) queueMicrotask(() => entry.subscriber.onFatal(informer.fatal!))
    else if (informer.cache) {
      const items = informer.cache.select(query)
      queueMicrotask(() => {
        if (set.has(entry)) entry.subscriber.onSync(items)
      })
    }
    return { stop: () => set.delete(entry) }
  }

  /** Stops every stream. */
  dispose(): void {
    for (const informer of this.informers.values()) informer.watch.stop()
    this.informers.clear()
  }

  private informerFor(resource: WatchableResource, namespace: string, fieldSelector?: string): Informer {
    const key = `${resourceKey(resource)}/${namespace}${fieldSelector ? `?${fieldSelector}` : ''}`
    const fields = fieldSelector ? { fieldSelector } : {}
    const existing = this.informers.get(key)
    if (existing) return existing
    const everyone = () =>
      [...informer.bySelector.values(), ...informer.byName.values()].flatMap((set) => [...set])
    const informer: Informer = {
      cache: undefined,
      byName: new Map(),
      bySelector: new Map(),
      fatal: undefined,
      watch: new ListWatch<WatchedObject>({
        api: this.deps.api,
        resource,
        namespace,
        ...fields,
        list: () => listOf(this.deps.api, resource, namespace, fields) as Promise<ListResult<WatchedObject>>,
        onSync: (items) => {
          const cache = new ObjectCache(items)
          informer.cache = cache
          for (const { query, subscriber } of everyone()) subscriber.onSync(cache.select(query))
        },
        onEvent: (type, object) => {
          const name = object.metadata?.name ?? ''
          if (type === 'DELETED') informer.cache?.delete(name)
          else informer.cache?.set(object)
          // Only the subscriptions that could match: by name, and by the object's own labels.
          const interested = [
            ...(informer.byName.get(name) ?? []),
            ...(informer.bySelector.get(UNINDEXED) ?? []),
            ...Object.entries(object.metadata?.labels ?? {}).flatMap(([key, value]) => [
              ...(informer.bySelector.get(labelIndexKey(key, value)) ?? [])
            ])
          ]
          for (const { query, subscriber } of interested)
            if (matches(query, object)) subscriber.onEvent(type, object)
        },
        onFatal: (error) => {
          informer.fatal = error
          for (const { subscriber } of everyone()) subscriber.onFatal(error)
        },
        clock: this.deps.clock,
        ...(this.deps.logger ? { logger: this.deps.logger } : {})
      })
    }
    this.informers.set(key, informer)
    informer.watch.start()
    return informer
  }
}

/**
 * An informer's objects by name, and their names by label pair. A sync hands each of a wave's
 * 50 subscriptions its matches; looking only at the objects that carry the subscription's
 * indexed label keeps that linear in the objects instead of 50 x all of them.
 */
class ObjectCache {
  private readonly byName = new Map<string, WatchedObject>()
  private readonly byLabel = new Map<string, Set<string>>()

  constructor(items: WatchedObject[]) {
    for (const item of items) this.set(item)
  }

  set(object: WatchedObject): void {
    const name = object.metadata?.name ?? ''
    this.delete(name)
    this.byName.set(name, object)
    for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
      const label = labelIndexKey(key, value)
      let names = this.byLabel.get(label)
      if (!names) this.byLabel.set(label, (names = new Set()))
      names.add(name)
    }
  }

  delete(name: string): void {
    const old = this.byName.get(name)
    if (!old) return
    this.byName.delete(name)
    for (const [key, value] of Object.entries(old.metadata?.labels ?? {}))
      this.byLabel.get(labelIndexKey(key, value))?.delete(name)
  }

  /** What a query selects: its one object by name, or the selector's matches. */
  select(query: WatchQuery): WatchedObject[] {
    if (query.name !== undefined) {
      const object = this.byName.get(query.name)
      return object && matches(query, object) ? [object] : []
    }
    const key = selectorIndexKey(query.selector)
    const candidates =
      key === UNINDEXED
        ? [...this.byName.values()]
        : [...(this.byLabel.get(key) ?? [])].map((name) => this.byName.get(name)!)
    return candidates.filter((o) => matches(query, o))
  }
}

/**
 * A wave's streams: shared where sharing saves requests, dedicated where it would not.
 *
 * A namespace with several of the wave's waits gets SharedInformers (one list+watch per
 * resource for all of them). A namespace with one wait gets dedicated streams, selected on
 * the server, so promoting one app into a busy namespace never lists that namespace's other
 * pods: a shared pod stream lists every pod in it (~1 MB of JSON per 100–200 real pods), and
 * with a single wait it would save nothing.
 */
export class WaveWatches implements WatchSource {
  private readonly shared: SharedInformers
  private readonly dedicated: WatchSource
  private readonly open = new Set<{ stop(): void }>()

  /** `waitsIn(namespace)`: how many of the wave's waits watch that namespace. */
  constructor(
    deps: WatchSourceDeps,
    private readonly waitsIn: (namespace: string) => number
  ) {
    this.shared = new SharedInformers(deps)
    this.dedicated = dedicatedWatches(deps)
  }

  subscribe<T extends WatchedObject>(query: WatchQuery, subscriber: WatchSubscriber<T>): { stop(): void } {
    if (this.waitsIn(query.namespace) > 1) return this.shared.subscribe(query, subscriber)
    const subscription = this.dedicated.subscribe(query, subscriber)
    const handle = {
      stop: () => {
        this.open.delete(handle)
        subscription.stop()
      }
    }
    this.open.add(handle)
    return handle
  }

  /** Stops every stream, shared or not. */
  dispose(): void {
    this.shared.dispose()
    for (const handle of [...this.open]) handle.stop()
  }
}

const UNINDEXED = ''

function labelIndexKey(key: string, value: string): string {
  return `${key}=${value}`
}

/**
 * Where a selector subscription is filed: under one of its matchLabels pairs (an object can
 * only match if it carries that label), else with those checked on every event. A wave's 50
 * waits each select their own app's pods, so an event reaches one of them, not all 50.
 */
function selectorIndexKey(selector: V1LabelSelector | undefined): string {
  const first = Object.entries(selector?.matchLabels ?? {})[0]
  return first ? labelIndexKey(first[0], first[1]) : UNINDEXED
}

function setIn<K>(map: Map<K, Set<Entry>>, key: K): Set<Entry> {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  return set
}

/** One informer per resource type and namespace (and field selector), whether the type was named or given whole. */
function resourceKey(resource: WatchableResource): string {
  const type = resourceType(resource)
  return `${type.group}/${type.version}/${type.resource}`
}
