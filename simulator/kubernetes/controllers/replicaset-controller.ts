/**
 * The ReplicaSet controller: keeps `spec.replicas` pods (named `<rs>-<5 chars>`) alive for
 * each ReplicaSet and reports replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas and observedGeneration. Surplus pods are removed least useful first
 * (not ready, then newest), as controller.ActivePods orders them. A pod create the apiserver
 * refuses (quota, Pod Security) gives a `FailedCreate` Warning event, the `ReplicaFailure`
 * condition (kept until a sync succeeds), and a retry after a growing back-off.
 */
import { ApiError } from '../api-errors.js'
import type { Condition, Pod, ReplicaSet } from '../kube-types.js'
import { fromLabelSelector, matches } from '../label-selector.js'
import { randomSuffix } from '../random-names.js'
import { clone, deepEqual } from '../json-values.js'
import { formatTime } from '../time-format.js'
import type { Controller, ControllerContext } from './controller-context.js'
import { byController, controllerRef, isPodActive, isPodAvailable, isPodReady } from './pod-health.js'

/** Retry back-off after failed creates: 10 ms doubling to 1 s (real: 5 ms doubling to 1000 s). */
const firstRetryMs = 10
const maxRetryMs = 1000

export class ReplicaSetController implements Controller {
  private readonly retries = new Map<string, { failures: number; notBefore: number }>()

  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    const podsOf = byController(ops.peekAll(types.pods) as Pod[])
    for (const rs of ops.peekAll(types.replicasets) as ReplicaSet[]) {
      if (rs.metadata.deletionTimestamp) continue
      const owned = podsOf(rs).filter((p) => p.metadata.namespace === rs.metadata.namespace && isPodActive(p))
      this.reconcile(rs, owned)
    }
  }

  private reconcile(rs: ReplicaSet, pods: Pod[]): void {
    const { ops, types, events } = this.ctx
    const wanted = rs.spec.replicas ?? 1
    let current = pods
    let failure: string | undefined
    const retry = this.retries.get(rs.metadata.uid!)
    const waiting = retry !== undefined && this.ctx.now() < retry.notBefore
    if (pods.length < wanted && !waiting) {
      for (let i = pods.length; i < wanted; i++) {
        const pod = this.newPod(rs)
        try {
          const created = ops.create(types.pods, rs.metadata.namespace, pod) as Pod
          current = [...current, created]
          events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, {
            component: 'replicaset-controller'
          })
        } catch (error) {
          // Like slowStartBatch: the first refused create ends this sync's creates.
          failure = error instanceof ApiError ? error.message : String(error)
          events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${failure}`, {
            component: 'replicaset-controller'
          })
          break
        }
      }
      this.noteOutcome(rs, failure)
    } else if (pods.length > wanted) {
      const doomed = [...pods].sort(deletionOrder).slice(0, pods.length - wanted)
      for (const pod of doomed) {
        ops.delete(types.pods, pod.metadata.namespace, pod.metadata.name!)
        events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, {
          component: 'replicaset-controller'
        })
      }
      const gone = new Set(doomed.map((p) => p.metadata.uid))
      current = pods.filter((p) => !gone.has(p.metadata.uid))
      this.noteOutcome(rs, undefined)
    } else if (!waiting) {
      this.noteOutcome(rs, undefined)
    }
    const templateLabels = rs.spec.template.metadata?.labels ?? {}
    const labelled = fromLabelSelector({ matchLabels: templateLabels })
    const minReady = rs.spec.minReadySeconds ?? 0
    const now = this.ctx.now()
    const status = {
      ...rs.status,
      replicas: current.length,
      fullyLabeledReplicas: current.filter((p) => matches(labelled, p.metadata.labels)).length,
      readyReplicas: current.filter(isPodReady).length,
      availableReplicas: current.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation
    }
    const conditions = this.conditions(rs, failure, waiting, now)
    if (conditions.length > 0) status.conditions = conditions
    else delete status.conditions
    if (deepEqual(rs.status, status)) return
    ops.update(
      types.replicasets,
      rs.metadata.namespace,
      rs.metadata.name!,
      { ...rs, status },
      { subresource: 'status' }
    )
  }

  /**
   * calculateStatus: a failed manageReplicas sets ReplicaFailure (reason FailedCreate, the
   * apiserver's message) unless one is already there; a successful one removes it.
   */
  private conditions(
    rs: ReplicaSet,
    failure: string | undefined,
    waiting: boolean,
    now: number
  ): Condition[] {
    const existing = rs.status?.conditions ?? []
    const current = existing.find((c) => c.type === 'ReplicaFailure')
    if (failure !== undefined && !current) {
      return [
        ...existing,
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: failure,
          lastTransitionTime: formatTime(now)
        }
      ]
    }
    if (failure === undefined && !waiting && current) return existing.filter((c) => c !== current)
    return existing
  }

  private noteOutcome(rs: ReplicaSet, failure: string | undefined): void {
    const uid = rs.metadata.uid!
    if (failure === undefined) {
      this.retries.delete(uid)
      return
    }
    const failures = (this.retries.get(uid)?.failures ?? 0) + 1
    const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** (failures - 1))
    this.retries.set(uid, { failures, notBefore: this.ctx.now() + delay })
  }

  private newPod(rs: ReplicaSet): Pod {
    const template = clone(rs.spec.template)
    const prefix = `${rs.metadata.name}-`
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${prefix}${randomSuffix()}`,
        generateName: prefix,
        namespace: rs.metadata.namespace,
        labels: template.metadata?.labels ?? {},
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [controllerRef(rs)]
      },
      spec: template.spec
    }
  }
}

/** Unscheduled, then pending, then not ready, then the newest: removed first. */
function deletionOrder(a: Pod, b: Pod): number {
  const rank = (p: Pod): number =>
    (p.spec.nodeName ? 1 : 0) * 4 + (p.status?.phase === 'Running' ? 1 : 0) * 2 + (isPodReady(p) ? 1 : 0)
  const byRank = rank(a) - rank(b)
  if (byRank !== 0) return byRank
  const created = (p: Pod): string => p.metadata.creationTimestamp ?? ''
  return created(b).localeCompare(created(a)) || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '')
}
