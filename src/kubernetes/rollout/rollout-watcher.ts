import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { KubernetesApiError } from '../api/api-error.js'
import {
  DEFAULT_FAIL_FAST,
  FailureTracker,
  detectPodFailures,
  type FailFastOptions,
  type PodFailure
} from './pod-failures.js'
import {
  dedicatedWatches,
  type WatchedObject,
  type WatchQuery,
  type WatchSource,
  type WatchSubscriber
} from '../api/watch-source.js'
import { CreateFailureTracker, describeCreateFailures, type CreateFailureVerdict } from './create-failures.js'
import { generationObserved } from '../kinds/pod-template.js'
import {
  adapterFor,
  describeWorkload,
  newPodMatcher,
  rolloutStatus,
  type CreateFailure,
  type Workload,
  type WorkloadRef
} from '../kinds/workload-kinds.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'
import { compareCodeUnits } from '../../runtime/code-unit-order.js'

/**
 * Waits for a workload's rollout the way `kubectl rollout status` does (list by
 * metadata.name, watch from the list's resourceVersion, judge on every event; see
 * rollout-status.ts; or, given `watches`, the same judged from a stream shared by a wave's
 * waits, see watch-source.ts), with what kubectl lacks:
 * - an overall timeout and cancellation;
 * - failing fast from the NEW pods (see new-pods.ts, pod-failures.ts), watched alongside;
 * - failing fast when the controller cannot create them (create-failures.ts): the new
 *   ReplicaSet's ReplicaFailure condition, or the workload's FailedCreate events, as its kind
 *   adapter says;
 * - on failure, the recent Warning events of the failing pods and of the workload.
 * There is no poll interval: every verdict follows a watch event, so success is reported as
 * soon as the event that completes the rollout arrives.
 *
 * Rejects (with KubernetesApiError) only when the token may not list/watch what it must
 * (401/403); other API trouble is retried until the timeout.
 */
export interface WaitForRolloutOptions {
  api: WorkloadApi
  /** Deployments only: the revision that must be running (kubectl's --revision). Pass it only when known. */
  revision?: number
  /**
   * The generation our own write produced (from the patch response). Observations of an older
   * generation predate the write and are ignored: a shared watch may have listed before it.
   */
  minGeneration?: number
  /** Where the list+watch streams come from; default: one of its own per stream. */
  watches?: WatchSource
  timeoutMs: number
  failFast?: Partial<FailFastOptions>
  /**
   * Fail fast on pods the controller cannot create even with pod fail-fast off. A rollback's
   * wait judges no pod (the recorded revision ran before), but a namespace that now refuses its
   * pods (Pod Security tightened, quota full) will not let it finish either. Default: as
   * failFast.enabled.
   */
  judgeCreateFailures?: boolean
  signal?: AbortSignal
  logger: Logger
  clock: Clock
}

export type RolloutOutcome = 'succeeded' | 'failed' | 'timed-out' | 'cancelled' | 'deleted'

export interface RolloutEvent {
  /** `pod/api-5d9-x7k`, `deployment/api` */
  object: string
  type: string
  reason: string
  message: string
  count: number
  /** ISO time of the last occurrence, when the event carries one. */
  lastSeen?: string
}

export interface RolloutResult {
  status: RolloutOutcome
  message: string
  /** Failures of new pods: those that failed the rollout, or what was seen when it failed otherwise. */
  failures: PodFailure[]
  /** Recent Warning events, collected only when the rollout did not succeed. */
  events: RolloutEvent[]
  durationMs: number
  /** The workload as last observed (for a succeeded rollout: its final state, e.g. the new revision). */
  workload?: Workload | undefined
}

const MAX_EVENT_OBJECTS = 5
const MAX_EVENTS_PER_OBJECT = 10

export function waitForRollout(target: WorkloadRef, options: WaitForRolloutOptions): Promise<RolloutResult> {
  return new RolloutWatch(target, options).run()
}

class RolloutWatch {
  private readonly label: string
  private readonly failFast: FailFastOptions
  private readonly tracker: FailureTracker
  private readonly started: number
  private readonly stop = new AbortController()
  private readonly subscriptions: { stop(): void }[] = []
  private readonly source: WatchSource
  private workload: Workload | undefined
  private podWatchStarted = false
  private readonly pods = new Map<string, V1Pod>()
  private replicaSetWatchStarted = false
  private replicaSets = new Map<string, V1ReplicaSet>()
  private readonly createTracker: CreateFailureTracker
  private readonly judgeCreates: boolean
  private createEventWatchStarted = false
  /** FailedCreate events as first listed (resourceVersion by name): what happened before this wait. */
  private readonly createEventsBefore = new Map<string, string>()
  /** FailedCreate events that happened (again) since this wait began. */
  private readonly createEvents = new Map<string, CoreV1Event>()
  private lastCreateFailure: CreateFailureVerdict | undefined
  private lastMessage = ''
  private lastObserved: PodFailure[] = []
  private settled = false
  private recheckDue: number | undefined
  private resolve!: (result: RolloutResult) => void
  private reject!: (error: Error) => void

  constructor(
    private readonly target: WorkloadRef,
    private readonly options: WaitForRolloutOptions
  ) {
    this.label = describeWorkload(target)
    this.failFast = { ...DEFAULT_FAIL_FAST, ...options.failFast }
    this.tracker = new FailureTracker(this.failFast)
    this.createTracker = new CreateFailureTracker(this.failFast)
    this.judgeCreates = options.judgeCreateFailures ?? this.failFast.enabled
    this.started = options.clock.now()
    this.source =
      options.watches ?? dedicatedWatches({ api: options.api, clock: options.clock, logger: options.logger })
  }

  run(): Promise<RolloutResult> {
    const promise = new Promise<RolloutResult>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    const { signal, clock, timeoutMs } = this.options
    if (signal?.aborted) {
      this.finish('cancelled', `cancelled before waiting for ${this.label}`)
      return promise
    }
    signal?.addEventListener(
      'abort',
      () =>
        this.finish(
          'cancelled',
          `cancelled while waiting for ${this.label}${this.lastMessage ? `: ${this.lastMessage}` : ''}`
        ),
      {
        once: true,
        signal: this.stop.signal
      }
    )
    clock.sleep(timeoutMs, this.stop.signal).then(
      () =>
        this.finish(
          'timed-out',
          `timed out after ${formatDuration(timeoutMs)} waiting for ${this.label}${this.lastMessage ? `: ${this.lastMessage}` : ''}${this.lastCreateFailure ? `; ${describeCreateFailures(this.lastCreateFailure.observed, this.label)}` : ''}`,
          this.lastObserved
        ),
      () => undefined
    )
    this.subscribe<Workload>(
      { resource: this.target.kind, namespace: this.target.namespace, name: this.target.name },
      {
        onSync: (items) => {
          const found = items.find((item) => item.metadata?.name === this.target.name)
          if (found) this.onWorkload(found)
          else
            this.finish(
              'deleted',
              this.workload
                ? `${this.label} was deleted during the rollout`
                : `${this.label} not found in namespace ${this.target.namespace}`
            )
        },
        onEvent: (type, object) => {
          if (type === 'DELETED') this.finish('deleted', `${this.label} was deleted during the rollout`)
          else this.onWorkload(object)
        },
        onFatal: (error) => this.fail(error)
      }
    )
    return promise
  }

  private subscribe<T extends WatchedObject>(query: WatchQuery, subscriber: WatchSubscriber<T>): void {
    if (this.settled) return
    this.subscriptions.push(this.source.subscribe(query, subscriber))
  }

  private onWorkload(workload: Workload): void {
    if (this.settled) return
    // Older than our own write: a shared stream listed before the patch landed; its event follows.
    if ((workload.metadata?.generation ?? 0) < (this.options.minGeneration ?? 0)) return
    this.workload = workload
    const status = rolloutStatus(this.target.kind, workload, this.options.revision)
    if (status.message !== this.lastMessage) {
      this.lastMessage = status.message
      this.options.logger.info(`${this.label}: ${status.message}`)
    }
    if (status.done) return this.finish('succeeded', status.message)
    if (status.failed) return this.finish('failed', `${this.label}: ${status.message}`, this.lastObserved)
    if (!this.failFast.enabled && !this.judgeCreates) return
    // Pods are watched for create failures too: a terminating one frees quota.
    if (!this.podWatchStarted) this.startPodWatch(workload)
    const adapter = adapterFor(this.target.kind)
    if (adapter.ownsReplicaSets && !this.replicaSetWatchStarted) this.startReplicaSetWatch(workload)
    if (this.judgeCreates && adapter.createFailuresFromEvents && !this.createEventWatchStarted)
      this.startCreateEventWatch()
    this.judgePods()
  }

  private startPodWatch(workload: Workload): void {
    this.podWatchStarted = true
    // The workload's own selector; which of these pods are new is decided per pod (new-pods.ts),
    // so one watch serves the whole wait even when the new ReplicaSet appears later.
    const podKey = (pod: V1Pod) => pod.metadata?.uid ?? pod.metadata?.name ?? ''
    this.subscribe<V1Pod>(
      { resource: 'Pod', namespace: this.target.namespace, selector: workload.spec?.selector ?? {} },
      {
        onSync: (items) => {
          this.pods.clear()
          for (const pod of items) this.pods.set(podKey(pod), pod)
          this.judgePods()
        },
        onEvent: (type, pod) => {
          if (type === 'DELETED') this.pods.delete(podKey(pod))
          else this.pods.set(podKey(pod), pod)
          this.judgePods()
        },
        onFatal: (error) => this.fail(error)
      }
    )
  }

  /**
   * Watches the Deployment's ReplicaSets (to tell its new pods from old). A ReplicaSet stream may
   * run behind the Deployment's; newPodMatcher judges nothing until the new one is seen.
   */
  private startReplicaSetWatch(workload: Workload): void {
    this.replicaSetWatchStarted = true
    this.subscribe<V1ReplicaSet>(
      { resource: 'ReplicaSet', namespace: this.target.namespace, selector: workload.spec?.selector ?? {} },
      {
        onSync: (items) => {
          this.replicaSets = new Map(items.map((rs) => [rs.metadata?.name ?? '', rs]))
          this.judgePods()
        },
        onEvent: (type, rs) => {
          if (type === 'DELETED') this.replicaSets.delete(rs.metadata?.name ?? '')
          else this.replicaSets.set(rs.metadata?.name ?? '', rs)
          this.judgePods()
        },
        onFatal: (error) => this.fail(error)
      }
    )
  }

  /**
   * Watches the namespace's FailedCreate events about workloads of this kind (one stream a
   * wave's waits can share; ours are picked by name and uid in the kind adapter). Only events
   * that are new, or that repeat (count and resourceVersion change: the controller retries a
   * refused create with back-off and the recorder aggregates), after the first list and once
   * the controller has observed the current generation, count: older refusals are history.
   */
  private startCreateEventWatch(): void {
    this.createEventWatchStarted = true
    const key = (event: CoreV1Event) => event.metadata?.name ?? ''
    const note = (event: CoreV1Event) => {
      if (this.createEventsBefore.get(key(event)) === event.metadata?.resourceVersion) return
      // Until the controller has observed the current generation, a refusal may be an earlier
      // template's (a rollback's wait starts while the failed revision is still retried). The
      // controller retries a refused create, so the next occurrence is judged.
      if (!this.workload || !generationObserved(this.workload)) return
      this.createEvents.set(key(event), event)
    }
    let listed = false
    this.subscribe<CoreV1Event>(
      {
        resource: 'Event',
        namespace: this.target.namespace,
        fieldSelector: `involvedObject.kind=${this.target.kind},reason=FailedCreate`
      },
      {
        onSync: (items) => {
          if (!listed) {
            listed = true
            for (const event of items)
              this.createEventsBefore.set(key(event), event.metadata?.resourceVersion ?? '')
          } else for (const event of items) note(event)
          this.judgePods()
        },
        onEvent: (type, event) => {
          if (type === 'DELETED') this.createEvents.delete(key(event))
          else note(event)
          this.judgePods()
        },
        onFatal: (error) => this.fail(error)
      }
    )
  }

  /** True when the controller's refused creates have failed the rollout. */
  private judgeCreateFailures(): boolean {
    const workload = this.workload!
    const failures = adapterFor(this.target.kind).createFailures(workload, {
      replicaSets: [...this.replicaSets.values()],
      events: [...this.createEvents.values()]
    })
    if (failures.length === 0 && this.lastCreateFailure === undefined) return false
    const terminating = [...this.pods.values()].some((pod) => !!pod.metadata?.deletionTimestamp)
    const verdict = this.createTracker.update(failures, this.options.clock.now(), terminating, this.label)
    this.lastCreateFailure = failures.length ? verdict : undefined
    if (verdict.failed) {
      this.finish('failed', `${this.label}: ${verdict.message}`, [], failures)
      return true
    }
    if (verdict.recheckInMs !== undefined) this.scheduleRecheck(verdict.recheckInMs)
    return false
  }

  private judgePods(): void {
    if (this.settled || !this.workload) return
    if (this.judgeCreates && this.judgeCreateFailures()) return
    if (!this.failFast.enabled) return
    const matcher = newPodMatcher(this.target.kind, this.workload, [...this.replicaSets.values()])
    if (!matcher) return
    const newPods = [...this.pods.values()].filter(matcher)
    const verdict = this.tracker.update(
      detectPodFailures(newPods, this.failFast.restartThreshold),
      this.options.clock.now()
    )
    this.lastObserved = verdict.observed
    if (verdict.failed) return this.finish('failed', `${this.label}: ${verdict.message}`, verdict.counting)
    if (verdict.recheckInMs !== undefined) this.scheduleRecheck(verdict.recheckInMs)
  }

  /** Re-judges when a transient failure will have lasted its grace period (one timer per due time). */
  private scheduleRecheck(inMs: number): void {
    const due = this.options.clock.now() + inMs
    if (this.recheckDue !== undefined && this.recheckDue <= due) return
    this.recheckDue = due
    this.options.clock.sleep(inMs, this.stop.signal).then(
      () => {
        if (this.recheckDue === due) this.recheckDue = undefined
        this.judgePods()
      },
      () => undefined
    )
  }

  private fail(error: KubernetesApiError): void {
    if (this.settled) return
    this.settle()
    this.reject(error)
  }

  private settle(): void {
    this.settled = true
    this.stop.abort()
    for (const subscription of this.subscriptions) subscription.stop()
  }

  private finish(
    status: RolloutOutcome,
    message: string,
    failures: PodFailure[] = [],
    createFailures: CreateFailure[] = []
  ): void {
    if (this.settled) return
    this.settle()
    const done = (events: RolloutEvent[]) =>
      this.resolve({
        status,
        message,
        failures,
        events,
        durationMs: this.options.clock.now() - this.started,
        workload: this.workload
      })
    if (status === 'succeeded' || status === 'cancelled' || status === 'deleted') return done([])
    this.collectEvents(failures, createFailures).then(done, (error: Error) => {
      this.options.logger.debug(`could not read events for ${this.label}: ${error.message}`)
      done([])
    })
  }

  private async collectEvents(
    failures: PodFailure[],
    createFailures: CreateFailure[]
  ): Promise<RolloutEvent[]> {
    const objects: Array<{ kind: string; name: string }> = [...new Set(failures.map((f) => f.pod))]
      .slice(0, MAX_EVENT_OBJECTS)
      .map((name) => ({ kind: 'Pod', name }))
    // The ReplicaSet that could not create pods has the FailedCreate events.
    for (const f of createFailures)
      if (!objects.some((o) => o.kind === f.kind && o.name === f.name))
        objects.push({ kind: f.kind, name: f.name })
    if (!objects.some((o) => o.kind === this.target.kind && o.name === this.target.name))
      objects.push({ kind: this.target.kind, name: this.target.name })
    const lists = await Promise.all(
      objects.map(async (object) => {
        try {
          const events = await this.options.api.listEvents(this.target.namespace, object)
          return recentWarnings(events, `${object.kind.toLowerCase()}/${object.name}`)
        } catch (error) {
          this.options.logger.debug(
            `could not list events of ${object.kind.toLowerCase()}/${object.name}: ${(error as Error).message}`
          )
          return []
        }
      })
    )
    return lists.flat()
  }
}

function recentWarnings(events: CoreV1Event[], object: string): RolloutEvent[] {
  return events
    .filter((e) => e.type === 'Warning')
    .map((e) => {
      const last = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp
      const time = last === undefined || last === null ? NaN : new Date(last as unknown as string).getTime()
      const lastSeen = Number.isNaN(time) ? undefined : new Date(time).toISOString()
      return {
        object,
        type: e.type ?? 'Warning',
        reason: e.reason ?? '',
        message: e.message ?? '',
        count: e.count ?? 1,
        ...(lastSeen ? { lastSeen } : {})
      }
    })
    .sort((a, b) => compareCodeUnits(a.lastSeen ?? '', b.lastSeen ?? ''))
    .slice(-MAX_EVENTS_PER_OBJECT)
}

/** 300000 -> "5m0s", 1500 -> "1.5s", like Go's time.Duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const totalSeconds = ms / 1000
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = Math.round((totalSeconds % 60) * 1000) / 1000
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`
}
