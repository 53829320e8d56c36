/**
 * The disruption controller (pkg/controller/disruption): PodDisruptionBudget status from the
 * pods the selector matches. currentHealthy counts Ready pods; desiredHealthy comes from
 * minAvailable (an int uses the pod count as expectedPods; a percentage, like
 * maxUnavailable, scales the replicas of the pods' controllers, rounding up);
 * disruptionsAllowed = max(0, currentHealthy - desiredHealthy).
 */
import { clone, deepEqual } from '../json-values.js'
import type {
  Condition,
  Deployment,
  KubeObject,
  Pod,
  PodDisruptionBudget,
  ReplicaSet
} from '../kube-types.js'
import { fromLabelSelector, matches } from '../label-selector.js'
import { formatTime } from '../time-format.js'
import type { Controller, ControllerContext } from './controller-context.js'
import { scaledValue } from './int-or-percent.js'
import { controllerOf, isPodReady } from './pod-health.js'

export class DisruptionController implements Controller {
  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    const pdbs = ops.peekAll(types.poddisruptionbudgets) as PodDisruptionBudget[]
    if (pdbs.length === 0) return
    const pods = ops.peekAll(types.pods) as Pod[]
    for (const pdb of pdbs) {
      const selector = fromLabelSelector(pdb.spec.selector)
      const matching = pods.filter(
        (p) =>
          p.metadata.namespace === pdb.metadata.namespace &&
          !p.metadata.deletionTimestamp &&
          matches(selector, p.metadata.labels)
      )
      this.syncBudget(pdb, matching)
    }
  }

  private syncBudget(pdb: PodDisruptionBudget, pods: Pod[]): void {
    const currentHealthy = pods.filter(isPodReady).length
    let expectedPods = pods.length
    let desiredHealthy = 0
    let failure: string | undefined
    const { minAvailable, maxUnavailable } = pdb.spec
    try {
      if (maxUnavailable !== undefined) {
        expectedPods = this.expectedScale(pods)
        desiredHealthy = Math.max(0, expectedPods - scaledValue(maxUnavailable, expectedPods, true))
      } else if (typeof minAvailable === 'number') {
        desiredHealthy = minAvailable
      } else if (typeof minAvailable === 'string') {
        expectedPods = this.expectedScale(pods)
        desiredHealthy = scaledValue(minAvailable, expectedPods, true)
      }
    } catch (error) {
      failure = (error as Error).message
    }
    const disruptionsAllowed = failure ? 0 : Math.max(0, currentHealthy - desiredHealthy)
    const previous = (pdb.status?.['conditions'] as Condition[] | undefined)?.find(
      (c) => c.type === 'DisruptionAllowed'
    )
    const conditionStatus = disruptionsAllowed > 0 ? 'True' : 'False'
    const reason = failure ? 'SyncFailed' : disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods'
    const condition: Condition = {
      type: 'DisruptionAllowed',
      status: conditionStatus,
      reason,
      message: failure ?? '',
      observedGeneration: pdb.metadata.generation,
      lastTransitionTime:
        previous && previous.status === conditionStatus && previous.lastTransitionTime
          ? previous.lastTransitionTime
          : formatTime(this.ctx.now())
    }
    const status = {
      observedGeneration: pdb.metadata.generation,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      conditions: [condition]
    }
    const latest = this.ctx.ops.peek(
      this.ctx.types.poddisruptionbudgets,
      pdb.metadata.namespace,
      pdb.metadata.name!
    )
    if (!latest || deepEqual(latest['status'], status)) return
    this.ctx.ops.update(
      this.ctx.types.poddisruptionbudgets,
      pdb.metadata.namespace,
      pdb.metadata.name!,
      { ...clone(latest), status },
      { subresource: 'status' }
    )
  }

  /** getExpectedScale: the summed replicas of the controllers (Deployment, StatefulSet, ReplicaSet) of the pods. */
  private expectedScale(pods: Pod[]): number {
    const { ops, types } = this.ctx
    const counted = new Map<string, number>()
    for (const pod of pods) {
      const owner = controllerOf(pod)
      if (!owner) throw new Error(`found no controllers for pod "${pod.metadata.name}"`)
      let scaleOwner: KubeObject | undefined
      if (owner.kind === 'ReplicaSet') {
        const rs = ops.peek(types.replicasets, pod.metadata.namespace, owner.name) as ReplicaSet | undefined
        const deploymentRef = rs ? controllerOf(rs) : undefined
        scaleOwner =
          deploymentRef?.kind === 'Deployment'
            ? (ops.peek(types.deployments, pod.metadata.namespace, deploymentRef.name) as
                Deployment | undefined)
            : rs
      } else if (owner.kind === 'StatefulSet') {
        scaleOwner = ops.peek(types.statefulsets, pod.metadata.namespace, owner.name)
      } else {
        throw new Error(`pods of ${owner.kind} ${owner.name} have no scale to derive expected pods from`)
      }
      if (!scaleOwner) throw new Error(`found no controllers for pod "${pod.metadata.name}"`)
      const replicas = ((scaleOwner['spec'] as { replicas?: number } | undefined)?.replicas ?? 1) as number
      counted.set(scaleOwner.metadata.uid!, replicas)
    }
    return [...counted.values()].reduce((sum, n) => sum + n, 0)
  }
}
