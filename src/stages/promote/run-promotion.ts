import {
  createDeploymentRecords,
  type DeploymentRecords,
  type DeploymentState
} from '../../github/deployment-record.js'
import { createOctokit } from '../../github/octokit-factory.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import type { ImageReference } from '../../image/image-reference.js'
import { KubernetesApiError } from '../../kubernetes/api/api-error.js'
import type { KubernetesConnection } from '../../kubernetes/api/client-factory.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { Output } from '../../runtime/action-io.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import { SUMMARY_LIMIT_BYTES, truncateMarkdown } from '../../runtime/markdown.js'
import { failFastFromConfig } from '../../kubernetes/rollout/pod-failures.js'
import type { StageContext } from '../../runtime/run-stage.js'
import type { PromoteSettings } from '../../settings/promote-settings.js'
import { connectClusters, type ConnectedCluster } from '../../targets/connect-clusters.js'
import { acquireEnvironmentLock, type EnvironmentLock, type HeldLockEntry } from './environment-lock.js'
import type { GitOpsResult } from './gitops/gitops-summary.js'
import { startDeploymentRecord, waitForOtherDeployments } from './github-deployment.js'
import { targetKey } from '../../targets/expand-target.js'
import { planPromotion, type PlannedTarget } from './promotion-plan.js'
import { markFinished, saveHeldLocks } from './promotion-state.js'
import {
  dryRunSummary,
  planPatches,
  planText,
  previousImages,
  promotionResult,
  promotionSummary,
  revisions,
  type PromotionResult
} from './promotion-summary.js'
import { runWaves, type TargetOutcome } from './run-waves.js'
import { resolveUpstreamImage } from '../../targets/upstream-image.js'

/** Replaceable side effects, for the demo, the bench and tests; defaults are the real ones. */
export interface PromotionServices {
  clock: Clock
  /** Builds the Kubernetes API of a connection (e.g. to count requests). */
  makeApi?: (connection: KubernetesConnection) => WorkloadApi
  /** The GitHub Deployment records; default: from the github-token input (none without a token). */
  deploymentRecords?: DeploymentRecords | null
  /** How often to look again while another run's GitHub Deployment is in progress. */
  deploymentPollMs?: number
  /**
   * Given, a promotion that succeeded hands its environment lock here instead of releasing it
   * (still renewed, still in the post step's state), so the caller can hold it through verify,
   * which may roll back (`stage: all`). `lost` aborts, with the reason as a message, if the
   * Lease is lost meanwhile. A failed or cancelled promotion releases the lock as usual.
   */
  keepLock?: (release: () => Promise<void>, lost: AbortSignal) => void
}

export interface PromotionReport {
  result: PromotionResult | GitOpsResult
  image: ImageReference
  deploymentId: number | undefined
  outcomes: TargetOutcome[]
  plans: PlannedTarget[]
  /** GitOps mode: the promotion pull request. */
  pullRequestUrl?: string
}

/**
 * The promotion, in order: connect (credentials masked), pick the image, take the lock, open
 * the Deployment record, plan (record revisions), server-side dry-run every patch, then waves
 * of patch + watch, rollback on failure, and report (outputs, summary, Deployment status).
 * Throws OperationalError when the promotion failed and CancellationError when cancelled,
 * after reporting.
 */
export async function runPromotion(
  context: StageContext,
  settings: PromoteSettings,
  services: Partial<PromotionServices> = {}
): Promise<PromotionReport> {
  const { logger, io, workflow, signal } = context
  const clock = services.clock ?? systemClock
  const environment = settings.environment
  const connect = {
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger,
    ...(services.makeApi ? { makeApi: services.makeApi } : {})
  }
  const gitops = environment.mode === 'gitops'
  // GitOps mode changes a manifests repository, never this environment's clusters.
  const clusters = gitops ? [] : connectClusters(environment, connect)

  const image = await logger.group('Image', async () => {
    if (settings.imageSource.kind === 'reference') return settings.imageSource.image
    const upstream = settings.upstream!
    return resolveUpstreamImage({
      upstream,
      clusters: connectClusters(upstream, connect),
      repository: settings.imageSource.repository,
      logger
    })
  })
  logger.info(
    `Promoting ${image.format()}${image.digest ? ` (digest ${image.digest})` : ''} to ${settings.environmentName}`
  )
  if (gitops) {
    const { runGitOpsPromotion } = await import('./gitops/run-gitops-promotion.js')
    const records = settings.dryRun
      ? null
      : services.deploymentRecords !== undefined
        ? services.deploymentRecords
        : await githubRecords(context, settings)
    const gitopsReport = await runGitOpsPromotion(context, settings, { image, records })
    return {
      result: gitopsReport.result,
      image,
      deploymentId: gitopsReport.deploymentId,
      outcomes: [],
      plans: [],
      ...(gitopsReport.pullRequest ? { pullRequestUrl: gitopsReport.pullRequest.url } : {})
    }
  }
  io.setOutput(Output.Image, image.format())
  io.setOutput(Output.Digest, image.digest ?? '')

  const planRequest = {
    environment,
    clusters,
    image,
    sourceSha: settings.sha,
    actor: workflow.actor,
    runUrl: workflow.runUrl
  }

  if (settings.dryRun) {
    const plans = await logger.group('Plan', () =>
      planPromotion({ ...planRequest, now: new Date(clock.now()) })
    )
    await logger.group('Server-side dry run of every patch', () => preflight(plans))
    logger.info(planText(plans, image, { patches: true }))
    io.setOutput(Output.PreviousImages, JSON.stringify(previousImages(plans)))
    io.setOutput(
      Output.Revisions,
      JSON.stringify(
        Object.fromEntries(
          plans.map((p) => [targetKey(p), p.record.revision ? { before: p.record.revision } : {}])
        )
      )
    )
    io.setOutput(Output.RolledBack, 'false')
    io.setOutput(Output.Result, 'dry-run')
    await io.appendSummary(
      truncateMarkdown(
        dryRunSummary(settings.environmentName, plans, image),
        SUMMARY_LIMIT_BYTES,
        workflow.runUrl
      )
    )
    markFinished(io)
    return { result: 'dry-run', image, deploymentId: undefined, outcomes: [], plans }
  }

  const records =
    services.deploymentRecords !== undefined
      ? services.deploymentRecords
      : await githubRecords(context, settings)
  let lock: EnvironmentLock | undefined
  let deploymentId: number | undefined
  let finished = false
  let succeeded = false
  // Aborted, with the loss as its reason, if a held Lease is lost: from then on another run
  // may be promoting this environment.
  const fence = new AbortController()
  const lockLostMessage = () => String(fence.signal.reason)
  const finish = async (state: DeploymentState, description: string) => {
    finished = true
    if (records && deploymentId !== undefined) {
      try {
        await records.setStatus(deploymentId, state, {
          description,
          logUrl: workflow.runUrl,
          environmentUrl: environment.url
        })
      } catch (error) {
        logger.warning(`Could not set Deployment ${deploymentId} to ${state}: ${(error as Error).message}`)
      }
    }
    markFinished(io)
  }

  try {
    if (environment.lock.enabled) {
      const held: HeldLockEntry[] = []
      lock = await logger.group('Lock', async () => {
        const acquired = await acquireEnvironmentLock({
          environmentName: settings.environmentName,
          targets: lockTargets(clusters, environment.targets),
          workflow,
          leaseDurationMs: environment.lock['lease-duration'],
          timeoutMs: settings.lockTimeoutMs,
          clock,
          logger,
          signal,
          onAcquired: (entry) => {
            held.push(entry)
            saveHeldLocks(io, held)
          },
          onLost: (message) => fence.abort(message)
        })
        if (records && environment.lock['wait-for-deployments'])
          await waitForOtherDeployments({
            records,
            environment: settings.environmentName,
            workflow,
            timeoutMs: settings.lockTimeoutMs,
            pollMs: services.deploymentPollMs ?? 5000,
            clock,
            logger,
            signal,
            holdingLock: true
          })
        return acquired
      })
    }

    if (records)
      deploymentId = await startDeploymentRecord({
        records,
        settings,
        workflow,
        image,
        targets: environment.targets.map((t) => `${t.kind.toLowerCase()}/${t.name ?? `[${t.selector}]`}`),
        io,
        logger
      })

    const plans = await logger.group('Plan', () =>
      planPromotion({ ...planRequest, now: new Date(clock.now()) })
    )
    logger.info(planText(plans, image, { patches: false }))
    for (const line of planPatches(plans)) logger.debug(line)
    io.setOutput(Output.PreviousImages, JSON.stringify(previousImages(plans)))
    await logger.group('Server-side dry run of every patch', () => preflight(plans))
    if (signal.aborted) throw new CancellationError('The run was cancelled before any workload was changed')
    if (fence.signal.aborted)
      throw new OperationalError(`${lockLostMessage()} Stopped before any workload was changed.`, {
        title: 'Promotion lock lost'
      })

    const waves = await runWaves(plans, {
      timeoutMs: settings.timeoutMs,
      failFast: failFastFromConfig(environment.rollout['fail-fast']),
      rollback: settings.rollback,
      signal,
      fence: fence.signal,
      clock,
      logger
    })
    const result = promotionResult(waves)
    io.setOutput(Output.Revisions, JSON.stringify(revisions(waves.outcomes)))
    io.setOutput(Output.RolledBack, String(waves.rolledBack))
    io.setOutput(Output.Result, result)
    await io.appendSummary(
      truncateMarkdown(
        promotionSummary({
          environmentName: settings.environmentName,
          image,
          result,
          waves,
          runUrl: workflow.runUrl,
          ...(deploymentId !== undefined ? { deploymentId } : {})
        }),
        SUMMARY_LIMIT_BYTES,
        workflow.runUrl
      )
    )

    const failedTargets = waves.outcomes.filter((o) => ['failed', 'timed-out', 'deleted'].includes(o.status))
    const rollbackNote = waves.rollbackFailed
      ? ' ROLLBACK FAILED for some targets: check them now.'
      : waves.rolledBack
        ? ' Rolled back to the recorded revisions.'
        : settings.rollback === 'never'
          ? ' Not rolled back (rollback: never).'
          : ''
    if (waves.lockLost) {
      const patched = waves.outcomes.filter((o) => o.patched).map((o) => targetKey(o.target))
      await finish('error', 'Lost the promotion lock during the rollout; stopped, not rolled back')
      throw new OperationalError(
        `${lockLostMessage()} The promotion stopped without rolling back, because another run may now be promoting ${settings.environmentName}. ${patched.length ? `Patched before the loss: ${patched.join(', ')}; check what they run now.` : 'Nothing was patched.'}`,
        { title: 'Promotion lock lost' }
      )
    }
    if (waves.cancelled) {
      await finish('error', `Cancelled during the rollout.${rollbackNote}`)
      throw new CancellationError(
        `The run was cancelled during the rollout of ${settings.environmentName}.${rollbackNote}`
      )
    }
    if (waves.failed) {
      const first = failedTargets[0]
      await finish(
        'failure',
        `${first ? `${targetKey(first.target)}: ${first.message}` : 'Rollout failed'}`.slice(0, 100) +
          rollbackNote
      )
      throw new OperationalError(
        `Promotion of ${image.format()} to ${settings.environmentName} failed: ${failedTargets.map((o) => `${targetKey(o.target)}: ${o.message}`).join('; ')}.${rollbackNote}`,
        { title: waves.rollbackFailed ? 'Promotion failed and rollback FAILED' : 'Promotion failed' }
      )
    }
    await finish(
      'success',
      result === 'unchanged' ? `Already running ${image.format()}` : `Promoted ${image.format()}`
    )
    logger.info(
      result === 'unchanged'
        ? `Every target already runs ${image.format()}: nothing changed`
        : `Promoted ${image.format()} to ${settings.environmentName}`
    )
    succeeded = true
    return { result, image, deploymentId, outcomes: waves.outcomes, plans }
  } catch (error) {
    if (!finished) {
      const cancelled = error instanceof CancellationError || signal.aborted
      await finish(
        cancelled ? 'error' : 'failure',
        cancelled
          ? 'Cancelled before any workload was changed'
          : `Failed before the rollout: ${(error as Error).message}`
      )
    }
    if (error instanceof KubernetesApiError)
      throw new OperationalError(`Kubernetes API: ${error.message}`, {
        title: error.code === 403 || error.code === 401 ? 'Kubernetes access denied' : 'Kubernetes API error',
        cause: error
      })
    throw error
  } finally {
    if (lock) {
      const held = lock
      const release = async () => {
        await held.release()
        saveHeldLocks(io, [])
      }
      if (succeeded && services.keepLock) services.keepLock(release, fence.signal)
      else await release()
    }
  }
}

/** A server-side dry run (`dryRun=All`) of every patch before the first real one: RBAC, admission and validation errors surface while nothing has changed. */
async function preflight(plans: PlannedTarget[]): Promise<void> {
  await Promise.all(
    plans.map(async (p) => {
      if (p.plan.status !== 'patch') return
      try {
        await p.cluster.api.patchWorkload(p.ref, p.plan.patch, { dryRun: true })
      } catch (error) {
        throw new OperationalError(
          `The server-side dry run of the patch for ${targetKey(p)} was rejected; nothing was changed: ${(error as Error).message}`,
          {
            title: 'Pre-flight dry run failed',
            cause: error
          }
        )
      }
    })
  )
}

function lockTargets(clusters: ConnectedCluster[], targets: Array<{ namespace?: string | undefined }>) {
  return clusters.flatMap((cluster) =>
    [...new Set(targets.map((t) => t.namespace ?? cluster.namespace).filter((ns): ns is string => !!ns))].map(
      (namespace) => ({
        cluster: cluster.locator,
        api: cluster.api,
        namespace
      })
    )
  )
}

async function githubRecords(
  context: StageContext,
  settings: PromoteSettings
): Promise<DeploymentRecords | null> {
  if (!settings.githubToken) {
    context.logger.warning('No github-token: no GitHub Deployment is recorded for this promotion')
    return null
  }
  const octokit = await createOctokit({
    token: settings.githubToken,
    apiUrl: context.workflow.apiUrl,
    logger: context.logger
  })
  return createDeploymentRecords(octokit, context.workflow)
}
