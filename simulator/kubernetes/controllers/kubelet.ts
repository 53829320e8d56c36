/**
 * The scheduler and the kubelets of the simulated nodes. Unscheduled pods are bound to a
 * node (round robin, or the node a DaemonSet pod's affinity names); bound pods get the
 * status their containers' image behaviours dictate at this moment, with the events a
 * kubelet emits when containers change step.
 */
import type { ImageBehaviour } from '../simulator-types.js'
import type { Condition, Container, ContainerStatus, KubeObject, Pod, PodStatus } from '../kube-types.js'
import { deepEqual } from '../json-values.js'
import { sha256Hex } from '../random-names.js'
import { formatTime } from '../time-format.js'
import { containerAt, type ContainerIdentity, type ContainerMoment } from './container-timeline.js'
import type { Controller, ControllerContext } from './controller-context.js'

interface ContainerRuntime {
  image: string
  behaviour: ImageBehaviour
  startMs: number
  lastKey?: string
  lastEvaluatedAt?: number
}

/** Sampling step and limit when catching up on steps a container passed between two ticks. */
const catchUpStepMs = 5
const catchUpMaxSamples = 400

interface PodRuntime {
  /** containerID per container name and run, computed once. */
  containerIds: Map<string, string>
  scheduledAt: number
  podIP: string
  init: Map<string, ContainerRuntime>
  main: Map<string, ContainerRuntime>
}

export interface SimulatedNode {
  name: string
  ip: string
}

export class Kubelet implements Controller {
  private readonly runtimes = new Map<string, PodRuntime>()
  private nextNode = 0
  private nextPodIp = 1

  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodes: SimulatedNode[]
  ) {}

  sync(): void {
    const pods = this.ctx.ops.peekAll(this.ctx.types.pods) as Pod[]
    const alive = new Set(pods.map((p) => p.metadata.uid!))
    for (const uid of this.runtimes.keys()) if (!alive.has(uid)) this.runtimes.delete(uid)
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue
      const bound = pod.spec.nodeName ? pod : this.schedule(pod)
      if (bound) this.updateStatus(bound)
    }
  }

  private schedule(pod: Pod): Pod | undefined {
    const node = this.pickNode(pod)
    if (!node) return undefined
    const { ops, types } = this.ctx
    const bound = ops.update(types.pods, pod.metadata.namespace, pod.metadata.name!, {
      ...pod,
      spec: { ...pod.spec, nodeName: node.name }
    }) as Pod
    this.ctx.events.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.name}`,
      { component: 'default-scheduler' }
    )
    return bound
  }

  private pickNode(pod: Pod): SimulatedNode | undefined {
    const affinity = pod.spec.affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: {
              nodeSelectorTerms?: Array<{ matchFields?: Array<{ key: string; values?: string[] }> }>
            }
          }
        }
      | undefined
    const fields =
      affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]
        ?.matchFields
    const wanted = fields?.find((f) => f.key === 'metadata.name')?.values?.[0]
    if (wanted) return this.nodes.find((n) => n.name === wanted)
    if (this.nodes.length === 0) return undefined
    return this.nodes[this.nextNode++ % this.nodes.length]
  }

  private runtimeOf(pod: Pod): PodRuntime {
    let runtime = this.runtimes.get(pod.metadata.uid!)
    if (!runtime) {
      const nodeIndex = Math.max(
        0,
        this.nodes.findIndex((n) => n.name === pod.spec.nodeName)
      )
      const host = this.nextPodIp++
      runtime = {
        containerIds: new Map(),
        scheduledAt: this.ctx.now(),
        podIP: `10.244.${nodeIndex}.${(host % 250) + 2}`,
        init: new Map(),
        main: new Map()
      }
      this.runtimes.set(pod.metadata.uid!, runtime)
    }
    return runtime
  }

  private containerRuntime(
    table: Map<string, ContainerRuntime>,
    container: Container,
    startMs: number,
    allowRestartOnImageChange: boolean
  ): ContainerRuntime {
    const image = container.image ?? ''
    let runtime = table.get(container.name)
    if (!runtime || (allowRestartOnImageChange && runtime.image !== image)) {
      // A changed image (pods allow image updates) restarts the container with the new image.
      runtime = {
        image,
        behaviour: this.ctx.images.behaviourOf(image),
        startMs: runtime ? this.ctx.now() : startMs
      }
      table.set(container.name, runtime)
    }
    return runtime
  }

  private updateStatus(pod: Pod): void {
    const runtime = this.runtimeOf(pod)
    const now = this.ctx.now()
    const node = this.nodes.find((n) => n.name === pod.spec.nodeName)
    const identity = (c: Container, runsToCompletion: boolean): ContainerIdentity => ({
      name: c.name,
      image: c.image ?? '',
      podName: pod.metadata.name!,
      namespace: pod.metadata.namespace!,
      podUid: pod.metadata.uid!,
      pullPolicy: c.imagePullPolicy ?? 'IfNotPresent',
      runsToCompletion
    })

    // Init containers run one after another; each starts when the previous one is done.
    const initStatuses: ContainerStatus[] = []
    const incompleteInit: string[] = []
    let cursor: number | undefined = runtime.scheduledAt
    for (const container of pod.spec.initContainers ?? []) {
      if (cursor === undefined) {
        incompleteInit.push(container.name)
        initStatuses.push(this.pendingStatus(container, 'PodInitializing'))
        continue
      }
      const sidecar = container.restartPolicy === 'Always'
      const cr = this.containerRuntime(runtime.init, container, cursor, false)
      const moment = this.advance(
        pod,
        cr,
        identity(container, !sidecar),
        now,
        `spec.initContainers{${container.name}}`
      )
      initStatuses.push(this.statusOf(pod, container, moment))
      if (moment.completed) {
        cursor = moment.completedAt
      } else if (sidecar && moment.started) {
        cursor = cr.startMs + (cr.behaviour.kind === 'ready' ? (cr.behaviour.delayMs ?? 20) : 0)
      } else {
        incompleteInit.push(container.name)
        cursor = undefined
      }
    }
    const initialized = cursor !== undefined

    const statuses: ContainerStatus[] = []
    const unready: string[] = []
    let anyStarted = false
    for (const container of pod.spec.containers) {
      if (!initialized) {
        unready.push(container.name)
        statuses.push(this.pendingStatus(container, 'PodInitializing'))
        continue
      }
      const cr = this.containerRuntime(runtime.main, container, cursor!, true)
      const moment = this.advance(
        pod,
        cr,
        identity(container, false),
        now,
        `spec.containers{${container.name}}`
      )
      statuses.push(this.statusOf(pod, container, moment))
      if (!moment.ready) unready.push(container.name)
      if (moment.started || moment.restartCount > 0) anyStarted = true
    }

    const ready = unready.length === 0
    const readyDetail = ready
      ? {}
      : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
    const previous = pod.status?.conditions ?? []
    const conditions: Condition[] = [
      condition(
        previous,
        'Initialized',
        initialized,
        now,
        initialized
          ? {}
          : {
              reason: 'ContainersNotInitialized',
              message: `containers with incomplete status: [${incompleteInit.join(' ')}]`
            }
      ),
      condition(previous, 'Ready', ready, now, readyDetail),
      condition(previous, 'ContainersReady', ready, now, readyDetail),
      condition(previous, 'PodScheduled', true, now, {})
    ]
    const status: PodStatus = {
      ...pod.status,
      phase: initialized && anyStarted ? 'Running' : 'Pending',
      conditions,
      ...(node ? { hostIP: node.ip, hostIPs: [{ ip: node.ip }] } : {}),
      podIP: runtime.podIP,
      podIPs: [{ ip: runtime.podIP }],
      startTime: formatTime(runtime.scheduledAt),
      containerStatuses: statuses
    }
    if (initStatuses.length > 0) status.initContainerStatuses = initStatuses
    if (deepEqual(pod.status, status)) return
    const { ops, types } = this.ctx
    ops.update(
      types.pods,
      pod.metadata.namespace,
      pod.metadata.name!,
      { ...pod, status },
      { subresource: 'status' }
    )
  }

  private containerIdOf(pod: Pod, name: string, run: number): string {
    const runtime = this.runtimeOf(pod)
    const key = `${name}/${run}`
    let id = runtime.containerIds.get(key)
    if (id === undefined) {
      id = `containerd://${sha256Hex(`${pod.metadata.uid}/${key}`)}`
      runtime.containerIds.set(key, id)
    }
    return id
  }

  private pendingStatus(container: Container, reason: string): ContainerStatus {
    return {
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason } },
      lastState: {}
    }
  }

  private statusOf(pod: Pod, container: Container, moment: ContainerMoment): ContainerStatus {
    const image = container.image ?? ''
    return {
      name: container.name,
      image,
      imageID: moment.created ? this.ctx.images.imageIdOf(image) : '',
      ...(moment.created ? { containerID: this.containerIdOf(pod, container.name, moment.run) } : {}),
      ready: moment.ready,
      started: moment.started,
      restartCount: moment.restartCount,
      state: moment.state,
      lastState: moment.lastState
    }
  }

  /**
   * The container's moment now, emitting the events of every step it entered since the last
   * tick, in order, so a slow tick does not lose (say) the ErrImagePull before ImagePullBackOff.
   */
  private advance(
    pod: Pod,
    runtime: ContainerRuntime,
    container: ContainerIdentity,
    now: number,
    fieldPath: string
  ): ContainerMoment {
    const moment = containerAt(runtime.behaviour, container, runtime.startMs, now)
    if (runtime.lastKey !== moment.key) {
      const from = runtime.lastEvaluatedAt ?? runtime.startMs
      const samples = Math.min(catchUpMaxSamples, Math.floor((now - from) / catchUpStepMs))
      for (let i = 1; i <= samples; i++) {
        const passed = containerAt(runtime.behaviour, container, runtime.startMs, from + i * catchUpStepMs)
        if (passed.key !== runtime.lastKey && passed.key !== moment.key)
          this.emitEvents(pod, runtime, passed, fieldPath)
      }
      this.emitEvents(pod, runtime, moment, fieldPath)
    }
    runtime.lastEvaluatedAt = now
    return moment
  }

  private emitEvents(
    pod: KubeObject,
    runtime: ContainerRuntime,
    moment: ContainerMoment,
    fieldPath: string
  ): void {
    if (runtime.lastKey === moment.key) return
    runtime.lastKey = moment.key
    const host = (pod as Pod).spec.nodeName
    for (const event of moment.events) {
      this.ctx.events.record(pod, event.type, event.reason, event.message, {
        component: 'kubelet',
        ...(host ? { host } : {}),
        fieldPath
      })
    }
  }
}

function condition(
  previous: Condition[],
  type: string,
  value: boolean,
  now: number,
  detail: { reason?: string; message?: string }
): Condition {
  const status = value ? 'True' : 'False'
  const before = previous.find((c) => c.type === type)
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime:
      before && before.status === status && before.lastTransitionTime
        ? before.lastTransitionTime
        : formatTime(now),
    ...detail
  }
}
