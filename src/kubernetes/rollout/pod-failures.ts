import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import type { z } from 'zod'
import type { failFast } from '../../config/schema.js'
import { compareCodeUnits } from '../../runtime/code-unit-order.js'

type FailFastConfig = z.output<typeof failFast>

/**
 * Failing a rollout early from what its NEW pods show (kubectl waits for the progress
 * deadline instead, kubectl#738). Pure: the caller passes only new pods (see new-pods.ts) and
 * the current time.
 *
 * Reasons come in two groups:
 * - definitive: the pod will not get better by waiting: ImagePullBackOff, ErrImageNeverPull,
 *   InvalidImageName, ImageInspectError, CreateContainerConfigError, CrashLoopBackOff, and a
 *   container that restarted `restartThreshold` times. One pod showing one is enough by default:
 *   new pods share one template, so what breaks one breaks all.
 * - transient: often clears on its own (a registry hiccup, a node being added by the cluster
 *   autoscaler, a sandbox retry): ErrImagePull (kubelet turns a lasting one into
 *   ImagePullBackOff anyway), RegistryUnavailable, RunContainerError, CreateContainerError,
 *   CreatePodSandboxError, PodScheduled=False/Unschedulable. These count only after they have
 *   persisted for `transientGraceMs`, measured on our clock from when we first saw them.
 */
export interface FailFastOptions {
  enabled: boolean
  /** How many distinct new pods must show a counting failure. Default 1 (see above). */
  podsFailing: number
  /**
   * A new pod's container that restarted this many times fails the rollout even when we never
   * caught it in CrashLoopBackOff (e.g. a liveness probe killing it). Default 3: one or two
   * restarts happen when a dependency is briefly unavailable at start-up.
   */
  restartThreshold: number
  /** How long a transient reason must persist before it counts. Default 60 s. */
  transientGraceMs: number
  /**
   * How long pods refused by a ResourceQuota may stay refused, with none of the workload's pods
   * terminating, before the rollout fails (create-failures.ts). Default 10 s.
   */
  quotaGraceMs: number
}

/** The environment's `rollout.fail-fast` settings as the watcher takes them (promote and verify alike). */
export function failFastFromConfig(config: FailFastConfig): Partial<FailFastOptions> {
  return {
    enabled: config.enabled,
    podsFailing: config['failing-pods'],
    restartThreshold: config['restart-threshold'],
    quotaGraceMs: config['quota-grace']
  }
}

export const DEFAULT_FAIL_FAST: FailFastOptions = {
  enabled: true,
  podsFailing: 1,
  restartThreshold: 3,
  transientGraceMs: 60_000,
  quotaGraceMs: 10_000
}

export const DEFINITIVE_REASONS = [
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'ImageInspectError',
  'CreateContainerConfigError',
  'CrashLoopBackOff'
] as const
export const TRANSIENT_REASONS = [
  'ErrImagePull',
  'RegistryUnavailable',
  'RunContainerError',
  'CreateContainerError',
  'CreatePodSandboxError',
  'Unschedulable'
] as const
/** Reason given to a container over the restart threshold. */
export const RESTART_THRESHOLD_REASON = 'RestartThresholdExceeded'

export interface TerminationInfo {
  reason?: string
  exitCode?: number
  message?: string
}

export interface PodFailure {
  pod: string
  /** Absent for pod-level reasons (Unschedulable). */
  container?: string
  initContainer?: boolean
  reason: string
  message?: string
  restartCount?: number
  /** The container's previous termination (e.g. OOMKilled, exit code 137). */
  lastTerminated?: TerminationInfo
  definitive: boolean
}

const definitive = new Set<string>(DEFINITIVE_REASONS)
const transient = new Set<string>(TRANSIENT_REASONS)

/** Every failure signal the given pods show now (both groups), sorted by pod then container. */
export function detectPodFailures(
  pods: V1Pod[],
  restartThreshold = DEFAULT_FAIL_FAST.restartThreshold
): PodFailure[] {
  return pods.flatMap((pod) => podFailures(pod, restartThreshold)).sort(compareFailures)
}

export function podFailures(pod: V1Pod, restartThreshold = DEFAULT_FAIL_FAST.restartThreshold): PodFailure[] {
  const name = pod.metadata?.name ?? ''
  const failures: PodFailure[] = []
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    failures.push({
      pod: name,
      reason: 'Unschedulable',
      ...(scheduled.message ? { message: scheduled.message } : {}),
      definitive: false
    })
  }
  for (const status of pod.status?.initContainerStatuses ?? [])
    failures.push(...containerFailures(name, status, true, restartThreshold))
  for (const status of pod.status?.containerStatuses ?? [])
    failures.push(...containerFailures(name, status, false, restartThreshold))
  return failures
}

function containerFailures(
  pod: string,
  status: V1ContainerStatus,
  initContainer: boolean,
  restartThreshold: number
): PodFailure[] {
  // Called for every container on every pod event: a healthy container returns before any
  // failure record is built.
  const waiting = status.state?.waiting
  const reason = waiting?.reason
  const waitingFailure = reason !== undefined && (definitive.has(reason) || transient.has(reason))
  const restartFailure = restartThreshold > 0 && (status.restartCount ?? 0) >= restartThreshold
  if (!waitingFailure && !restartFailure) return []
  const base = {
    pod,
    container: status.name,
    ...(initContainer ? { initContainer: true } : {}),
    ...(status.restartCount ? { restartCount: status.restartCount } : {}),
    ...lastTerminated(status)
  }
  if (waitingFailure) {
    return [
      {
        ...base,
        reason,
        ...(waiting?.message ? { message: waiting.message } : {}),
        definitive: definitive.has(reason)
      }
    ]
  }
  return [
    {
      ...base,
      reason: RESTART_THRESHOLD_REASON,
      message: `restarted ${status.restartCount} times (threshold ${restartThreshold})`,
      definitive: true
    }
  ]
}

function lastTerminated(status: V1ContainerStatus): { lastTerminated?: TerminationInfo } {
  const t = status.lastState?.terminated
  if (!t) return {}
  const info: TerminationInfo = {}
  if (t.reason) info.reason = t.reason
  if (t.exitCode !== undefined && t.exitCode !== null) info.exitCode = t.exitCode
  if (t.message) info.message = t.message
  return { lastTerminated: info }
}

export interface FailFastVerdict {
  failed: boolean
  /** The failures that count now (definitive ones, and transient ones past their grace). */
  counting: PodFailure[]
  /** Everything observed now, counting or not. */
  observed: PodFailure[]
  /** When a transient failure will have persisted long enough to count, if one is pending. */
  recheckInMs?: number
  message: string
}

/**
 * Remembers when each transient failure was first seen, so it can count once it has lasted
 * `transientGraceMs`. Feed it all current failures of the new pods on every change.
 */
export class FailureTracker {
  private readonly firstSeen = new Map<string, number>()

  constructor(private readonly options: FailFastOptions = DEFAULT_FAIL_FAST) {}

  update(observed: PodFailure[], now: number): FailFastVerdict {
    const current = new Set<string>()
    const counting: PodFailure[] = []
    let recheckInMs: number | undefined
    for (const failure of observed) {
      const key = failureKey(failure)
      current.add(key)
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, now)
      if (failure.definitive) {
        counting.push(failure)
        continue
      }
      const remaining = this.firstSeen.get(key)! + this.options.transientGraceMs - now
      if (remaining <= 0) counting.push(failure)
      else recheckInMs = Math.min(recheckInMs ?? Infinity, remaining)
    }
    for (const key of [...this.firstSeen.keys()]) if (!current.has(key)) this.firstSeen.delete(key)

    const pods = new Set(counting.map((f) => f.pod))
    const failed = this.options.enabled && pods.size >= Math.max(1, this.options.podsFailing)
    const verdict: FailFastVerdict = {
      failed,
      counting,
      observed,
      message: failed ? describeFailures(counting) : ''
    }
    if (!failed && this.options.enabled && recheckInMs !== undefined) verdict.recheckInMs = recheckInMs
    return verdict
  }
}

/** "new pod api-5d9-x7k: container app: CrashLoopBackOff (back-off 10s ...; last exit: OOMKilled, code 137; 4 restarts)" */
export function describeFailure(failure: PodFailure): string {
  const where = failure.container
    ? `${failure.initContainer ? 'init container' : 'container'} ${failure.container}: `
    : ''
  const details: string[] = []
  if (failure.message) details.push(failure.message)
  if (failure.lastTerminated) {
    const t = failure.lastTerminated
    details.push(
      `last exit: ${t.reason ?? 'terminated'}${t.exitCode !== undefined ? `, code ${t.exitCode}` : ''}`
    )
  }
  if (failure.restartCount && failure.reason !== RESTART_THRESHOLD_REASON)
    details.push(`${failure.restartCount} restart${failure.restartCount === 1 ? '' : 's'}`)
  return `pod ${failure.pod}: ${where}${failure.reason}${details.length ? ` (${details.join('; ')})` : ''}`
}

export function describeFailures(failures: PodFailure[]): string {
  const pods = new Set(failures.map((f) => f.pod)).size
  const shown = failures.slice(0, 5).map(describeFailure)
  const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : ''
  return `${pods} new pod${pods === 1 ? ' is' : 's are'} failing: ${shown.join('; ')}${more}`
}

function failureKey(f: PodFailure): string {
  return `${f.pod}\u0000${f.initContainer ? 'init:' : ''}${f.container ?? ''}\u0000${f.reason}`
}

function compareFailures(a: PodFailure, b: PodFailure): number {
  return compareCodeUnits(a.pod, b.pod) || compareCodeUnits(a.container ?? '', b.container ?? '')
}
