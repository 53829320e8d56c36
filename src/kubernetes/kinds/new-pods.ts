import type {
  V1DaemonSet,
  V1Deployment,
  V1ObjectMeta,
  V1Pod,
  V1PodSpec,
  V1ReplicaSet,
  V1StatefulSet
} from '@kubernetes/client-node'
import { labelSelectorString } from '../api/label-selector.js'
import { REVISION_ANNOTATION } from './rollout-status.js'
import type { Workload, WorkloadKind } from './workload-kinds.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'

/**
 * Which pods belong to the rollout in progress ("new" pods), so fail-fast never judges old
 * pods that are still running the previous release.
 *
 * - Deployment: the new ReplicaSet is the one controlled by the Deployment with the highest
 *   `deployment.kubernetes.io/revision`, read only once the controller has observed the current
 *   generation (it creates or re-adopts the new RS and bumps it to max+1 before it updates
 *   status.observedGeneration) and only when that revision is the Deployment's own. New pods are
 *   controlled by that RS and carry its pod-template-hash.
 *   Comparing templates (what the controller does) is avoided on purpose: watch events are raw
 *   JSON while listed objects are client-node models, and the two serialise differently.
 * - StatefulSet: pods controlled by it whose controller-revision-hash is status.updateRevision,
 *   once the current generation is observed.
 * - DaemonSet: the status names no update revision, and reading ControllerRevisions would need
 *   one more RBAC rule; so new pods are those controlled by it whose containers run the template's
 *   images (by container name, init containers included; injected sidecars ignored), once the generation is
 *   observed. Correct for what this action changes (images); a rollout that changes other fields
 *   but no image cannot tell new pods from old this way, so nothing is judged then.
 *
 * `undefined` means "cannot tell yet": judge no pod.
 */
export type NewPodMatcher = (pod: V1Pod) => boolean

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash'
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash'

export function newPodMatcher(
  kind: WorkloadKind,
  workload: Workload,
  replicaSets: V1ReplicaSet[] = []
): NewPodMatcher | undefined {
  if (!generationObserved(workload)) return undefined
  switch (kind) {
    case 'Deployment': {
      const rs = findNewReplicaSet(workload as V1Deployment, replicaSets)
      const hash = rs?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL]
      const uid = rs?.metadata?.uid
      if (!rs || !hash || !uid) return undefined
      // The controller stamps the Deployment with its new ReplicaSet's revision before it records
      // the generation as observed; a different newest revision means the ReplicaSets seen are
      // older than the Deployment (a watch stream behind another): the new one is not known yet.
      const revision = revisionOf(workload)
      if (revision > 0 && revisionOf(rs) !== revision) return undefined
      return (pod) =>
        controllerUid(pod.metadata) === uid && pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash
    }
    case 'StatefulSet': {
      const sts = workload as V1StatefulSet
      const revision = sts.status?.updateRevision
      const uid = sts.metadata?.uid
      if (!revision || !uid) return undefined
      return (pod) =>
        controllerUid(pod.metadata) === uid &&
        pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === revision
    }
    case 'DaemonSet': {
      const ds = workload as V1DaemonSet
      const uid = ds.metadata?.uid
      if (!uid) return undefined
      const wanted = imagesByContainer(ds.spec?.template?.spec)
      return (pod) => controllerUid(pod.metadata) === uid && runsImages(imagesByContainer(pod.spec), wanted)
    }
  }
}

/** The Deployment's current ReplicaSet (highest revision among those it controls), if it exists yet. */
export function findNewReplicaSet(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[]
): V1ReplicaSet | undefined {
  const owned = ownedReplicaSets(deployment, replicaSets)
  let newest: V1ReplicaSet | undefined
  for (const rs of owned) if (newest === undefined || revisionOf(rs) > revisionOf(newest)) newest = rs
  return newest
}

/**
 * The ReplicaSets a Deployment controls, as kubectl finds them: listed by the Deployment's
 * selector, then kept only where the controller owner reference is this Deployment.
 */
export async function listOwnedReplicaSets(
  api: Pick<WorkloadApi, 'listReplicaSets'>,
  namespace: string,
  deployment: V1Deployment
): Promise<V1ReplicaSet[]> {
  const { items } = await api.listReplicaSets(namespace, {
    labelSelector: labelSelectorString(deployment.spec?.selector)
  })
  return ownedReplicaSets(deployment, items)
}

/**
 * A namespace's ReplicaSets grouped by controller, for callers that look up many Deployments'
 * ReplicaSets in one list: each lookup is then a map read, not a scan of the whole list.
 */
export function replicaSetsByController(
  replicaSets: V1ReplicaSet[]
): (deployment: V1Deployment) => V1ReplicaSet[] {
  const groups = new Map<string, V1ReplicaSet[]>()
  for (const rs of replicaSets) {
    const uid = controllerUid(rs.metadata)
    if (uid === undefined) continue
    const group = groups.get(uid)
    if (group) group.push(rs)
    else groups.set(uid, [rs])
  }
  return (deployment) => groups.get(deployment.metadata?.uid ?? '') ?? []
}

/** ReplicaSets whose controller owner reference is this Deployment (kubectl's rollback filter). */
export function ownedReplicaSets(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid
  return replicaSets.filter((rs) => uid !== undefined && controllerUid(rs.metadata) === uid)
}

/** `deployment.kubernetes.io/revision` as a number; 0 when missing or malformed. */
export function revisionOf(object: { metadata?: V1ObjectMeta }): number {
  const value = Number(object.metadata?.annotations?.[REVISION_ANNOTATION])
  return Number.isInteger(value) && value > 0 ? value : 0
}

export function controllerUid(metadata: V1ObjectMeta | undefined): string | undefined {
  return metadata?.ownerReferences?.find((ref) => ref.controller === true)?.uid
}

function generationObserved(workload: Workload): boolean {
  const observed = workload.status?.observedGeneration ?? 0
  return observed > 0 && (workload.metadata?.generation ?? 0) <= observed
}

function imagesByContainer(spec: V1PodSpec | undefined): Map<string, string> {
  const images = new Map<string, string>()
  for (const c of spec?.initContainers ?? []) images.set(`init:${c.name}`, c.image ?? '')
  for (const c of spec?.containers ?? []) images.set(c.name, c.image ?? '')
  return images
}

/** Every template container runs its template image in the pod (admission may have added sidecars). */
function runsImages(pod: Map<string, string>, template: Map<string, string>): boolean {
  for (const [name, image] of template) if (pod.get(name) !== image) return false
  return true
}
