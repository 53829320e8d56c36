/**
 * The simulator's etcd: every stored object, one cluster-wide resourceVersion counter, and a
 * bounded history of changes that watches replay from. A watch asking for a resourceVersion
 * older than the retained history gets 410 Expired, as when etcd has compacted past it.
 */
import { clone } from './json-values.js'
import type { KubeObject } from './kube-types.js'

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Change {
  resourceVersion: number
  type: ChangeType
  storageKey: string
  object: KubeObject
  /** The object before this change (for MODIFIED and DELETED), so watches can apply selectors to both. */
  previous?: KubeObject
}

export type ChangeListener = (change: Change) => void

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}

export class ObjectStore {
  private revision = 0
  private readonly collections = new Map<string, Map<string, KubeObject>>()
  /** Each collection in key order, rebuilt only after a write: controllers read these every tick. */
  private readonly sorted = new Map<string, KubeObject[]>()
  private history: Change[] = []
  /** Changes at or below this resourceVersion are no longer in the history. */
  private compactedThrough = 0
  private readonly listeners = new Set<ChangeListener>()

  constructor(private historyLimit: number) {}

  get resourceVersion(): number {
    return this.revision
  }

  get oldestWatchableResourceVersion(): number {
    return this.compactedThrough
  }

  setHistoryLimit(limit: number): void {
    this.historyLimit = limit
    this.trimHistory()
  }

  /** Forgets all history, so any watch from an earlier resourceVersion gets 410 Expired. */
  compact(): void {
    this.compactedThrough = this.revision
    this.history = []
  }

  /** A reference to the stored object: callers must not modify it. */
  peek(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collections.get(storageKey)?.get(objectKey(namespace, name))
  }

  get(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return clone(this.peek(storageKey, namespace, name))
  }

  /** References to stored objects in etcd key order (namespace, then name); do not modify. */
  peekAll(storageKey: string, namespace?: string): KubeObject[] {
    let ordered = this.sorted.get(storageKey)
    if (!ordered) {
      const collection = this.collections.get(storageKey)
      if (!collection) return []
      ordered = [...collection.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, object]) => object)
      this.sorted.set(storageKey, ordered)
    }
    return namespace === undefined
      ? [...ordered]
      : ordered.filter((object) => object.metadata.namespace === namespace)
  }

  list(storageKey: string, namespace?: string): KubeObject[] {
    return this.peekAll(storageKey, namespace).map((object) => clone(object))
  }

  /**
   * Stores the object under a fresh resourceVersion and returns it. The store takes the object
   * over (no copy: every write path builds a fresh one): neither the caller nor anyone given
   * the returned reference may modify it afterwards.
   */
  put(storageKey: string, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name!)
    let collection = this.collections.get(storageKey)
    if (!collection) {
      collection = new Map()
      this.collections.set(storageKey, collection)
    }
    const previous = collection.get(key)
    const stored = object
    stored.metadata.resourceVersion = String(++this.revision)
    collection.set(key, stored)
    this.sorted.delete(storageKey)
    this.record({
      resourceVersion: this.revision,
      type: previous ? 'MODIFIED' : 'ADDED',
      storageKey,
      object: stored,
      ...(previous ? { previous } : {})
    })
    return stored
  }

  /** Removes the object; returns its last state (a reference: do not modify). */
  remove(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const collection = this.collections.get(storageKey)
    const key = objectKey(namespace, name)
    const previous = collection?.get(key)
    if (!collection || !previous) return undefined
    collection.delete(key)
    this.sorted.delete(storageKey)
    // A deletion is itself a change with its own resourceVersion; the DELETED event carries
    // the last state of the object stamped with that version, as the apiserver sends it.
    const deleted = clone(previous)
    deleted.metadata.resourceVersion = String(++this.revision)
    this.record({ resourceVersion: this.revision, type: 'DELETED', storageKey, object: deleted, previous })
    return deleted
  }

  /** Changes after the given resourceVersion, or 'expired' when history no longer reaches back that far. */
  changesSince(resourceVersion: number): Change[] | 'expired' {
    if (resourceVersion < this.compactedThrough) return 'expired'
    return this.history.filter((change) => change.resourceVersion > resourceVersion)
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private record(change: Change): void {
    this.history.push(change)
    this.trimHistory()
    for (const listener of [...this.listeners]) listener(change)
  }

  /**
   * Drops the oldest changes beyond the limit. Trimmed in batches (once a tenth of the limit
   * has piled up), so a long run does not copy the whole history on every write.
   */
  private trimHistory(): void {
    const excess = this.history.length - this.historyLimit
    if (excess > Math.floor(this.historyLimit / 10)) {
      this.compactedThrough = this.history[excess - 1]!.resourceVersion
      this.history = this.history.slice(excess)
    }
  }
}
