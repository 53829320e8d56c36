import type { GitOpsSyncConfig, ResolvedEnvironment } from '../../config/schema.js'
import type { CommitAncestry } from '../../github/commit-ancestry.js'
import { rolloutsOnImage, type SyncedWorkload } from '../../gitops/sync/rollouts-on-image.js'
import { syncEngineFor, type SyncEngine } from '../../gitops/sync/sync-engine.js'
import { waitForSync, type SyncWaitResult } from '../../gitops/sync/wait-for-sync.js'
import type { ImageReference } from '../../image/image-reference.js'
import { failFastFromConfig } from '../../kubernetes/rollout/pod-failures.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import { expandTarget, targetKey } from '../../targets/expand-target.js'

export interface GitOpsSyncRequest {
  environment: ResolvedEnvironment
  sync: GitOpsSyncConfig
  /** The environment's clusters, connected (the engine's object is in one of them). */
  clusters: ConnectedCluster[]
  /** The commit on the manifests repository's base branch to wait for. */
  commit: string
  deliveredAt: number
  /** The image the targets must run afterwards; undefined = only their rollout (after a revert). */
  image: ImageReference | undefined
  ancestry: CommitAncestry | undefined
  timeoutMs: number
  clock: Clock
  logger: Logger
  signal?: AbortSignal
}

export interface GitOpsSyncOutcome extends SyncWaitResult {
  engine: SyncEngine
  cluster: string
}

/**
 * The environment's GitOps engine synced the commit and reports it healthy, then every target
 * (in every cluster) rolled out on the image: the one wait the promote stage's sync step and the
 * verify stage share. A target that cannot be found is a failure, as in kubernetes mode.
 */
export async function waitForGitOpsSync(request: GitOpsSyncRequest): Promise<GitOpsSyncOutcome> {
  const engine = syncEngineFor(request.sync)
  const cluster = request.clusters.find((c) => c.name === engine.cluster) ?? request.clusters[0]
  if (!cluster) throw new Error('waitForGitOpsSync needs the environment clusters')
  const started = request.clock.now()
  let workloads: SyncedWorkload[]
  try {
    workloads = await resolveWorkloads(request.environment, request.clusters)
  } catch (error) {
    return {
      engine,
      cluster: cluster.name,
      status: 'failed',
      message: (error as Error).message,
      resources: [],
      durationMs: request.clock.now() - started
    }
  }
  const failFast = failFastFromConfig(request.environment.rollout['fail-fast'])
  const result = await waitForSync({
    api: cluster.api,
    engine,
    commit: request.commit,
    deliveredAt: request.deliveredAt,
    ancestry: request.ancestry,
    ...(workloads.length
      ? {
          workloads: (signal: AbortSignal) =>
            rolloutsOnImage(workloads, {
              image: request.image,
              timeoutMs: request.timeoutMs,
              failFast,
              clock: request.clock,
              logger: request.logger,
              signal
            })
        }
      : {}),
    timeoutMs: request.timeoutMs,
    clock: request.clock,
    logger: request.logger,
    ...(request.signal ? { signal: request.signal } : {})
  })
  return { ...result, engine, cluster: cluster.name }
}

async function resolveWorkloads(
  environment: ResolvedEnvironment,
  clusters: ConnectedCluster[]
): Promise<SyncedWorkload[]> {
  const perCluster = await Promise.all(
    clusters.map(async (cluster) =>
      (await Promise.all(environment.targets.map((target) => expandTarget(cluster, target))))
        .flat()
        .map(({ ref, containers }) => ({
          key: targetKey({ cluster, ref }),
          api: cluster.api,
          ref,
          containers
        }))
    )
  )
  return perCluster.flat()
}
