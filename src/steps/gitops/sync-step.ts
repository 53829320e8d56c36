import { gitHubCommitAncestry } from '../../github/commit-ancestry.js'
import { syncEngineFor } from '../../gitops/sync/sync-engine.js'
import { ImageReference } from '../../image/image-reference.js'
import { Output } from '../../runtime/action-io.js'
import { OperationalError } from '../../runtime/errors.js'
import { defineStep, skipped, succeeded, type StepResult } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'
import { revertFilesOf, type GitOpsChange } from './gitops-change.js'
import { waitForGitOpsSync, type GitOpsSyncOutcome } from './gitops-sync-wait.js'
import { revertDelivery, revertOnBase } from './revert-delivery.js'
import { syncSummary } from './sync-summary.js'

/**
 * GitOps mode, once the change is on the base branch (a direct push, or a merged pull request;
 * the delivery sets `run.gitops.deliveredSha`): waits until the environment's Argo CD
 * Application or Flux object synced that commit and reports it healthy, and the targets rolled
 * out on the promoted image (gitops-sync-wait.ts), then closes the Deployment record as success
 * or failure. A failure with `rollback: auto` reverts the commit (never a patch of the cluster,
 * which the engine would undo) and waits for the revert the same way.
 *
 * Skipped, leaving the wait to the verify stage, without `gitops.sync`, with
 * `wait-for-sync: false`, in a dry run, and while a pull request still awaits its merge.
 */
export const gitOpsSyncStep = defineStep({
  name: 'sync',
  needs: ['clusters', 'manifests'],
  async run(run) {
    const change = run.gitops
    const sync = run.environment.gitops?.sync
    if (run.settings.dryRun || !change || !sync) return skipped
    const engine = syncEngineFor(sync)
    const commit = change.deliveredSha
    if (!commit) {
      if (change.changed)
        run.logger.info(
          `The change is not on ${change.base} yet${run.pullRequest ? ` (pull request #${run.pullRequest.number} awaits its merge)` : ''}: the verify stage waits for ${engine.label} once it is there`
        )
      return skipped
    }
    if (!sync['wait-for-sync']) {
      run.logger.info(
        `wait-for-sync is off: the verify stage waits for ${engine.label} to sync ${commit.slice(0, 7)}`
      )
      return skipped
    }
    return syncAndJudge(run, change, commit)
  }
})

async function syncAndJudge(run: PromotionRun, change: GitOpsChange, commit: string): Promise<StepResult> {
  const { logger, settings } = run
  const sync = run.environment.gitops!.sync!
  const image = run.promotedImage
  const clients = await run.github()
  const ancestry = clients ? gitHubCommitAncestry(clients.octokit, change.repository) : undefined
  const clusters = run.connector.clusters(run.environment)
  const wait = (sha: string, deliveredAt: number, expected: ImageReference | undefined) =>
    waitForGitOpsSync({
      environment: run.environment,
      sync,
      clusters,
      commit: sha,
      deliveredAt,
      image: expected,
      ancestry,
      timeoutMs: sync.timeout,
      clock: run.clock,
      logger,
      signal: run.signal
    })

  const outcome = await logger.group(
    `Wait for ${syncEngineFor(sync).label} to sync ${commit.slice(0, 7)}`,
    () => wait(commit, change.deliveredAt ?? run.clock.now(), image)
  )
  if (outcome.status === 'succeeded') {
    if (outcome.workloads) logger.info(outcome.workloads.message)
    run.outcome = {
      state: 'success',
      description: `Synced ${commit.slice(0, 7)} and healthy: ${image.format()}`
    }
    run.result = 'synced'
    return succeeded({ summary: syncSummary({ commit, outcome }) })
  }

  const reason = outcome.message
  if (outcome.status === 'cancelled') {
    run.outcome = { state: 'error', description: `Cancelled while waiting for the sync: ${reason}` }
    return failedWith(run, `${reason}`, 'GitOps sync cancelled', syncSummary({ commit, outcome }))
  }
  if (settings.rollback !== 'auto' || !clients) {
    run.outcome = { state: 'failure', description: `Sync failed: ${reason}` }
    run.result = 'sync-failed'
    const why =
      settings.rollback === 'auto' ? ' Not reverted: no github-token.' : ' Not reverted (rollback: never).'
    return failedWith(run, `${reason}.${why}`, 'GitOps sync failed', syncSummary({ commit, outcome }))
  }

  // Roll back the GitOps way: the engine applies the files as they were before.
  const previous = change.files
    .map((file) => (file.edit.previous ? ImageReference.tryParse(file.edit.previous) : undefined))
    .find((image) => image !== undefined)
  let revert: { sha: string; outcome?: GitOpsSyncOutcome; error?: string }
  try {
    const reverted = await logger.group(`Revert ${commit.slice(0, 7)} on ${change.base}`, () =>
      revertDelivery({
        manifests: change.manifests,
        config: change.config,
        base: change.base,
        environmentName: settings.environmentName,
        sourceSha: settings.sha,
        image: image.format(),
        files: revertFilesOf(change),
        reason,
        clock: run.clock,
        signal: run.signal,
        mergePollMs: run.services.mergePollMs ?? 5000,
        logger
      })
    )
    const onBase = revertOnBase(reverted)
    if ('awaiting' in onBase)
      throw new OperationalError(onBase.awaiting, { title: 'GitOps revert awaits merge' })
    const revertSha = onBase.sha
    revert = { sha: revertSha }
    revert.outcome = await logger.group(`Wait for the revert ${revertSha.slice(0, 7)} to sync`, () =>
      wait(revertSha, run.clock.now(), previous)
    )
  } catch (error) {
    revert = { sha: '', error: (error as Error).message }
  }
  const healthyAgain = revert.outcome?.status === 'succeeded'
  const after = revert.error
    ? `the revert failed: ${revert.error}`
    : healthyAgain
      ? `reverted in ${revert.sha.slice(0, 7)}, healthy again`
      : `reverted in ${revert.sha.slice(0, 7)}, still not healthy: ${revert.outcome?.message ?? ''}`
  run.outcome = { state: 'failure', description: `Sync failed, ${after}: ${reason}` }
  run.result = revert.error ? 'sync-failed' : 'rolled-back'
  return failedWith(
    run,
    `${reason}. ${after[0]!.toUpperCase()}${after.slice(1)}.`,
    'GitOps sync failed',
    syncSummary({ commit, outcome, revert })
  )
}

function failedWith(run: PromotionRun, message: string, title: string, summary: string): StepResult {
  return {
    status: 'failed',
    summary,
    // The report step does not run after a failure: the result is set here.
    ...(run.result ? { outputs: { [Output.Result]: run.result } } : {}),
    error: new OperationalError(`${run.settings.environmentName}: ${message}`, { title })
  }
}
