/**
 * The DaemonSet controller (pkg/controller/daemon): one pod per simulated node, pinned with
 * the node-affinity term the real controller uses, labelled with the template hash
 * (`controller-revision-hash`) and `pod-template-generation`. A RollingUpdate replaces old
 * pods: unavailable old pods at once, available ones within maxUnavailable (maxSurge is not
 * simulated). Status counts per node as the real controller does. A create the apiserver
 * refuses gives a FailedCreate Warning event ("Error creating: ..."), retried after a back-off.
 */
import { ApiError } from '../api-errors.js'
import { clone, deepEqual } from '../json-values.js'
import type { DaemonSet, KubeObject, Pod } from '../kube-types.js'
import { randomSuffix } from '../random-names.js'
import type { Controller, ControllerContext } from './controller-context.js'
import { CreateBackoff } from './create-backoff.js'
import { syncUpdateRevision, truncateHistory } from './controller-revisions.js'
import { scaledValue } from './int-or-percent.js'
import { byController, controllerRef, isPodActive, isPodAvailable, isPodReady } from './pod-health.js'
import { omitZero } from './status-fields.js'

const hashLabel = 'controller-revision-hash'

function targetNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName
  const affinity = pod.spec.affinity as
    | {
        nodeAffinity?: {
          requiredDuringSchedulingIgnoredDuringExecution?: {
            nodeSelectorTerms?: Array<{ matchFields?: Array<{ values?: string[] }> }>
          }
        }
      }
    | undefined
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]
    ?.matchFields?.[0]?.values?.[0]
}

export class DaemonSetController implements Controller {
  private readonly backoff = new CreateBackoff()

  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    const nodes = (ops.peekAll(types.nodes) as KubeObject[]).map((n) => n.metadata.name!)
    const podsOf = byController(ops.peekAll(types.pods) as Pod[])
    for (const ds of ops.peekAll(types.daemonsets) as DaemonSet[]) {
      if (ds.metadata.deletionTimestamp) continue
      const pods = podsOf(ds).filter((p) => p.metadata.namespace === ds.metadata.namespace && isPodActive(p))
      this.syncDaemonSet(ds, pods, nodes)
    }
  }

  private syncDaemonSet(ds: DaemonSet, pods: Pod[], nodes: string[]): void {
    const revision = syncUpdateRevision(this.ctx, ds)
    const hash = revision.metadata.labels?.['controller.kubernetes.io/hash'] ?? ''
    const now = this.ctx.now()
    const minReady = ds.spec.minReadySeconds ?? 0
    const byNode = new Map<string, Pod[]>()
    for (const pod of pods) {
      const node = targetNode(pod)
      if (!node || !nodes.includes(node)) {
        this.deletePod(ds, pod)
        continue
      }
      byNode.set(node, [...(byNode.get(node) ?? []), pod])
    }
    for (const node of nodes) {
      const onNode = byNode.get(node) ?? []
      if (onNode.length === 0) {
        const created = this.createPod(ds, node, hash)
        if (created) byNode.set(node, [created])
      } else if (onNode.length > 1) {
        // More than one pod on a node: keep the oldest, like the real controller.
        const [keep, ...extra] = [...onNode].sort((a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
        )
        for (const pod of extra) this.deletePod(ds, pod)
        byNode.set(node, [keep!])
      }
    }

    if (ds.spec.updateStrategy?.type !== 'OnDelete') {
      const maxUnavailable = Math.max(
        1,
        scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, nodes.length, true)
      )
      let unavailable = nodes.filter((n) => {
        const pod = byNode.get(n)?.[0]
        return !pod || !isPodAvailable(pod, minReady, now)
      }).length
      for (const node of [...nodes].sort()) {
        const pod = byNode.get(node)?.[0]
        if (!pod || pod.metadata.labels?.[hashLabel] === hash) continue
        const available = isPodAvailable(pod, minReady, now)
        if (available) {
          if (unavailable >= maxUnavailable) continue
          unavailable++
        }
        this.deletePod(ds, pod)
        byNode.delete(node)
      }
    }
    truncateHistory(this.ctx, ds, new Set([revision.metadata.name!]), ds.spec.revisionHistoryLimit ?? 10)
    this.writeStatus(ds, byNode, nodes, hash)
  }

  private createPod(ds: DaemonSet, node: string, hash: string): Pod | undefined {
    if (this.backoff.waiting(ds.metadata.uid!, this.ctx.now())) return undefined
    const template = clone(ds.spec.template)
    const prefix = `${ds.metadata.name}-`
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${prefix}${randomSuffix()}`,
        generateName: prefix,
        namespace: ds.metadata.namespace,
        labels: {
          ...template.metadata?.labels,
          [hashLabel]: hash,
          'pod-template-generation': String(ds.metadata.generation ?? 1)
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [controllerRef(ds)]
      },
      spec: {
        ...template.spec,
        affinity: {
          ...(template.spec.affinity ?? {}),
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }]
            }
          }
        }
      }
    }
    try {
      const created = this.ctx.ops.create(this.ctx.types.pods, ds.metadata.namespace, pod) as Pod
      this.backoff.succeeded(ds.metadata.uid!)
      this.ctx.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, {
        component: 'daemonset-controller'
      })
      return created
    } catch (error) {
      // RealPodControl.CreatePods: the refusal as a Warning event on the DaemonSet (no condition).
      const failure = error instanceof ApiError ? error.message : String(error)
      this.backoff.failed(ds.metadata.uid!, this.ctx.now())
      this.ctx.events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${failure}`, {
        component: 'daemonset-controller'
      })
      return undefined
    }
  }

  private deletePod(ds: DaemonSet, pod: Pod): void {
    this.ctx.ops.delete(this.ctx.types.pods, pod.metadata.namespace, pod.metadata.name!)
    this.ctx.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, {
      component: 'daemonset-controller'
    })
  }

  private writeStatus(ds: DaemonSet, byNode: Map<string, Pod[]>, nodes: string[], hash: string): void {
    const now = this.ctx.now()
    const minReady = ds.spec.minReadySeconds ?? 0
    const scheduled = nodes.map((n) => byNode.get(n)?.[0]).filter((p): p is Pod => p !== undefined)
    const numberAvailable = scheduled.filter((p) => isPodAvailable(p, minReady, now)).length
    const status = {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: 0,
      desiredNumberScheduled: nodes.length,
      numberReady: scheduled.filter(isPodReady).length,
      ...omitZero(
        {
          observedGeneration: ds.metadata.generation,
          updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[hashLabel] === hash).length,
          numberAvailable,
          numberUnavailable: nodes.length - numberAvailable
        },
        ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']
      )
    }
    const latest = this.ctx.ops.peek(this.ctx.types.daemonsets, ds.metadata.namespace, ds.metadata.name!)
    if (!latest || deepEqual(latest['status'], status)) return
    this.ctx.ops.update(
      this.ctx.types.daemonsets,
      ds.metadata.namespace,
      ds.metadata.name!,
      { ...clone(latest), status },
      { subresource: 'status' }
    )
  }
}
