import type { V1Deployment, V1ObjectMeta, V1ReplicaSet } from '@kubernetes/client-node'
import { REVISION_ANNOTATION } from '../api/annotations.js'
import type { WorkloadApi } from '../api/kubernetes-api.js'
import { labelSelectorString } from '../api/label-selector.js'

/** What a Deployment's ReplicaSets say about it, as kubectl and the deployment controller read them. */

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash'

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
): (deployment: { metadata?: V1ObjectMeta }) => V1ReplicaSet[] {
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
