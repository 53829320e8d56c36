/**
 * The Deployment controller, following pkg/controller/deployment (rolling.go, recreate.go,
 * sync.go, progress.go and util/deployment_util.go): finds or creates the ReplicaSet for the
 * current pod template (`<deployment>-<pod-template-hash>`), keeps the revision annotations,
 * scales new and old ReplicaSets within maxSurge/maxUnavailable, computes status with the
 * Available and Progressing conditions (including ProgressDeadlineExceeded), and garbage
 * collects old ReplicaSets beyond revisionHistoryLimit.
 */
import { canonicalJson, clone, deepEqual } from '../json-values.js'
import type {
  Condition,
  Deployment,
  DeploymentStatus,
  Pod,
  PodTemplateSpec,
  ReplicaSet
} from '../kube-types.js'
import { templateHash } from '../random-names.js'
import { formatTime, parseTime } from '../time-format.js'
import type { Controller, ControllerContext } from './controller-context.js'
import { scaledValue } from './int-or-percent.js'
import { byController, controllerRef, isPodActive } from './pod-health.js'
import { omitZero } from './status-fields.js'

export const revisionAnnotation = 'deployment.kubernetes.io/revision'
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history'
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas'
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas'
export const podTemplateHashLabel = 'pod-template-hash'

/** Annotations the controller never copies from a Deployment to its ReplicaSets. */
const notCopied = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to'
])

const reasons = {
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable'
}

const maxRevisionHistoryChars = 2000

function replicasOf(object: { spec: { replicas?: number } }): number {
  return object.spec.replicas ?? 1
}

function revisionOf(rs: ReplicaSet): number {
  const value = Number.parseInt(rs.metadata.annotations?.[revisionAnnotation] ?? '', 10)
  return Number.isNaN(value) ? 0 : value
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const at = a.metadata.creationTimestamp ?? ''
  const bt = b.metadata.creationTimestamp ?? ''
  return at === bt ? (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '') : at < bt ? -1 : 1
}

/**
 * Canonical JSON of a template without the pod-template-hash label (and without labels or
 * metadata left empty, which Go's semantic equality treats as equal to absent). Stored
 * objects are never modified in place, so the text is cached per template object.
 */
const templateKeys = new WeakMap<PodTemplateSpec, string>()

function templateKey(template: PodTemplateSpec): string {
  let key = templateKeys.get(template)
  if (key === undefined) {
    const copy = clone(template)
    if (copy.metadata?.labels) {
      delete copy.metadata.labels[podTemplateHashLabel]
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels
    }
    if (copy.metadata && Object.keys(copy.metadata).length === 0) delete copy.metadata
    key = canonicalJson(copy)
    templateKeys.set(template, key)
  }
  return key
}

/** deploymentutil.EqualIgnoreHash */
export function templatesEqualIgnoringHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return templateKey(a) === templateKey(b)
}

function maxSurge(d: Deployment): number {
  if (d.spec.strategy?.type !== 'RollingUpdate') return 0
  const rolling = d.spec.strategy.rollingUpdate ?? {}
  return scaledValue(rolling.maxSurge ?? '25%', replicasOf(d), true)
}

function maxUnavailable(d: Deployment): number {
  if (d.spec.strategy?.type !== 'RollingUpdate' || replicasOf(d) === 0) return 0
  const rolling = d.spec.strategy.rollingUpdate ?? {}
  const surge = scaledValue(rolling.maxSurge ?? '25%', replicasOf(d), true)
  let unavailable = scaledValue(rolling.maxUnavailable ?? '25%', replicasOf(d), false)
  if (surge === 0 && unavailable === 0) unavailable = 1
  return Math.min(unavailable, replicasOf(d))
}

function hasProgressDeadline(d: Deployment): boolean {
  return d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647
}

function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type)
}

/** deploymentutil.SetDeploymentCondition: same status and reason is a no-op. */
function setCondition(status: DeploymentStatus, condition: Condition): void {
  const current = getCondition(status, condition.type)
  if (current && current.status === condition.status && current.reason === condition.reason) return
  if (current && current.status === condition.status)
    condition.lastTransitionTime = current.lastTransitionTime
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition]
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else any old one's. */
function replicaFailure(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Condition | undefined {
  const failureOf = (rs: ReplicaSet) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure')
  return (newRS && failureOf(newRS)) ?? allRSs.map(failureOf).find((c) => c !== undefined)
}

function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type)
}

export class DeploymentController implements Controller {
  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    const replicaSetsOf = byController(ops.peekAll(types.replicasets) as ReplicaSet[])
    const pods = ops.peekAll(types.pods) as Pod[]
    for (const d of ops.peekAll(types.deployments) as Deployment[]) {
      if (d.metadata.deletionTimestamp) continue
      const owned = replicaSetsOf(d).filter(
        (rs) => rs.metadata.namespace === d.metadata.namespace && !rs.metadata.deletionTimestamp
      )
      this.syncDeployment(d, owned, pods)
    }
  }

  private now(): number {
    return this.ctx.now()
  }

  private condition(type: string, status: Condition['status'], reason: string, message: string): Condition {
    const now = formatTime(this.now())
    return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message }
  }

  private syncDeployment(d: Deployment, rsList: ReplicaSet[], pods: Pod[]): void {
    d = this.checkPausedConditions(d)
    if (d.spec.paused) {
      const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, rsList, false)
      d = this.latest(d)
      this.writeStatus(d, this.calculateStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d))
      return
    }
    if (d.spec.strategy?.type === 'Recreate') this.rolloutRecreate(d, rsList, pods)
    else this.rolloutRolling(d, rsList)
  }

  private latest(d: Deployment): Deployment {
    return (
      (this.ctx.ops.peek(this.ctx.types.deployments, d.metadata.namespace, d.metadata.name!) as Deployment) ??
      d
    )
  }

  private checkPausedConditions(d: Deployment): Deployment {
    if (!hasProgressDeadline(d)) return d
    const current = getCondition(d.status, 'Progressing')
    if (current?.reason === reasons.timedOut) return d
    const pausedExists = current?.reason === reasons.paused
    if (Boolean(d.spec.paused) === pausedExists) return d
    const status = clone(d.status ?? {})
    if (d.spec.paused && !pausedExists) {
      setCondition(status, this.condition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused'))
    } else if (!d.spec.paused && pausedExists) {
      setCondition(status, this.condition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed'))
    } else {
      return d
    }
    return this.writeStatus(d, status)
  }

  private rolloutRolling(d: Deployment, rsList: ReplicaSet[]): void {
    const found = this.getAllReplicaSetsAndSyncRevision(d, rsList, true)
    d = this.latest(d)
    let newRS = found.newRS!
    let oldRSs = found.oldRSs
    const all = (): ReplicaSet[] => [...oldRSs, newRS]

    const scaledUp = this.reconcileNewReplicaSet(all(), newRS, d)
    if (scaledUp) {
      newRS = scaledUp
      this.syncRolloutStatus(all(), newRS, d)
      return
    }
    const scaledDown = this.reconcileOldReplicaSets(all(), oldRSs, newRS, d)
    if (scaledDown) {
      oldRSs = scaledDown
      this.syncRolloutStatus(all(), newRS, d)
      return
    }
    if (this.deploymentComplete(d, d.status ?? {})) oldRSs = this.cleanupDeployment(oldRSs, d)
    this.syncRolloutStatus(all(), newRS, d)
  }

  private rolloutRecreate(d: Deployment, rsList: ReplicaSet[], pods: Pod[]): void {
    let { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, rsList, false)
    d = this.latest(d)
    const all = (): ReplicaSet[] => [...oldRSs, ...(newRS ? [newRS] : [])]
    let scaledDown = false
    oldRSs = oldRSs.map((rs) => {
      if (replicasOf(rs) === 0) return rs
      scaledDown = true
      return this.scaleReplicaSet(rs, 0, d)
    })
    if (scaledDown) {
      this.syncRolloutStatus(all(), newRS, d)
      return
    }
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid))
    const oldPodsRunning = pods.some(
      (p) =>
        isPodActive(p) && p.metadata.ownerReferences?.some((ref) => ref.controller && oldUids.has(ref.uid))
    )
    if (oldPodsRunning) {
      this.syncRolloutStatus(all(), newRS, d)
      return
    }
    if (!newRS) {
      const created = this.getAllReplicaSetsAndSyncRevision(d, rsList, true)
      d = this.latest(d)
      newRS = created.newRS
      oldRSs = created.oldRSs
    }
    if (newRS && replicasOf(newRS) !== replicasOf(d)) {
      newRS = this.scaleReplicaSet(newRS, replicasOf(d), d)
      this.syncRolloutStatus(all(), newRS, d)
      return
    }
    if (this.deploymentComplete(d, d.status ?? {})) oldRSs = this.cleanupDeployment(oldRSs, d)
    this.syncRolloutStatus(all(), newRS, d)
  }

  /** Finds the ReplicaSet whose template matches (oldest first), optionally creating it. */
  private getAllReplicaSetsAndSyncRevision(
    d: Deployment,
    rsList: ReplicaSet[],
    createIfMissing: boolean
  ): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const sorted = [...rsList].sort(byCreation)
    const existing = sorted.find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template))
    const oldRSs = sorted.filter((rs) => rs !== existing)
    const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1
    const { ops, types } = this.ctx

    if (existing) {
      let rs = existing
      // Shallow copies: setNewReplicaSetAnnotations only touches annotations.
      const copy: ReplicaSet = {
        ...existing,
        metadata: { ...existing.metadata, annotations: { ...existing.metadata.annotations } },
        spec: { ...existing.spec }
      }
      const annotationsChanged = this.setNewReplicaSetAnnotations(d, copy, newRevision, true)
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)
      if (annotationsChanged || minReadyChanged) {
        if (d.spec.minReadySeconds === undefined) delete copy.spec.minReadySeconds
        else copy.spec.minReadySeconds = d.spec.minReadySeconds
        rs = ops.update(types.replicasets, copy.metadata.namespace, copy.metadata.name!, copy) as ReplicaSet
      }
      let status = d.status ?? {}
      const annotations = { ...d.metadata.annotations }
      let needsUpdate = false
      const revision = rs.metadata.annotations?.[revisionAnnotation]
      if (revision !== undefined && annotations[revisionAnnotation] !== revision) {
        annotations[revisionAnnotation] = revision
        needsUpdate = true
      }
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        status = clone(status)
        setCondition(
          status,
          this.condition(
            'Progressing',
            'True',
            reasons.foundNewReplicaSet,
            `Found new replica set "${rs.metadata.name}"`
          )
        )
        needsUpdate = true
      }
      if (needsUpdate) this.writeStatus(d, status, annotations)
      return { newRS: rs, oldRSs }
    }
    if (!createIfMissing) return { oldRSs }

    let collisionCount = d.status?.collisionCount ?? 0
    let hash = templateHash(canonicalJson(d.spec.template), collisionCount)
    // A ReplicaSet with our name but another template is a hash collision: bump collisionCount.
    while (ops.peek(types.replicasets, d.metadata.namespace, `${d.metadata.name}-${hash}`)) {
      collisionCount++
      hash = templateHash(canonicalJson(d.spec.template), collisionCount)
    }
    const template = clone(d.spec.template)
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash }
    }
    const selector = clone(d.spec.selector)
    selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash }
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels!,
        ownerReferences: [controllerRef(d)]
      },
      spec: {
        replicas: 0,
        ...(d.spec.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        selector,
        template
      }
    }
    rs.spec.replicas = this.newReplicasFor(d, [...oldRSs, rs], rs)
    this.setNewReplicaSetAnnotations(d, rs, newRevision, false)
    const created = ops.create(types.replicasets, d.metadata.namespace, rs) as ReplicaSet
    if (replicasOf(created) > 0) {
      this.ctx.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} from 0 to ${replicasOf(created)}`,
        { component: 'deployment-controller' }
      )
    }
    const status = clone(d.status ?? {})
    if (collisionCount > 0) status.collisionCount = collisionCount
    if (hasProgressDeadline(d)) {
      setCondition(
        status,
        this.condition(
          'Progressing',
          'True',
          reasons.newReplicaSet,
          `Created new replica set "${created.metadata.name}"`
        )
      )
    }
    const annotations = { ...d.metadata.annotations, [revisionAnnotation]: String(newRevision) }
    this.writeStatus(d, status, annotations)
    return { newRS: created, oldRSs }
  }

  /** deploymentutil.SetNewReplicaSetAnnotations; returns whether anything changed. */
  private setNewReplicaSetAnnotations(
    d: Deployment,
    rs: ReplicaSet,
    newRevision: number,
    exists: boolean
  ): boolean {
    const annotations = (rs.metadata.annotations ??= {})
    let changed = false
    for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
      if (notCopied.has(key) || annotations[key] === value) continue
      annotations[key] = value
      changed = true
    }
    const oldRevision = annotations[revisionAnnotation]
    const oldRevisionNumber = oldRevision === undefined ? 0 : Number.parseInt(oldRevision, 10) || 0
    if (oldRevisionNumber < newRevision) {
      annotations[revisionAnnotation] = String(newRevision)
      changed = true
      if (oldRevision !== undefined) {
        // Re-adopting an old ReplicaSet (a rollback): remember the revisions it had.
        const history = annotations[revisionHistoryAnnotation]
        const revisions = history ? history.split(',') : []
        revisions.push(oldRevision)
        while (revisions.join(',').length > maxRevisionHistoryChars) revisions.shift()
        annotations[revisionHistoryAnnotation] = revisions.join(',')
      }
    }
    if (!exists && this.setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true
    if (Object.keys(annotations).length === 0) delete rs.metadata.annotations
    return changed
  }

  private setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
    const annotations = (rs.metadata.annotations ??= {})
    let changed = false
    if (annotations[desiredReplicasAnnotation] !== String(desired)) {
      annotations[desiredReplicasAnnotation] = String(desired)
      changed = true
    }
    if (annotations[maxReplicasAnnotation] !== String(max)) {
      annotations[maxReplicasAnnotation] = String(max)
      changed = true
    }
    return changed
  }

  /** deploymentutil.NewRSNewReplicas */
  private newReplicasFor(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
    if (d.spec.strategy?.type !== 'RollingUpdate') return replicasOf(d)
    const current = allRSs.reduce((sum, rs) => sum + replicasOf(rs), 0)
    const maxTotal = replicasOf(d) + maxSurge(d)
    if (current >= maxTotal) return replicasOf(newRS)
    const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS))
    return replicasOf(newRS) + scaleUp
  }

  /** Returns the scaled ReplicaSet, or undefined when nothing changed. */
  private reconcileNewReplicaSet(
    allRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment
  ): ReplicaSet | undefined {
    if (replicasOf(newRS) === replicasOf(d)) return undefined
    if (replicasOf(newRS) > replicasOf(d)) return this.scaleReplicaSet(newRS, replicasOf(d), d)
    const target = this.newReplicasFor(d, allRSs, newRS)
    if (target === replicasOf(newRS)) return undefined
    return this.scaleReplicaSet(newRS, target, d)
  }

  /** Returns the updated old ReplicaSets when any was scaled down, else undefined. */
  private reconcileOldReplicaSets(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment
  ): ReplicaSet[] | undefined {
    const oldPods = oldRSs.reduce((sum, rs) => sum + replicasOf(rs), 0)
    if (oldPods === 0) return undefined
    const allPods = allRSs.reduce((sum, rs) => sum + replicasOf(rs), 0)
    const minAvailable = replicasOf(d) - maxUnavailable(d)
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0)
    const maxScaledDown = allPods - minAvailable - newUnavailable
    if (maxScaledDown <= 0) return undefined

    let updated = [...oldRSs].sort(byCreation)
    let changed = false
    // First remove old pods that are not available anyway (cleanupUnhealthyReplicas).
    let cleaned = 0
    updated = updated.map((rs) => {
      if (cleaned >= maxScaledDown) return rs
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0)
      if (replicasOf(rs) === 0 || unhealthy <= 0) return rs
      const count = Math.min(maxScaledDown - cleaned, unhealthy)
      cleaned += count
      changed = true
      return this.scaleReplicaSet(rs, replicasOf(rs) - count, d)
    })
    // Then scale down available old pods while keeping minAvailable (scaleDownOldReplicaSetsForRollingUpdate).
    const available = [...updated, newRS].reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0)
    if (available > minAvailable) {
      const toScaleDown = available - minAvailable
      let scaled = 0
      updated = updated.map((rs) => {
        if (scaled >= toScaleDown || replicasOf(rs) === 0) return rs
        const count = Math.min(replicasOf(rs), toScaleDown - scaled)
        scaled += count
        changed = true
        return this.scaleReplicaSet(rs, replicasOf(rs) - count, d)
      })
    }
    return changed ? updated : undefined
  }

  private scaleReplicaSet(rs: ReplicaSet, replicas: number, d: Deployment): ReplicaSet {
    const copy = clone(rs)
    const from = replicasOf(rs)
    copy.spec.replicas = replicas
    const annotationsChanged = this.setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d))
    if (from === replicas && !annotationsChanged) return rs
    const { ops, types } = this.ctx
    const updated = ops.update(
      types.replicasets,
      copy.metadata.namespace,
      copy.metadata.name!,
      copy
    ) as ReplicaSet
    if (from !== replicas) {
      this.ctx.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
        { component: 'deployment-controller' }
      )
    }
    return updated
  }

  /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): ReplicaSet[] {
    const limit = d.spec.revisionHistoryLimit
    if (limit === undefined) return oldRSs
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp)
    const excess = cleanable.length - limit
    if (excess <= 0) return oldRSs
    const byRevision = [...cleanable].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b))
    const deleted = new Set<string>()
    for (const rs of byRevision.slice(0, excess)) {
      const settled =
        (rs.status?.replicas ?? 0) === 0 &&
        replicasOf(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0)
      if (!settled) continue
      this.ctx.ops.delete(this.ctx.types.replicasets, rs.metadata.namespace, rs.metadata.name!)
      deleted.add(rs.metadata.uid!)
    }
    return oldRSs.filter((rs) => !deleted.has(rs.metadata.uid!))
  }

  private calculateStatus(
    allRSs: ReplicaSet[],
    newRS: ReplicaSet | undefined,
    d: Deployment
  ): DeploymentStatus {
    const sum = (pick: (rs: ReplicaSet) => number): number =>
      allRSs.reduce((total, rs) => total + pick(rs), 0)
    const available = sum((rs) => rs.status?.availableReplicas ?? 0)
    const total = sum(replicasOf)
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: sum((rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
      // Conditions hold only strings: a shallow copy of each is a full copy.
      conditions: (d.status?.conditions ?? []).map((c) => ({ ...c }))
    }
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(
        status,
        this.condition('Available', 'True', reasons.minimumAvailable, 'Deployment has minimum availability.')
      )
    } else {
      setCondition(
        status,
        this.condition(
          'Available',
          'False',
          reasons.minimumUnavailable,
          'Deployment does not have minimum availability.'
        )
      )
    }
    return status
  }

  /** deploymentutil.DeploymentComplete */
  private deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
    const want = replicasOf(d)
    return (
      (status.updatedReplicas ?? 0) === want &&
      (status.replicas ?? 0) === want &&
      (status.availableReplicas ?? 0) === want &&
      (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
    )
  }

  /** deploymentutil.DeploymentProgressing */
  private deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
    const old = d.status ?? {}
    const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
    const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0)
    return (
      (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      newOld < oldOld ||
      (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    )
  }

  /** deploymentutil.DeploymentTimedOut */
  private deploymentTimedOut(d: Deployment, next: DeploymentStatus): boolean {
    if (!hasProgressDeadline(d)) return false
    const condition = getCondition(next, 'Progressing')
    if (!condition || condition.reason === reasons.newReplicaSetAvailable) return false
    if (condition.reason === reasons.timedOut) return true
    const from = parseTime(condition.lastUpdateTime)
    return from !== undefined && from + d.spec.progressDeadlineSeconds! * 1000 < this.now()
  }

  private syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): void {
    d = this.latest(d)
    const next = this.calculateStatus(allRSs, newRS, d)
    if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing')
    const current = getCondition(d.status, 'Progressing')
    const isComplete =
      next.replicas === next.updatedReplicas && current?.reason === reasons.newReplicaSetAvailable
    const rsName = newRS?.metadata.name
    if (hasProgressDeadline(d) && !isComplete) {
      if (this.deploymentComplete(d, next)) {
        const message = rsName
          ? `ReplicaSet "${rsName}" has successfully progressed.`
          : 'Deployment has successfully progressed.'
        setCondition(next, this.condition('Progressing', 'True', reasons.newReplicaSetAvailable, message))
      } else if (this.deploymentProgressing(d, next)) {
        const message = rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.'
        const condition = this.condition('Progressing', 'True', reasons.replicaSetUpdated, message)
        if (current) {
          if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime
          removeCondition(next, 'Progressing')
        }
        setCondition(next, condition)
      } else if (this.deploymentTimedOut(d, next)) {
        const message = rsName
          ? `ReplicaSet "${rsName}" has timed out progressing.`
          : 'Deployment has timed out progressing.'
        setCondition(next, this.condition('Progressing', 'False', reasons.timedOut, message))
      }
    }
    // The ReplicaSets' ReplicaFailure (the new one's first) is mirrored on the Deployment.
    const failure = replicaFailure(allRSs, newRS)
    if (failure) {
      setCondition(next, {
        type: 'ReplicaFailure',
        status: failure.status,
        ...(failure.reason ? { reason: failure.reason } : {}),
        ...(failure.message ? { message: failure.message } : {}),
        ...(failure.lastTransitionTime
          ? { lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime }
          : {})
      })
    } else {
      removeCondition(next, 'ReplicaFailure')
    }
    this.writeStatus(d, next)
  }

  private writeStatus(
    d: Deployment,
    status: DeploymentStatus,
    annotations?: Record<string, string>
  ): Deployment {
    const latest = this.latest(d)
    const { ops, types } = this.ctx
    const nextStatus = omitZero(status, [
      'observedGeneration',
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'collisionCount'
    ])
    const nextAnnotations = annotations ?? latest.metadata.annotations
    if (deepEqual(nextStatus, latest.status) && deepEqual(nextAnnotations, latest.metadata.annotations))
      return latest
    const body = clone(latest)
    body.status = nextStatus
    if (annotations) body.metadata.annotations = annotations
    return ops.update(types.deployments, body.metadata.namespace, body.metadata.name!, body, {
      subresource: 'status'
    }) as Deployment
  }
}
