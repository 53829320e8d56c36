import type { WorkflowContext } from '../runtime/workflow-context.js'
import type { ConnectedCluster } from './connect-clusters.js'

/**
 * How the environment lock is named and who it says holds it. Kept free of the Kubernetes
 * client so the gate stage's concurrency gate can read the same Lease without loading it.
 */

/** `owner/repo/run_id/attempt`: which run holds the lock. */
export function lockHolder(workflow: WorkflowContext): string {
  return `${workflow.repository}/${workflow.runId}/${workflow.runAttempt}`
}

/** One Lease per environment and namespace: `promote-action.<environment>`. */
export function lockName(environmentName: string): string {
  const name = `promote-action.${environmentName.toLowerCase().replace(/[^a-z0-9.-]+/g, '-')}`
  return name.slice(0, 253).replace(/[^a-z0-9]+$/, '')
}

const HOLDER = /^([^/]+\/[^/]+)\/(\d+)\/(\d+)$/

/** The run id in a holder named `owner/repo/run_id/attempt`. */
export function holderRunId(holder: string): string | undefined {
  return HOLDER.exec(holder)?.[2]
}

/** The run page of a holder named `owner/repo/run_id/attempt`, when its Lease does not carry one. */
export function holderRunUrl(holder: string, serverUrl: string): string | undefined {
  const match = HOLDER.exec(holder)
  return match ? `${serverUrl}/${match[1]}/actions/runs/${match[2]}/attempts/${match[3]}` : undefined
}

/** One Lease of the environment lock: a cluster and a namespace its targets live in. */
export interface LockScope {
  cluster: ConnectedCluster
  namespace: string
}

/**
 * Where the environment lock lives: every namespace the environment's targets are in, per
 * cluster (a target's own namespace, else the cluster's default). The promote stage takes a
 * Lease in each; the concurrency gate reads the same ones.
 */
export function lockScopes(
  clusters: readonly ConnectedCluster[],
  targets: ReadonlyArray<{ namespace?: string | undefined }>
): LockScope[] {
  return clusters.flatMap((cluster) =>
    [...new Set(targets.map((t) => t.namespace ?? cluster.namespace).filter((ns): ns is string => !!ns))].map(
      (namespace) => ({ cluster, namespace })
    )
  )
}

/**
 * The holder's run page: the Lease's run-url annotation when it belongs to this holder's run
 * (it is written after the Lease is taken, best effort, so it may still be an earlier holder's),
 * else derived from the holder's name.
 */
export function holderRunLink(
  holder: string,
  annotated: string | undefined,
  serverUrl: string
): string | undefined {
  const runId = holderRunId(holder)
  if (annotated && runId && annotated.includes(`/actions/runs/${runId}`)) return annotated
  return holderRunUrl(holder, serverUrl)
}

/**
 * Where an environment's lock lives, for every run that takes it (a promotion, a rotation's
 * lock and unlock): lockScopes over its targets; a GitOps environment without targets locks in
 * its own namespace (the cluster's, else the environment's) of each cluster.
 */
export function environmentLockScopes(
  clusters: readonly ConnectedCluster[],
  environment: { mode: string; targets: ReadonlyArray<{ namespace?: string | undefined }> }
): LockScope[] {
  const targets =
    environment.mode === 'gitops' && environment.targets.length === 0 ? [{}] : environment.targets
  return lockScopes(clusters, targets)
}
