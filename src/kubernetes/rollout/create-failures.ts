import type { CreateFailure } from '../kinds/workload-kinds.js'

/**
 * Failing a rollout early when its controller cannot create its pods at all: the API server
 * refuses them (a ResourceQuota without room, Pod Security admission, an admission webhook, a
 * LimitRange). Without this the rollout waits for the progress deadline (Deployment, default
 * 10 min) or, for kinds without one, for the whole timeout: no pod ever exists to fail fast on.
 * Pure: the caller passes what the kind adapters read (the new ReplicaSet's ReplicaFailure
 * condition, or FailedCreate events on the workload) and the current time.
 *
 * Refusals come in three groups, by the API server's message:
 * - definitive: the pod template itself is refused and will be on every retry: Pod Security
 *   ("violates PodSecurity"), a webhook or ValidatingAdmissionPolicy that denied it, a
 *   LimitRange, an invalid pod, any other "is forbidden". They count at once.
 * - quota ("exceeded quota"): the namespace has no room now, which can change by itself when
 *   pods terminate (a rolling update with maxUnavailable > 0 scales old pods down while the
 *   new ReplicaSet retries, and a terminating pod is charged until it is gone). Counts after
 *   `quotaGraceMs` during which none of the workload's pods was terminating.
 * - transient: the refusal was an outage, not a verdict (a webhook that could not be called,
 *   a timeout, an internal error). Counts after `transientGraceMs`, as pod reasons do.
 */
export type CreateFailureClass = 'definitive' | 'quota' | 'transient'

export interface CreateFailureOptions {
  quotaGraceMs: number
  transientGraceMs: number
}

const QUOTA = /exceeded quota/i
const OUTAGE =
  /failed calling (?:webhook|plugin)|Internal error occurred|the server (?:was unable to return a response|is currently unable)|timed? ?out|timeout|connection refused|no endpoints available|TooManyRequests|too many requests|etcdserver|context deadline exceeded/i
/** A policy's answer: whatever else its message says (a webhook's text is its own). */
const DENIED = /denied the request|denied request|violates PodSecurity/i
const VERDICT = /is forbidden|is invalid/i

export function classifyCreateFailure(message: string): CreateFailureClass {
  if (QUOTA.test(message)) return 'quota'
  if (DENIED.test(message)) return 'definitive'
  if (OUTAGE.test(message)) return 'transient'
  if (VERDICT.test(message)) return 'definitive'
  // A refusal we cannot read: an outage is the cheaper mistake (it still fails after the grace).
  return 'transient'
}

export interface CreateFailureVerdict {
  failed: boolean
  /** What the controllers report now. */
  observed: CreateFailure[]
  /** When a pending failure will have lasted its grace, if one is pending. */
  recheckInMs?: number
  message: string
}

/** Remembers since when each failure has been seen (quota: seen with nothing terminating). */
export class CreateFailureTracker {
  private readonly since = new Map<string, number>()

  constructor(private readonly options: CreateFailureOptions) {}

  /** `podsTerminating`: some pod of the workload is being deleted, which frees quota when it is gone. */
  update(
    observed: CreateFailure[],
    now: number,
    podsTerminating: boolean,
    self?: string
  ): CreateFailureVerdict {
    const current = new Set<string>()
    const counting: CreateFailure[] = []
    let recheckInMs: number | undefined
    for (const failure of observed) {
      const kind = classifyCreateFailure(failure.message)
      const key = `${failure.kind}/${failure.name}\u0000${kind}`
      current.add(key)
      if (!this.since.has(key) || (kind === 'quota' && podsTerminating)) this.since.set(key, now)
      if (kind === 'definitive') {
        counting.push(failure)
        continue
      }
      if (kind === 'quota' && podsTerminating) continue
      const grace = kind === 'quota' ? this.options.quotaGraceMs : this.options.transientGraceMs
      const remaining = this.since.get(key)! + grace - now
      if (remaining <= 0) counting.push(failure)
      else recheckInMs = Math.min(recheckInMs ?? Infinity, remaining)
    }
    for (const key of [...this.since.keys()]) if (!current.has(key)) this.since.delete(key)
    const failed = counting.length > 0
    return {
      failed,
      observed,
      ...(!failed && recheckInMs !== undefined ? { recheckInMs } : {}),
      message: failed ? describeCreateFailures(counting, self) : ''
    }
  }
}

/**
 * "replicaset/api-5d9 cannot create pods: pods "api-5d9-x2x4z" is forbidden: exceeded quota: ... (hint)";
 * "its controller cannot create pods: ..." when the failure is reported on `self`, the workload
 * the message is already about.
 */
export function describeCreateFailure(failure: CreateFailure, self?: string): string {
  const hint = HINTS.find(([pattern]) => pattern.test(failure.message))?.[1]
  const object = `${failure.kind.toLowerCase()}/${failure.name}`
  return `${object === self ? 'its controller' : object} cannot create pods: ${failure.message}${hint ? ` (${hint})` : ''}`
}

export function describeCreateFailures(failures: CreateFailure[], self?: string): string {
  return failures.map((f) => describeCreateFailure(f, self)).join('; ')
}

const HINTS: Array<[RegExp, string]> = [
  [
    QUOTA,
    "the namespace's ResourceQuota has no room for the rollout's pods: raise the quota, or lower maxSurge or the pods' requests"
  ],
  [
    /violates PodSecurity/,
    "the namespace enforces a Pod Security level the pod template does not meet: fix the template's securityContext"
  ]
]
