/** Pod readiness and availability, as kubectl and the controllers judge them (podutil). */
import type { Condition, KubeObject, Pod } from '../kube-types.js'
import { parseTime } from '../time-format.js'

export function podCondition(pod: Pod, type: string): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True'
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = podCondition(pod, 'Ready')
  if (ready?.status !== 'True') return false
  if (minReadySeconds <= 0) return true
  const since = parseTime(ready.lastTransitionTime)
  return since !== undefined && since + minReadySeconds * 1000 <= now
}

/** Counted by controllers: not being deleted and not finished. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed'
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod)
}

export function controllerOf(object: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true)
}

/**
 * Objects by the uid of their controller, built once per sync: each owner then looks up its
 * own instead of filtering every object (50 Deployments x 50 ReplicaSets on every tick).
 */
export function byController<T extends KubeObject>(objects: T[]): (owner: KubeObject) => T[] {
  const groups = new Map<string, T[]>()
  for (const object of objects) {
    const uid = controllerOf(object)?.uid
    if (uid === undefined) continue
    const group = groups.get(uid)
    if (group) group.push(object)
    else groups.set(uid, [object])
  }
  return (owner) => groups.get(owner.metadata.uid ?? '') ?? []
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return controllerOf(object)?.uid === owner.metadata.uid
}

export function controllerRef(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true
  }
}
