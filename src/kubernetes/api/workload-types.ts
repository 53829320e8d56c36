import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node'
import type { WorkloadKind } from '../../config/schema.js'
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js'

/**
 * The workload kinds the action promotes, as the API sees them. The kind names come from the
 * config's one `workloadKind` enum; what each kind behaves like is in src/kubernetes/kinds.
 */
export type { WorkloadKind }

export type Workload = V1Deployment | V1StatefulSet | V1DaemonSet

export type WorkloadOf<K extends WorkloadKind> = {
  Deployment: V1Deployment
  StatefulSet: V1StatefulSet
  DaemonSet: V1DaemonSet
}[K]

/** One workload to promote. */
export interface WorkloadRef {
  kind: WorkloadKind
  name: string
  namespace: string
}

/** Where each workload kind lives in the API. */
export const WORKLOAD_RESOURCES: Record<WorkloadKind, ResourceType> = {
  Deployment: RESOURCE_TYPES.Deployment,
  StatefulSet: RESOURCE_TYPES.StatefulSet,
  DaemonSet: RESOURCE_TYPES.DaemonSet
}

/** `deployment/api`, as kubectl prints it. */
export function describeWorkload(ref: Pick<WorkloadRef, 'kind' | 'name'>): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`
}
