import type { CommitAncestry } from '../../github/commit-ancestry.js'
import { isNotFound, KubernetesApiError } from '../../kubernetes/api/api-error.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { RESOURCE_TYPES } from '../../kubernetes/api/resource-types.js'
import { dedicatedWatches, type WatchSource } from '../../kubernetes/api/watch-source.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { SyncEngine } from './sync-engine.js'
import type { SyncExpectation, SyncResource, SyncVerdict } from './sync-verdict.js'

/** What the environment's workloads said once the engine applied the commit. */
export interface WorkloadsOutcome {
  ok: boolean
  /** One sentence: every target rolled out on the image, or which did not and why. */
  message: string
}

export interface SyncWaitRequest {
  api: WorkloadApi
  engine: SyncEngine
  /** The promotion's commit on the manifests repository's base branch. */
  commit: string
  /** When it landed there (clock time). */
  deliveredAt: number
  /** Answers "does this other revision contain the commit"; without it only the commit itself counts. */
  ancestry?: CommitAncestry | undefined
  /**
   * Started once, as soon as the engine has applied the commit (Argo CD may still say
   * Progressing): waits for the targets to roll out, failing fast from their pods. Aborted
   * when the wait ends otherwise.
   */
  workloads?: (signal: AbortSignal) => Promise<WorkloadsOutcome>
  timeoutMs: number
  clock: Clock
  logger: Logger
  signal?: AbortSignal
  /** Where the list+watch stream comes from; default one of its own. */
  watches?: WatchSource
}

export type SyncWaitStatus = 'succeeded' | 'failed' | 'timed-out' | 'cancelled'

export interface SyncWaitResult {
  status: SyncWaitStatus
  message: string
  /** The resources the engine named when it failed. */
  resources: SyncResource[]
  /** The revision it reported healthy at. */
  revision?: string | undefined
  /** Clock time the refresh request was answered (undefined when it was not sent). */
  refreshRequestedAt?: number | undefined
  /** Clock time the engine first reported the commit healthy. */
  healthyAt?: number | undefined
  workloads?: WorkloadsOutcome | undefined
  durationMs: number
}

const LOOKUP_RETRY_MS = 2000

/**
 * Waits until the engine reports the commit synced and healthy, and the workloads rolled out.
 *
 * 1. Asks for an immediate refresh (one merge patch of an annotation: Argo CD's
 *    `argocd.argoproj.io/refresh: normal`, Flux's `reconcile.fluxcd.io/requestedAt: <now>`, and
 *    for a Kustomization its GitRepository too, so the new commit is fetched at once) instead of
 *    sitting out the engine's polling interval (Argo CD: 3 minutes by default).
 * 2. Lists and watches the one object (by name), and judges every version of it as it arrives
 *    (argocd-status.ts, flux-status.ts): no polling loop, so success follows the event that
 *    completes it. A revision that is another commit is looked up once (GitHub compare API).
 * 3. Once the commit is applied, the workloads are watched too (`workloads`), so a crash loop
 *    fails the wait from the pods' own reasons while the engine still says Progressing.
 * A line is logged whenever the engine's state changes. Bounded by `timeoutMs`; cancellable.
 */
export function waitForSync(request: SyncWaitRequest): Promise<SyncWaitResult> {
  return new SyncWait(request).run()
}

class SyncWait {
  private readonly started: number
  private readonly stop = new AbortController()
  private readonly known = new Map<string, boolean>()
  private readonly asked = new Set<string>()
  private subscription: { stop(): void } | undefined
  private last: Record<string, unknown> | undefined
  private lastMessage = ''
  private verdict: SyncVerdict | undefined
  private requestToken: string | undefined
  private startGeneration: number | undefined
  private refreshRequestedAt: number | undefined
  private healthyAt: number | undefined
  private workloadsStarted = false
  private workloadOutcome: WorkloadsOutcome | undefined
  private settled = false
  private resolve!: (result: SyncWaitResult) => void

  constructor(private readonly request: SyncWaitRequest) {
    this.started = request.clock.now()
  }

  async run(): Promise<SyncWaitResult> {
    const promise = new Promise<SyncWaitResult>((resolve) => (this.resolve = resolve))
    const { signal, clock, timeoutMs, engine } = this.request
    if (signal?.aborted) {
      this.finish('cancelled', `cancelled before waiting for ${engine.label}`)
      return promise
    }
    signal?.addEventListener('abort', () => this.finish('cancelled', this.withLast('cancelled')), {
      once: true,
      signal: this.stop.signal
    })
    clock.sleep(timeoutMs, this.stop.signal).then(
      () => this.finish('timed-out', this.withLast(`timed out after ${Math.round(timeoutMs / 1000)}s`)),
      () => undefined
    )
    await this.requestRefresh()
    if (this.settled) return promise
    const watches =
      this.request.watches ?? dedicatedWatches({ api: this.request.api, clock, logger: this.request.logger })
    this.subscription = watches.subscribe<Record<string, unknown>>(
      { resource: engine.type, namespace: engine.namespace, name: engine.name },
      {
        onSync: (items) => {
          const found = items.find((item) => (item['metadata'] as { name?: string })?.name === engine.name)
          if (found) this.observe(found)
          else this.finish('failed', `${engine.label} was not found`)
        },
        onEvent: (type, object) => {
          if (type === 'DELETED') this.finish('failed', `${engine.label} was deleted while waiting for it`)
          else this.observe(object)
        },
        onFatal: (error) => this.finish('failed', `${engine.label}: ${error.message}`)
      }
    )
    return promise
  }

  /** One merge patch of the refresh annotation; its answer is the first observation. */
  private async requestRefresh(): Promise<void> {
    const { api, engine, clock, logger } = this.request
    const { patch, token } = engine.refreshRequest(clock.now())
    try {
      const object = await api.patchResource<Record<string, unknown>>(
        engine.type,
        engine.namespace,
        engine.name,
        patch,
        { strategy: 'merge', repeatable: true }
      )
      this.refreshRequestedAt = clock.now()
      this.requestToken = engine.engine === 'flux' ? token : undefined
      this.startGeneration = (object['metadata'] as { generation?: number } | undefined)?.generation
      logger.info(`${engine.label}: refresh requested`)
      if (engine.engine === 'flux') await this.reconcileSource(object, patch)
      this.observe(object)
    } catch (error) {
      if (isNotFound(error))
        return this.finish(
          'failed',
          `${engine.label} was not found (is gitops.sync's name, namespace or cluster right?)`
        )
      if (error instanceof KubernetesApiError && (error.code === 401 || error.code === 403))
        return this.finish('failed', `${engine.label}: ${error.message}`)
      // The watch still sees the engine's own polling; only the shortcut is lost.
      logger.warning(
        `${engine.label}: could not request a refresh (${(error as Error).message}); waiting for its own interval`
      )
    }
  }

  /** A Kustomization's GitRepository must fetch the new commit first (`flux reconcile ks --with-source`). */
  private async reconcileSource(object: Record<string, unknown>, patch: object): Promise<void> {
    const { api, engine, logger } = this.request
    const source = (object['spec'] as { sourceRef?: { kind?: string; name?: string; namespace?: string } })
      ?.sourceRef
    if (source?.kind !== 'GitRepository' || !source.name) return
    const namespace = source.namespace ?? engine.namespace
    try {
      await api.patchResource(RESOURCE_TYPES.FluxGitRepository, namespace, source.name, patch, {
        strategy: 'merge',
        repeatable: true
      })
      logger.info(`Flux GitRepository ${namespace}/${source.name}: fetch requested`)
    } catch (error) {
      logger.info(
        `Flux GitRepository ${namespace}/${source.name}: could not request a fetch (${(error as Error).message}); it fetches on its own interval (grant patch on gitrepositories.source.toolkit.fluxcd.io to skip it)`
      )
    }
  }

  private observe(object: Record<string, unknown>): void {
    if (this.settled) return
    this.last = object
    this.judge()
  }

  private expectation(): SyncExpectation {
    const { ancestry } = this.request
    return {
      commit: this.request.commit,
      deliveredAt: this.request.deliveredAt,
      // Without a way to ask, a different commit never counts (only the commit itself).
      known: (commit) => this.known.get(commit) ?? (ancestry ? undefined : false),
      requestToken: this.requestToken,
      startGeneration: this.startGeneration
    }
  }

  private judge(): void {
    if (this.settled || !this.last) return
    const { engine, logger, clock } = this.request
    const verdict = this.request.engine.evaluate(this.last, this.expectation())
    this.verdict = verdict
    if (verdict.message !== this.lastMessage) {
      this.lastMessage = verdict.message
      logger.info(`${engine.label}: ${verdict.message}`)
    }
    switch (verdict.state) {
      case 'failed':
        return this.finish('failed', `${engine.label}: ${verdict.message}`, verdict.resources)
      case 'waiting':
        for (const commit of verdict.lookups) this.lookUp(commit)
        return
      case 'applied':
        return this.startWorkloads()
      case 'healthy':
        this.healthyAt ??= clock.now()
        this.startWorkloads()
        return this.finishIfDone()
    }
  }

  private lookUp(revisionCommit: string): void {
    const { ancestry, logger, clock } = this.request
    if (!ancestry || this.asked.has(revisionCommit)) return
    this.asked.add(revisionCommit)
    ancestry.contains(revisionCommit, this.request.commit).then(
      (answer) => {
        this.known.set(revisionCommit, answer)
        logger.debug(
          `${revisionCommit.slice(0, 7)} ${answer ? 'contains' : 'does not contain'} ${this.request.commit.slice(0, 7)}`
        )
        this.judge()
      },
      (error: Error) => {
        logger.debug(`could not compare ${revisionCommit} with ${this.request.commit}: ${error.message}`)
        clock.sleep(LOOKUP_RETRY_MS, this.stop.signal).then(
          () => {
            this.asked.delete(revisionCommit)
            this.judge()
          },
          () => undefined
        )
      }
    )
  }

  private startWorkloads(): void {
    const { workloads } = this.request
    if (!workloads || this.workloadsStarted) return
    this.workloadsStarted = true
    workloads(this.stop.signal).then(
      (outcome) => {
        this.workloadOutcome = outcome
        if (!outcome.ok) this.finish('failed', outcome.message)
        else this.finishIfDone()
      },
      (error: Error) => this.finish('failed', `the workloads could not be checked: ${error.message}`)
    )
  }

  private finishIfDone(): void {
    if (this.verdict?.state !== 'healthy') return
    if (this.request.workloads && !this.workloadOutcome?.ok) return
    const message = this.workloadOutcome
      ? `${this.request.engine.label}: ${this.verdict.message}; ${this.workloadOutcome.message}`
      : `${this.request.engine.label}: ${this.verdict.message}`
    this.finish('succeeded', message)
  }

  private withLast(what: string): string {
    const waitingFor =
      this.verdict?.state === 'healthy' && this.request.workloads && !this.workloadOutcome
        ? '; the workloads had not rolled out'
        : ''
    return `${what} waiting for ${this.request.engine.label}${this.lastMessage ? `: ${this.lastMessage}` : ''}${waitingFor}`
  }

  private finish(status: SyncWaitStatus, message: string, resources: SyncResource[] = []): void {
    if (this.settled) return
    this.settled = true
    this.stop.abort()
    this.subscription?.stop()
    const verdict = this.verdict
    this.resolve({
      status,
      message,
      resources,
      revision:
        verdict && verdict.state !== 'waiting' && verdict.state !== 'failed' ? verdict.revision : undefined,
      refreshRequestedAt: this.refreshRequestedAt,
      healthyAt: this.healthyAt,
      workloads: this.workloadOutcome,
      durationMs: this.request.clock.now() - this.started
    })
  }
}
