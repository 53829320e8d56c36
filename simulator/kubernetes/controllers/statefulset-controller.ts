/**
 * The StatefulSet controller (pkg/controller/statefulset, stateful_set_control.go): pods
 * `<set>-0..n-1` created in order (OrderedReady waits for each to be Running and Ready;
 * Parallel does not), scaled down from the highest ordinal, and rolling updates that delete
 * the highest-ordinal pod not at the update revision, one at a time, down to the partition.
 * Pods below the partition are recreated at the current revision. Status reports
 * currentRevision/updateRevision; they become equal once every pod is updated and ready.
 * A create the apiserver refuses (quota, Pod Security) gives a FailedCreate Warning event on the
 * set, retried after a growing back-off; the StatefulSet has no condition for it.
 */
import { ApiError } from '../api-errors.js'
import { clone, deepEqual } from '../json-values.js'
import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../kube-types.js'
import type { Controller, ControllerContext } from './controller-context.js'
import { CreateBackoff } from './create-backoff.js'
import {
  ownedRevisions,
  syncUpdateRevision,
  templateOfRevision,
  truncateHistory
} from './controller-revisions.js'
import { byController, controllerRef, isPodAvailable, isPodReady, isRunningAndReady } from './pod-health.js'
import { omitZero } from './status-fields.js'

const revisionLabel = 'controller-revision-hash'

function ordinalOf(set: StatefulSet, pod: Pod): number {
  const match = new RegExp(`^${set.metadata.name}-(\\d+)$`).exec(pod.metadata.name ?? '')
  return match ? Number(match[1]) : -1
}

export class StatefulSetController implements Controller {
  private readonly backoff = new CreateBackoff()

  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    const podsOf = byController(ops.peekAll(types.pods) as Pod[])
    for (const set of ops.peekAll(types.statefulsets) as StatefulSet[]) {
      if (set.metadata.deletionTimestamp) continue
      const pods = podsOf(set).filter(
        (p) => p.metadata.namespace === set.metadata.namespace && ordinalOf(set, p) >= 0
      )
      this.syncSet(set, pods)
    }
  }

  private syncSet(set: StatefulSet, pods: Pod[]): void {
    const { ops, types } = this.ctx
    const updateRevision = syncUpdateRevision(this.ctx, set)
    const revisions = ownedRevisions(this.ctx, set)
    const currentName =
      (set.status?.['currentRevision'] as string | undefined) ?? updateRevision.metadata.name!
    const currentRevision = revisions.find((cr) => cr.metadata.name === currentName) ?? updateRevision

    const replicas = set.spec.replicas ?? 1
    const monotonic = set.spec.podManagementPolicy !== 'Parallel'
    const rolling = set.spec.updateStrategy?.type !== 'OnDelete'
    const partition = rolling ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0
    const byOrdinal = new Map<number, Pod>()
    for (const pod of pods) byOrdinal.set(ordinalOf(set, pod), pod)

    const status = (current: Map<number, Pod>): void =>
      this.writeStatus(set, current, currentRevision, updateRevision)
    const live = (): void => {
      const used = new Set<string>([currentRevision.metadata.name!, updateRevision.metadata.name!])
      for (const pod of byOrdinal.values()) {
        const label = pod.metadata.labels?.[revisionLabel]
        if (label) used.add(label)
      }
      truncateHistory(this.ctx, set, used, set.spec.revisionHistoryLimit ?? 10)
    }

    // Replace failed pods and create missing ones, in ordinal order.
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal)
      if (pod && pod.status?.phase === 'Failed') {
        ops.delete(types.pods, pod.metadata.namespace, pod.metadata.name!)
        byOrdinal.delete(ordinal)
      }
      if (!byOrdinal.has(ordinal)) {
        const useCurrent = rolling
          ? ordinal < partition
          : ordinal < ((set.status?.['currentReplicas'] as number) ?? 0)
        const revision = useCurrent ? currentRevision : updateRevision
        const created = this.createPod(set, ordinal, revision)
        if (created) byOrdinal.set(ordinal, created)
        if (monotonic) {
          status(byOrdinal)
          return
        }
        continue
      }
      if (monotonic && !isRunningAndReady(byOrdinal.get(ordinal)!)) {
        status(byOrdinal)
        return
      }
    }

    // Scale down from the highest ordinal, one at a time when ordered.
    const condemned = [...byOrdinal.keys()].filter((o) => o >= replicas).sort((a, b) => b - a)
    for (const ordinal of condemned) {
      if (monotonic && [...byOrdinal.values()].some((p) => !isRunningAndReady(p))) break
      this.deletePod(set, byOrdinal.get(ordinal)!)
      byOrdinal.delete(ordinal)
      if (monotonic) break
    }

    // Rolling update: the highest ordinal not at the update revision goes first.
    if (rolling && condemned.length === 0) {
      for (let ordinal = replicas - 1; ordinal >= partition; ordinal--) {
        const pod = byOrdinal.get(ordinal)
        if (!pod) break
        if (pod.metadata.labels?.[revisionLabel] !== updateRevision.metadata.name) {
          this.deletePod(set, pod)
          byOrdinal.delete(ordinal)
          break
        }
        if (!isRunningAndReady(pod)) break
      }
    }
    status(byOrdinal)
    live()
  }

  private createPod(set: StatefulSet, ordinal: number, revision: ControllerRevision): Pod | undefined {
    if (this.backoff.waiting(set.metadata.uid!, this.ctx.now())) return undefined
    const template: PodTemplateSpec = templateOfRevision(revision)
    const name = `${set.metadata.name}-${ordinal}`
    const spec = clone(template.spec)
    spec['hostname'] = name
    if (set.spec.serviceName) spec['subdomain'] = set.spec.serviceName
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: set.metadata.namespace,
        labels: {
          ...template.metadata?.labels,
          [revisionLabel]: revision.metadata.name!,
          'statefulset.kubernetes.io/pod-name': name,
          'apps.kubernetes.io/pod-index': String(ordinal)
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [controllerRef(set)]
      },
      spec
    }
    try {
      const created = this.ctx.ops.create(this.ctx.types.pods, set.metadata.namespace, pod) as Pod
      this.backoff.succeeded(set.metadata.uid!)
      this.ctx.events.record(
        set,
        'Normal',
        'SuccessfulCreate',
        `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
        {
          component: 'statefulset-controller'
        }
      )
      return created
    } catch (error) {
      // stateful_pod_control.go recordPodEvent: the refusal as a Warning event on the set (no condition).
      const failure = error instanceof ApiError ? error.message : String(error)
      this.backoff.failed(set.metadata.uid!, this.ctx.now())
      this.ctx.events.record(
        set,
        'Warning',
        'FailedCreate',
        `Create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${failure}`,
        { component: 'statefulset-controller' }
      )
      return undefined
    }
  }

  private deletePod(set: StatefulSet, pod: Pod): void {
    this.ctx.ops.delete(this.ctx.types.pods, pod.metadata.namespace, pod.metadata.name!)
    this.ctx.events.record(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      { component: 'statefulset-controller' }
    )
  }

  private writeStatus(
    set: StatefulSet,
    pods: Map<number, Pod>,
    currentRevision: ControllerRevision,
    updateRevision: ControllerRevision
  ): void {
    const all = [...pods.values()]
    const now = this.ctx.now()
    const minReady = set.spec.minReadySeconds ?? 0
    const withRevision = (name: string): number =>
      all.filter((p) => p.metadata.labels?.[revisionLabel] === name).length
    let currentReplicas = withRevision(currentRevision.metadata.name!)
    let current = currentRevision.metadata.name!
    const updatedReplicas = withRevision(updateRevision.metadata.name!)
    const readyReplicas = all.filter(isPodReady).length
    // completeRollingUpdate: once every pod is updated and ready, the update becomes current.
    if (
      set.spec.updateStrategy?.type !== 'OnDelete' &&
      updatedReplicas === all.length &&
      readyReplicas === all.length
    ) {
      currentReplicas = updatedReplicas
      current = updateRevision.metadata.name!
    }
    const status = {
      ...omitZero(
        {
          observedGeneration: set.metadata.generation,
          replicas: all.length,
          readyReplicas,
          currentReplicas,
          updatedReplicas
        },
        ['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas']
      ),
      replicas: all.length,
      availableReplicas: all.filter((p) => isPodAvailable(p, minReady, now)).length,
      currentRevision: current,
      updateRevision: updateRevision.metadata.name!,
      collisionCount: 0
    }
    const latest = this.ctx.ops.peek(this.ctx.types.statefulsets, set.metadata.namespace, set.metadata.name!)
    if (!latest || deepEqual(latest['status'], status)) return
    this.ctx.ops.update(
      this.ctx.types.statefulsets,
      set.metadata.namespace,
      set.metadata.name!,
      { ...clone(latest), status },
      { subresource: 'status' }
    )
  }
}
