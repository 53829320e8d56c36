import { V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import { CancellationError } from '../../runtime/errors.js'
import { isConflict } from '../api/api-error.js'
import { classifyFailure } from '../api/retry-policy.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'

/**
 * A lock on a coordination.k8s.io/v1 Lease, with client-go leader election's semantics
 * (tools/leaderelection: tryAcquireOrRenew):
 * - get (keeping the resourceVersion); create when absent (AlreadyExists = someone raced us: retry);
 * - a lease held by someone else is valid while the time WE first saw its current record, plus
 *   its leaseDurationSeconds, is in the future. Remote renewTime is never compared with our
 *   clock, so clock skew between runners cannot break the lock; the price is that a dead
 *   holder's lease is honoured for up to one full duration after we first look at it;
 * - taking over an expired (or released) lease increments leaseTransitions;
 * - every write is an update with the cached resourceVersion: a racing writer gets 409;
 * - release writes an empty holder (and leaseDurationSeconds 1), only if we still hold it.
 * There is no fencing: a holder that stalls past its lease can act after losing it, so the
 * renewal loop reports loss for the caller to stop.
 * RBAC: get, create, update on leases.
 */
export type LeaseApi = Pick<WorkloadApi, 'getLease' | 'createLease' | 'replaceLease'>

export interface LeaseLockOptions {
  api: LeaseApi
  clock: Clock
  logger?: Logger
}

export interface LeaseId {
  name: string
  namespace: string
  /** Our identity, e.g. `owner/repo/run_id/attempt` (the caller's format). */
  holder: string
}

export interface AcquireOptions extends LeaseId {
  /** Default 60: long enough for a busy runner to renew, short enough for a dead one to expire. */
  leaseDurationSeconds?: number
  /** Give up waiting after this long. */
  timeoutMs: number
  /** Pause between attempts while someone else holds it. Default 2000 (client-go's retry period). */
  retryMs?: number
  /** Renew this often. Default a third of the duration. */
  renewIntervalMs?: number
  /**
   * Annotations written in the same create or update that takes (and renews) the lease, so a
   * reader never sees our holder with an earlier holder's annotations. An undefined value
   * removes the key.
   */
  annotations?: Record<string, string | undefined>
  /**
   * When the lease is already ours (an earlier step of the same run took it under the same
   * holder), a reason not to take it again; acquire then throws a LeaseRefusedError.
   */
  refuseOwn?: (lease: V1Lease) => string | undefined
  /** Called when we find the lease held by someone else (with the lease as read), and again whenever that holder changes. */
  onWait?: (holder: string, waitedMs: number, lease: V1Lease) => void
  /** Called once if renewal fails or someone else takes the lease. */
  onLost?: (reason: string) => void
  signal?: AbortSignal
}

export interface HeldLease extends LeaseId {
  /** Settles with the reason if the lease is lost while held; stays pending after release. */
  readonly lost: Promise<string>
  isHeld(): boolean
  /** Stops renewing and writes an empty holder if we still hold it. True when it released. */
  release(): Promise<boolean>
  /** Stops renewing without releasing (the lease then expires, or a later step releases it). */
  stopRenewing(): void
}

export class LeaseTimeoutError extends Error {
  override readonly name = 'LeaseTimeoutError'
  constructor(
    message: string,
    readonly holder: string | undefined
  ) {
    super(message)
  }
}

/** The lease is already held under our own identity, for something we must not take over. */
export class LeaseRefusedError extends Error {
  override readonly name = 'LeaseRefusedError'
}

export const DEFAULT_LEASE_DURATION_SECONDS = 60
const DEFAULT_RETRY_MS = 2000
const MAX_IMMEDIATE_RETRIES = 3
const RELEASE_ATTEMPTS = 6

type Attempt = { acquired: true } | { acquired: false; holder?: string; lease?: V1Lease; raced?: boolean }

/** What we last saw of one lease, and when we first saw it that way. */
class LeaseObservation {
  record: V1LeaseSpec | undefined
  raw = ''
  observedAt = 0
  lease: V1Lease | undefined
  /** Set once we took the lease: later rounds are renewals. */
  taken = false

  observe(lease: V1Lease, now: number): void {
    this.lease = lease
    const raw = recordKey(lease.spec)
    if (raw !== this.raw) {
      this.raw = raw
      this.record = lease.spec
      this.observedAt = now
    }
  }
}

export class LeaseLock {
  constructor(private readonly options: LeaseLockOptions) {}

  async acquire(request: AcquireOptions): Promise<HeldLease> {
    const { clock } = this.options
    const durationSeconds = request.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS
    const retryMs = request.retryMs ?? DEFAULT_RETRY_MS
    const observation = new LeaseObservation()
    const started = clock.now()
    let lastHolder: string | undefined
    let immediate = 0
    const where = `lease ${request.namespace}/${request.name}`

    for (;;) {
      if (request.signal?.aborted) throw new CancellationError(`cancelled while waiting for ${where}`)
      const attempt = await this.tryAcquireOrRenew(request, durationSeconds, observation).catch(
        (error: unknown): Attempt => {
          // A write whose answer was lost, or an API server that is briefly unwell: look again
          // (a lost create or update shows as our own holder on the next read). Permanent errors
          // (403, 422) still end the wait.
          if (error instanceof LeaseRefusedError) throw error
          if (classifyFailure(error, clock.now()).kind === 'permanent') throw error
          this.options.logger?.debug(`${where}: ${(error as Error).message}; trying again`)
          return { acquired: false }
        }
      )
      if (attempt.acquired) {
        observation.taken = true
        this.options.logger?.debug(`acquired ${where} as ${request.holder}`)
        return this.startRenewing(request, durationSeconds, observation)
      }
      if (attempt.holder !== undefined && attempt.holder !== lastHolder) {
        lastHolder = attempt.holder
        if (attempt.lease) request.onWait?.(attempt.holder, clock.now() - started, attempt.lease)
      }
      const elapsed = clock.now() - started
      if (elapsed >= request.timeoutMs) {
        throw new LeaseTimeoutError(
          `timed out after ${Math.round(request.timeoutMs / 1000)}s waiting for ${where}${lastHolder ? `, held by ${lastHolder}` : ''}`,
          lastHolder
        )
      }
      if (attempt.raced && immediate < MAX_IMMEDIATE_RETRIES) {
        immediate++
        continue
      }
      immediate = 0
      try {
        await clock.sleep(Math.min(retryMs, request.timeoutMs - elapsed), request.signal)
      } catch {
        throw new CancellationError(`cancelled while waiting for ${where}`)
      }
    }
  }

  /**
   * Releases a lease by identity, for a later step or process that did not acquire it
   * (the action's post step). False when someone else holds it or it does not exist; throws
   * when it is still ours but could not be released (the caller keeps it to try again later).
   */
  async release(id: LeaseId): Promise<boolean> {
    const { api, clock } = this.options
    // A release whose answer was lost may have applied: the next read then shows no holder.
    let sent = false
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      const lease = await api.getLease(id.namespace, id.name)
      const holder = lease?.spec?.holderIdentity ?? ''
      if (!lease || holder !== id.holder) return sent && holder === ''
      const now = new V1MicroTime(clock.now())
      lease.spec = {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now
      }
      try {
        await api.replaceLease(id.namespace, lease)
        return true
      } catch (error) {
        if (isConflict(error)) continue
        if (classifyFailure(error, clock.now()).kind === 'permanent') throw error
        sent = true
        await clock.sleep(Math.min(2000, 200 * 2 ** attempt))
      }
    }
    throw new Error(
      `could not release lease ${id.namespace}/${id.name} after ${RELEASE_ATTEMPTS} attempts (the API kept failing or the lease kept changing)`
    )
  }

  /** One round of client-go's tryAcquireOrRenew. */
  private async tryAcquireOrRenew(
    id: LeaseId & Pick<AcquireOptions, 'annotations' | 'refuseOwn'>,
    durationSeconds: number,
    observation: LeaseObservation
  ): Promise<Attempt> {
    const { api, clock } = this.options
    const now = clock.now()
    const lease = await api.getLease(id.namespace, id.name)
    if (!lease) {
      const time = new V1MicroTime(now)
      try {
        const created = await api.createLease(id.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: id.name,
            namespace: id.namespace,
            ...withAnnotations(undefined, id.annotations)
          },
          spec: {
            holderIdentity: id.holder,
            leaseDurationSeconds: durationSeconds,
            acquireTime: time,
            renewTime: time,
            leaseTransitions: 0
          }
        })
        observation.observe(created, clock.now())
        return { acquired: true }
      } catch (error) {
        if (isConflict(error)) return { acquired: false, raced: true }
        throw error
      }
    }

    observation.observe(lease, now)
    const holder = lease.spec?.holderIdentity ?? ''
    const weHold = holder === id.holder
    const theirDuration = lease.spec?.leaseDurationSeconds ?? durationSeconds
    if (holder !== '' && !weHold && observation.observedAt + theirDuration * 1000 > now) {
      return { acquired: false, holder, lease }
    }
    // Only on taking: the renewal loop re-reads a lease that is ours because we took it.
    const refusal = weHold && !observation.taken ? id.refuseOwn?.(lease) : undefined
    if (refusal !== undefined) throw new LeaseRefusedError(refusal)

    const time = new V1MicroTime(now)
    const transitions = lease.spec?.leaseTransitions ?? 0
    lease.spec = {
      ...lease.spec,
      holderIdentity: id.holder,
      leaseDurationSeconds: durationSeconds,
      acquireTime: weHold && lease.spec?.acquireTime ? lease.spec.acquireTime : time,
      renewTime: time,
      leaseTransitions: weHold ? transitions : transitions + 1
    }
    if (id.annotations)
      lease.metadata = { ...lease.metadata, ...withAnnotations(lease.metadata, id.annotations) }
    try {
      const updated = await api.replaceLease(id.namespace, lease)
      observation.observe(updated, clock.now())
      return { acquired: true }
    } catch (error) {
      if (isConflict(error))
        return { acquired: false, raced: true, ...(holder && !weHold ? { holder, lease } : {}) }
      throw error
    }
  }

  private startRenewing(
    request: AcquireOptions,
    durationSeconds: number,
    observation: LeaseObservation
  ): HeldLease {
    const { clock, logger } = this.options
    const stop = new AbortController()
    const intervalMs = request.renewIntervalMs ?? Math.max(1, Math.floor((durationSeconds * 1000) / 3))
    // client-go's renewDeadline (10 s of 15 s): give up before others may consider the lease expired.
    const renewDeadlineMs = Math.floor((durationSeconds * 1000 * 2) / 3)
    let held = true
    let lastRenewed = clock.now()
    let reportLoss!: (reason: string) => void
    const lost = new Promise<string>((resolve) => (reportLoss = resolve))
    const where = `lease ${request.namespace}/${request.name}`

    const lose = (reason: string) => {
      if (!held) return
      held = false
      stop.abort()
      logger?.warning(`lost ${where}: ${reason}`)
      request.onLost?.(reason)
      reportLoss(reason)
    }

    const loop = async () => {
      while (!stop.signal.aborted) {
        try {
          await clock.sleep(intervalMs, stop.signal)
        } catch {
          return
        }
        if (stop.signal.aborted) return
        try {
          const attempt = await this.tryAcquireOrRenew(request, durationSeconds, observation)
          if (stop.signal.aborted) return
          if (attempt.acquired) {
            lastRenewed = clock.now()
            continue
          }
          if (attempt.holder !== undefined) return lose(`now held by ${attempt.holder}`)
        } catch (error) {
          logger?.debug(`renewing ${where} failed: ${(error as Error).message}`)
        }
        if (clock.now() - lastRenewed >= renewDeadlineMs)
          return lose(`could not renew it for ${Math.round((clock.now() - lastRenewed) / 1000)}s`)
      }
    }
    void loop()

    return {
      name: request.name,
      namespace: request.namespace,
      holder: request.holder,
      lost,
      isHeld: () => held,
      stopRenewing: () => stop.abort(),
      release: async () => {
        stop.abort()
        if (!held) return false
        held = false
        return this.release(request)
      }
    }
  }
}

function recordKey(spec: V1LeaseSpec | undefined): string {
  const time = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ''))
  return JSON.stringify([
    spec?.holderIdentity ?? '',
    spec?.leaseDurationSeconds ?? 0,
    time(spec?.acquireTime),
    time(spec?.renewTime),
    spec?.leaseTransitions ?? 0
  ])
}

/** The lease's annotations with ours applied (undefined values removed), as a metadata fragment. */
function withAnnotations(
  metadata: V1Lease['metadata'],
  ours: Record<string, string | undefined> | undefined
): { annotations?: Record<string, string> } {
  if (!ours) return metadata?.annotations ? { annotations: metadata.annotations } : {}
  const annotations: Record<string, string> = { ...metadata?.annotations }
  for (const [key, value] of Object.entries(ours)) {
    if (value === undefined) delete annotations[key]
    else annotations[key] = value
  }
  return Object.keys(annotations).length ? { annotations } : {}
}
