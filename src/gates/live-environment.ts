import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node'
import type { ResolvedEnvironment } from '../config/schema.js'
import { configKeyIndex, type ConfigKeyIndex } from '../environment-checks/config-references.js'
import { KubernetesApiError } from '../kubernetes/api/api-error.js'
import type { ConnectedCluster } from '../targets/connect-clusters.js'
import type { LiveObjects } from '../targets/live-objects.js'
import {
  readTargetWorkloads,
  type TargetWorkload,
  type UnresolvedTargetWorkload
} from '../targets/target-workloads.js'
import type { GateContext } from './gate-context.js'

/** An environment as the environment checks read it: its clusters and its targets' workloads. */
export interface LiveEnvironment {
  environment: ResolvedEnvironment
  clusters: ConnectedCluster[]
  objects: LiveObjects
  workloads: TargetWorkload[]
  unresolved: UnresolvedTargetWorkload[]
}

export async function readLiveEnvironment(
  context: GateContext,
  environment: ResolvedEnvironment
): Promise<LiveEnvironment> {
  const kubernetes = await context.kubernetes()
  const clusters = await kubernetes.clusters(environment)
  const { workloads, unresolved } = await readTargetWorkloads(
    kubernetes.objects,
    clusters,
    environment.targets
  )
  return { environment, clusters, objects: kubernetes.objects, workloads, unresolved }
}

/**
 * Key names of a namespace's ConfigMaps and, with `secrets`, Secrets (one list each). Without
 * `secrets` the index holds no Secret, and callers must not judge Secret references by it.
 */
export async function namespaceKeys(
  objects: LiveObjects,
  cluster: ConnectedCluster,
  namespace: string,
  secrets: boolean
): Promise<ConfigKeyIndex> {
  const [configMaps, secretList] = await Promise.all([
    objects.list<V1ConfigMap>(cluster.api, 'ConfigMap', namespace),
    secrets ? objects.list<V1Secret>(cluster.api, 'Secret', namespace) : Promise.resolve([])
  ])
  return configKeyIndex(configMaps, secretList)
}

export function isForbidden(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.code === 403
}

/** Whether the environment has anything for the live checks to read. */
export function hasLiveTargets(environment: ResolvedEnvironment): boolean {
  return environment.targets.length > 0
}

/** `production` or `production (eu, us)` for messages. */
export function whereIs(live: Pick<LiveEnvironment, 'environment' | 'clusters'>): string {
  return live.clusters.length > 1
    ? `${live.environment.name} (${live.clusters.map((c) => c.name).join(', ')})`
    : live.environment.name
}
