/**
 * `?watch=true`: a chunked stream of `{"type": ..., "object": ...}` lines, as the apiserver
 * sends. Without a resourceVersion (or with "0") the stream starts with an ADDED event per
 * existing object; with one, it replays the changes after it from the retained history, or
 * sends a single ERROR event carrying a 410 Expired Status when history no longer reaches
 * back that far. Selectors apply to both the old and new state of each object, so objects
 * that start or stop matching arrive as ADDED or DELETED, as on a real cluster.
 */
import type { ServerResponse } from 'node:http'
import { expired } from './api-errors.js'
import { apiVersionOf, type ResourceType } from './api-resources.js'
import { matchesFields, type FieldRequirement } from './field-selector.js'
import type { KubeObject } from './kube-types.js'
import { matches, type Selector } from './label-selector.js'
import type { Change, ObjectStore } from './object-store.js'

export interface WatchRequest {
  type: ResourceType
  namespace?: string
  labels: Selector
  fields: FieldRequirement[]
  resourceVersion?: string
  allowBookmarks: boolean
  sendInitialEvents: boolean
  timeoutSeconds?: number
  bookmarkIntervalMs: number
  /** Shapes a stored object for this API version (events.k8s.io conversion). */
  present(object: KubeObject): KubeObject
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

/** Starts streaming; returns a function that ends the watch (used when the server closes). */
export function serveWatch(store: ObjectStore, request: WatchRequest, response: ServerResponse): () => void {
  const { type } = request
  const selected = (object: KubeObject | undefined): boolean =>
    object !== undefined &&
    (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
    matches(request.labels, object.metadata.labels) &&
    matchesFields(request.fields, object)

  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked'
  })
  response.flushHeaders()

  let ended = false
  const send = (eventType: WatchEventType, object: unknown): void => {
    if (!ended) response.write(`${JSON.stringify({ type: eventType, object })}\n`)
  }
  const bookmark = (annotations?: Record<string, string>): void => {
    send('BOOKMARK', {
      kind: type.group === 'events.k8s.io' ? 'Event' : type.kind,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) }
    })
  }
  const deliver = (change: Change): void => {
    if (change.storageKey !== type.storageKey) return
    const now = selected(change.object)
    const before = change.type === 'MODIFIED' ? selected(change.previous) : now
    if (change.type === 'DELETED') {
      if (selected(change.previous)) send('DELETED', request.present(change.object))
      return
    }
    if (change.type === 'ADDED') {
      if (now) send('ADDED', request.present(change.object))
      return
    }
    if (now && before) send('MODIFIED', request.present(change.object))
    else if (now) send('ADDED', request.present(change.object))
    else if (before) send('DELETED', request.present(change.object))
  }

  const timers: NodeJS.Timeout[] = []
  let unsubscribe: () => void = () => undefined
  const end = (): void => {
    if (ended) return
    ended = true
    unsubscribe()
    for (const timer of timers) clearTimeout(timer)
    response.end()
  }

  const rv = request.resourceVersion
  if (rv === undefined || rv === '' || rv === '0' || request.sendInitialEvents) {
    for (const object of store.peekAll(type.storageKey, request.namespace)) {
      if (selected(object)) send('ADDED', request.present(object))
    }
    if (request.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' })
  } else {
    const changes = store.changesSince(Number(rv))
    if (changes === 'expired') {
      const status = expired(
        `too old resource version: ${rv} (${store.oldestWatchableResourceVersion + 1})`
      ).status
      send('ERROR', status)
      end()
      return end
    }
    for (const change of changes) deliver(change)
  }
  unsubscribe = store.subscribe(deliver)

  if (request.allowBookmarks) {
    const interval = setInterval(() => bookmark(), request.bookmarkIntervalMs)
    interval.unref()
    timers.push(interval)
  }
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    const timeout = setTimeout(() => {
      // The apiserver sends a last bookmark before a timed-out watch closes.
      if (request.allowBookmarks) bookmark()
      end()
    }, request.timeoutSeconds * 1000)
    timeout.unref()
    timers.push(timeout)
  }
  response.on('close', end)
  return end
}
