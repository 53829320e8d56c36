import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { KubernetesApiError } from './api-error.js'
import type { ListResult, WatchableResource, WatchEvent, WorkloadApi } from './kubernetes-api.js'
import { resourceType } from './resource-types.js'

/**
 * List, then watch from the list's resourceVersion, and keep watching (kubectl's and
 * client-go's reflector pattern):
 * - a watch that ends (server timeout, client-node's 30 s inactivity abort, a dropped
 *   connection) is resumed from the last resourceVersion seen (events and bookmarks);
 * - 410 Gone / Expired (as an ERROR event or as the watch's HTTP status) means that version
 *   was compacted: list again and watch from the new list;
 * - 401/403 are permanent: reported through onFatal, nothing retried;
 * - other failures, and watches that keep ending within a second, are retried with backoff
 *   (100 ms doubling to 5 s) until stopped.
 */
export interface ListWatchOptions<T> {
  api: WorkloadApi
  resource: WatchableResource
  namespace: string
  labelSelector?: string
  fieldSelector?: string
  /** Lists with the same selectors (the watch must see what the list saw). */
  list: () => Promise<ListResult<T>>
  /** The complete current state, after the first list and after every re-list. */
  onSync: (items: T[]) => void
  onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) => void
  onFatal: (error: KubernetesApiError) => void
  clock: Clock
  logger?: Logger
}

const INITIAL_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 5000
const MIN_HEALTHY_WATCH_MS = 1000

type Versioned = { metadata?: { resourceVersion?: string } }

export class ListWatch<T extends Versioned> {
  private resourceVersion = ''
  private handle: { stop(): void } | undefined
  private readonly abort = new AbortController()
  private backoffMs = INITIAL_BACKOFF_MS
  /** Bumped on every (re)start so callbacks of a superseded watch are ignored. */
  private epoch = 0
  private watchStartedAt = 0

  constructor(private readonly options: ListWatchOptions<T>) {}

  start(): void {
    void this.relist()
  }

  stop(): void {
    this.abort.abort()
    this.epoch++
    this.handle?.stop()
    this.handle = undefined
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted
  }

  private async relist(): Promise<void> {
    const epoch = ++this.epoch
    this.handle?.stop()
    this.handle = undefined
    while (!this.stopped && epoch === this.epoch) {
      try {
        const list = await this.options.list()
        if (this.stopped || epoch !== this.epoch) return
        this.resourceVersion = list.resourceVersion
        this.options.onSync(list.items)
        this.backoffMs = INITIAL_BACKOFF_MS
        await this.watch(epoch)
        return
      } catch (error) {
        if (this.fatal(error)) return
        this.options.logger?.debug(`listing ${this.describe()} failed, retrying: ${(error as Error).message}`)
        if (!(await this.backoff())) return
      }
    }
  }

  private async watch(epoch: number): Promise<void> {
    if (this.stopped || epoch !== this.epoch) return
    const { api, resource, namespace, labelSelector, fieldSelector } = this.options
    let ended = false
    this.watchStartedAt = this.options.clock.now()
    const onDone = (error?: Error) => {
      if (ended || this.stopped || epoch !== this.epoch) return
      ended = true
      void this.afterWatchEnded(epoch, error)
    }
    try {
      const handle = await api.watch(
        {
          resource,
          namespace,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          ...(labelSelector ? { labelSelector } : {}),
          ...(fieldSelector ? { fieldSelector } : {})
        },
        (event) => {
          if (!ended && !this.stopped && epoch === this.epoch) this.handleEvent(epoch, event)
        },
        onDone
      )
      if (this.stopped || epoch !== this.epoch || ended) handle.stop()
      else this.handle = handle
    } catch (error) {
      onDone(error instanceof Error ? error : new Error(String(error)))
    }
  }

  private handleEvent(epoch: number, event: WatchEvent): void {
    const version = event.object.metadata?.resourceVersion
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        if (version) this.resourceVersion = version
        this.backoffMs = INITIAL_BACKOFF_MS
        this.options.onEvent(event.type, event.object as unknown as T)
        return
      case 'BOOKMARK':
        if (version) this.resourceVersion = version
        return
      case 'ERROR': {
        const status = event.object as { code?: number; reason?: string; message?: string }
        this.options.logger?.debug(
          `watch of ${this.describe()} reported ${status.code ?? '?'} ${status.reason ?? ''}: ${status.message ?? ''}`
        )
        if (epoch !== this.epoch) return
        if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') {
          void this.relist()
          return
        }
        const next = ++this.epoch
        this.handle?.stop()
        this.handle = undefined
        void this.afterWatchEnded(
          next,
          new Error(`watch error ${status.code ?? ''} ${status.reason ?? ''}`.trim())
        )
        return
      }
    }
  }

  private async afterWatchEnded(epoch: number, error?: Error): Promise<void> {
    if (error instanceof KubernetesApiError) {
      if (this.fatal(error)) return
      if (error.code === 410) return void this.relist()
    }
    const timedOut = error === undefined || error.name === 'TimeoutError' || error.name === 'AbortError'
    // A watch that ends normally after a while is resumed at once; one that keeps ending
    // right away (or fails) is resumed with backoff, so a misbehaving server is not hammered.
    const shortLived = this.options.clock.now() - this.watchStartedAt < MIN_HEALTHY_WATCH_MS
    this.options.logger?.debug(
      `watch of ${this.describe()} ended${error ? ` (${error.message})` : ''}; resuming from resourceVersion ${this.resourceVersion}`
    )
    if ((!timedOut || shortLived) && !(await this.backoff())) return
    if (epoch !== this.epoch) return
    await this.resume(epoch)
  }

  private async resume(epoch: number): Promise<void> {
    this.handle = undefined
    await this.watch(epoch)
  }

  private fatal(error: unknown): boolean {
    if (error instanceof KubernetesApiError && (error.code === 401 || error.code === 403)) {
      if (!this.stopped) this.options.onFatal(error)
      this.stop()
      return true
    }
    return false
  }

  /** Waits the current backoff; false when stopped meanwhile. */
  private async backoff(): Promise<boolean> {
    const wait = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS)
    try {
      await this.options.clock.sleep(wait, this.abort.signal)
    } catch {
      return false
    }
    return !this.stopped
  }

  private describe(): string {
    const selectors = [this.options.fieldSelector, this.options.labelSelector].filter(Boolean).join(', ')
    return `${resourceType(this.options.resource).kind} in ${this.options.namespace}${selectors ? ` (${selectors})` : ''}`
  }
}
