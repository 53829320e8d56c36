import { checkAll } from '../../health/check-all.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import { httpChecksFromConfig, type PromotedValues } from '../../health/from-config.js'
import type { HttpCheck } from '../../health/http-check.js'
import { redact, secretValues } from '../../health/redact.js'
import type { DeploymentRecords } from '../../github/deployment-record.js'
import type { GitHubClients } from '../../github/run-clients.js'
import type { ImageReference } from '../../image/image-reference.js'
import { Output } from '../../runtime/action-io.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import { SUMMARY_LIMIT_BYTES, truncateMarkdown } from '../../runtime/markdown.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readVerifySettings, type VerifySettings } from '../../settings/verify-settings.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import type { GitOpsDelivery, GitOpsScope } from './gitops-verification.js'
import {
  failureReasons,
  latencies,
  outcomeFromHttp,
  type VerificationRound,
  type VerifyReport
} from './verify-report.js'
import { verifySummary } from './verify-summary.js'
import type { VerifyTarget } from './verify-targets.js'

/** What tests, the demo and the bench may replace. */
export interface VerifyDeps {
  clock?: Clock
  /** Backoff jitter source, in [0, 1). */
  random?: () => number
}

interface KubernetesScope {
  clusters: ConnectedCluster[]
  targets: VerifyTarget[]
  problems: Array<{ cluster: string; message: string }>
}

/**
 * The verify stage (`uses: org/promote-action/verify@v1`): proves the environment is healthy on
 * the promoted version, then closes the promotion's GitHub Deployment as success or failure.
 *
 * 1. Settings first (every input and config problem at once; nothing touched before).
 * 2. HTTP checks and Kubernetes checks together, each HTTP check in parallel with retries and a
 *    soak window (src/health), each target's rollout / restarts / PDB (kubernetes-checks.ts).
 *    GitOps environments with `gitops.sync` first wait for Argo CD or Flux to sync the promotion's
 *    commit (from the Deployment record) and report it healthy, and the targets to roll out
 *    (gitops-verification.ts); the HTTP checks follow.
 * 3. Unhealthy with on-failure: rollback: every target back to its recorded images (GitOps: the
 *    promotion's commit reverted, and its sync waited for), and verified again (expecting the
 *    previous version); both rounds are reported.
 * 4. Outputs (healthy, report, latencies), the job summary, the Deployment status; the step fails
 *    when the first verification failed, whatever the rollback achieved.
 * Secret header values are masked in the log and redacted from every output.
 */
export async function verifyStage(context: StageContext, deps: VerifyDeps = {}): Promise<void> {
  const { logger, io, workflow, env, signal } = context
  const settings = await readVerifySettings(io, workflow, env)
  const secrets = [...new Set(settings.checks.flatMap((check) => secretValues(check)))]
  for (const secret of secrets) logger.mask(secret)
  const clock = deps.clock ?? systemClock
  const scrub = (text: string) => redact(text, secrets)
  const started = clock.now()

  const kubernetes = await connectKubernetes(settings, context)
  let clients: Promise<GitHubClients | undefined> | undefined
  const getClients = () => (clients ??= openClients(settings, context))
  const getRecords = async () => (await getClients())?.deployments
  const gitops = await connectGitOps(settings, context, getClients)

  const round = (checks: HttpCheck[], image: ImageReference | undefined) =>
    verifyRound({
      settings,
      checks,
      image,
      kubernetes,
      context,
      clock,
      ...(deps.random ? { random: deps.random } : {})
    })

  const report: VerifyReport = {
    environment: settings.environmentName,
    sha: settings.sha,
    ...(settings.image ? { image: settings.image.format() } : {}),
    healthy: false,
    onFailure: settings.onFailure,
    verification: { healthy: false, durationMs: 0, checks: [] }
  }
  let failure: unknown
  try {
    let delivery: GitOpsDelivery | string | undefined
    report.verification = await logger.group(`Verify ${settings.environmentName}`, async () => {
      if (!gitops) return round(settings.checks, settings.image)
      const { findGitOpsDelivery } = await import('./gitops-verification.js')
      delivery = await findGitOpsDelivery(gitops, settings)
      return gitOpsRound(settings, gitops, delivery, context, clock, round)
    })
    report.healthy = report.verification.healthy
    if (!report.healthy && settings.onFailure === 'rollback' && !signal.aborted) {
      if (kubernetes)
        report.rollback = await rollBackAndVerifyAgain(
          settings,
          kubernetes,
          context,
          clock,
          getRecords,
          round
        )
      else if (gitops && typeof delivery === 'object')
        report.rollback = await revertAndVerifyAgain(
          settings,
          gitops,
          delivery,
          context,
          clock,
          getRecords,
          round
        )
    }
  } catch (error) {
    failure = error
  }
  const cancelled = signal.aborted

  // The record is closed whatever happened above: an open "in progress" record misleads everyone.
  const reasons = failure
    ? [`verification could not complete: ${(failure as Error).message ?? String(failure)}`]
    : cancelled
      ? ['verification was cancelled']
      : failureReasons(report.verification)
  report.deployment = await closeRecord(settings, context, getRecords, report, reasons.map(scrub))

  const reportJson = scrub(JSON.stringify(report))
  io.setOutput(Output.Healthy, String(report.healthy && !failure && !cancelled))
  io.setOutput(Output.Report, reportJson)
  io.setOutput(Output.Latencies, scrub(JSON.stringify(latencies(report.verification))))
  await io.appendSummary(
    truncateMarkdown(scrub(verifySummary(report)), SUMMARY_LIMIT_BYTES, workflow.runUrl || undefined)
  )
  logger.info(
    `Verification of ${settings.environmentName} took ${clock.now() - started} ms: ${report.healthy ? 'healthy' : 'NOT healthy'}`
  )

  if (failure) throw failure
  if (cancelled) throw new CancellationError(`Verification of ${settings.environmentName} was cancelled`)
  if (!report.healthy) {
    const rolledBack = report.rollback
      ? report.rollback.verification?.healthy
        ? ' Rolled back to the previous version, which is healthy again.'
        : ' The rollback did not restore a healthy environment: act now.'
      : ''
    throw new OperationalError(
      scrub(
        `${settings.environmentName} is not healthy on ${report.image ?? settings.sha}: ${reasons.join('; ')}.${rolledBack}`
      ),
      { title: 'Verification failed' }
    )
  }
}

/** Connects to the clusters only when a Kubernetes check or a rollback needs them. */
async function connectKubernetes(
  settings: VerifySettings,
  context: StageContext
): Promise<KubernetesScope | undefined> {
  const environment = settings.environment
  const k8s = environment.health.kubernetes
  const needed =
    environment.mode === 'kubernetes' &&
    (k8s.rollout ||
      k8s['no-restarts'] ||
      k8s['pod-disruption-budgets'].length > 0 ||
      settings.onFailure === 'rollback')
  if (!needed) return undefined
  const [{ ClusterConnector }, { resolveVerifyTargets }] = await Promise.all([
    import('../../targets/connect-clusters.js'),
    import('./verify-targets.js')
  ])
  const clusters = new ClusterConnector({
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger: context.logger
  }).clusters(environment)
  const { targets, problems } = await resolveVerifyTargets(environment, clusters)
  return { clusters, targets, problems }
}

/**
 * GitOps: the engine's sync and health at the promotion's commit (and the targets' rollouts),
 * then the HTTP checks; when the sync fails they are not run (they would judge the old version).
 */
async function gitOpsRound(
  settings: VerifySettings,
  gitops: GitOpsScope,
  delivery: GitOpsDelivery | string,
  context: StageContext,
  clock: Clock,
  round: (checks: HttpCheck[], image: ImageReference | undefined) => Promise<VerificationRound>
): Promise<VerificationRound> {
  const started = clock.now()
  const { checkGitOpsSync } = await import('./gitops-verification.js')
  const sync = await checkGitOpsSync({
    scope: gitops,
    settings,
    delivery,
    expectImage: true,
    clock,
    logger: context.logger,
    signal: context.signal
  })
  if (!sync.healthy || settings.checks.length === 0)
    return { healthy: sync.healthy, durationMs: clock.now() - started, checks: [sync] }
  const http = await round(settings.checks, settings.image)
  return { healthy: http.healthy, durationMs: clock.now() - started, checks: [sync, ...http.checks] }
}

/** GitOps on-failure: rollback: revert the promotion's commit, wait for its sync, run the HTTP checks again. */
async function revertAndVerifyAgain(
  settings: VerifySettings,
  gitops: GitOpsScope,
  delivery: GitOpsDelivery,
  context: StageContext,
  clock: Clock,
  getRecords: () => Promise<DeploymentRecords | undefined>,
  round: (checks: HttpCheck[], image: ImageReference | undefined) => Promise<VerificationRound>
): Promise<NonNullable<VerifyReport['rollback']>> {
  const { logger, env } = context
  const { revertAndWait } = await import('./gitops-verification.js')
  const started = clock.now()
  const { target, check } = await logger.group(`Revert the promotion of ${settings.environmentName}`, () =>
    revertAndWait({ scope: gitops, settings, delivery, clock, logger, signal: context.signal })
  )
  if (!check) return { targets: [target] }
  if (!check.healthy || settings.checks.length === 0)
    return {
      targets: [target],
      verification: { healthy: check.healthy, durationMs: clock.now() - started, checks: [check] }
    }
  const { findPreviousSha } = await import('./close-deployment.js')
  const records = await getRecords().catch(() => undefined)
  const previousSha = records
    ? await findPreviousSha(records, settings.environmentName, settings.sha, logger)
    : undefined
  const { checks } = httpChecksFromConfig(
    settings.environment.health.http,
    { sha: previousSha ?? '' },
    env,
    'health.http'
  )
  const http = await logger.group(`Verify ${settings.environmentName} after the revert`, () =>
    round(checks, undefined)
  )
  return {
    targets: [target],
    verification: {
      healthy: http.healthy,
      durationMs: clock.now() - started,
      checks: [check, ...http.checks]
    }
  }
}

async function verifyRound(request: {
  settings: VerifySettings
  checks: HttpCheck[]
  image: ImageReference | undefined
  kubernetes: KubernetesScope | undefined
  context: StageContext
  clock: Clock
  random?: () => number
}): Promise<VerificationRound> {
  const { settings, context, clock } = request
  const { logger, signal } = context
  const started = clock.now()
  const k8s = settings.environment.health.kubernetes
  const kubernetesChecked =
    request.kubernetes && (k8s.rollout || k8s['no-restarts'] || k8s['pod-disruption-budgets'].length > 0)
  const [http, kube] = await Promise.all([
    request.checks.length
      ? checkAll(request.checks, settings.policy, {
          logger,
          clock,
          signal,
          ...(request.random ? { random: request.random } : {})
        })
      : Promise.resolve([]),
    kubernetesChecked
      ? import('./kubernetes-checks.js').then(({ checkKubernetes }) =>
          checkKubernetes({
            environment: settings.environment,
            clusters: request.kubernetes!.clusters,
            targets: request.kubernetes!.targets,
            targetProblems: request.kubernetes!.problems,
            image: request.image,
            timeoutMs: settings.timeoutMs,
            soakMs: settings.policy.soakMs,
            logger,
            clock,
            signal
          })
        )
      : Promise.resolve([])
  ])
  const checks = [...http.map(outcomeFromHttp), ...kube]
  if (checks.length === 0)
    logger.warning(`No health checks are configured for ${settings.environmentName}: nothing was verified`)
  return { healthy: checks.every((c) => c.healthy), durationMs: clock.now() - started, checks }
}

async function rollBackAndVerifyAgain(
  settings: VerifySettings,
  kubernetes: KubernetesScope,
  context: StageContext,
  clock: Clock,
  getRecords: () => Promise<DeploymentRecords | undefined>,
  round: (checks: HttpCheck[], image: ImageReference | undefined) => Promise<VerificationRound>
): Promise<NonNullable<VerifyReport['rollback']>> {
  const { logger, env, signal } = context
  const { rollBackToRecorded } = await import('./rollback-to-recorded.js')
  const outcome = await logger.group(`Roll back ${settings.environmentName}`, () =>
    rollBackToRecorded({
      targets: kubernetes.targets,
      sha: settings.sha,
      image: settings.image,
      timeoutMs: settings.timeoutMs,
      logger,
      clock,
      signal
    })
  )
  if (!outcome.targets.some((t) => t.rollout !== undefined)) return { targets: outcome.targets }

  // The second verification expects the previous version to be served.
  const { findPreviousSha } = await import('./close-deployment.js')
  const records = await getRecords().catch(() => undefined)
  const previousSha = records
    ? await findPreviousSha(records, settings.environmentName, settings.sha, logger)
    : undefined
  const previous = outcome.previousImage
  const values: PromotedValues = {
    sha: previousSha ?? previous?.tag ?? '',
    ...(previous?.tag !== undefined ? { tag: previous.tag, version: previous.tag } : {}),
    ...(previous?.digest !== undefined ? { digest: previous.digest } : {})
  }
  const { checks } = httpChecksFromConfig(settings.environment.health.http, values, env, 'health.http')
  const verification = await logger.group(`Verify ${settings.environmentName} after the rollback`, () =>
    round(checks, previous)
  )
  return { targets: outcome.targets, verification }
}

async function openClients(
  settings: VerifySettings,
  context: StageContext
): Promise<GitHubClients | undefined> {
  if (!context.workflow.owner) return undefined
  const { gitHubClients } = await import('../../github/run-clients.js')
  return gitHubClients({
    token: settings.githubToken,
    workflow: context.workflow,
    logger: context.logger
  })()
}

/** GitOps with `gitops.sync`: the environment's clusters (the engine's object, the targets) and the GitHub clients. */
async function connectGitOps(
  settings: VerifySettings,
  context: StageContext,
  getClients: () => Promise<GitHubClients | undefined>
): Promise<GitOpsScope | undefined> {
  const environment = settings.environment
  const sync = environment.mode === 'gitops' ? environment.gitops?.sync : undefined
  if (!sync) return undefined
  const { ClusterConnector } = await import('../../targets/connect-clusters.js')
  const clusters = new ClusterConnector({
    kubeconfig: settings.kubeconfig,
    env: context.env,
    logger: context.logger
  }).clusters(environment)
  const clients = await getClients()
  return { sync, clusters, octokit: clients?.octokit, records: clients?.deployments }
}

/**
 * success (with environment_url) when healthy, failure with the reasons otherwise. A missing
 * record or a GitHub error is a warning: the verdict stands on its own.
 */
async function closeRecord(
  settings: VerifySettings,
  context: StageContext,
  getRecords: () => Promise<DeploymentRecords | undefined>,
  report: VerifyReport,
  reasons: string[]
): Promise<VerifyReport['deployment']> {
  const { logger, workflow } = context
  try {
    const records = await getRecords()
    if (!records) {
      logger.warning('No github-token (or GITHUB_REPOSITORY): the GitHub Deployment record was not closed')
      return { id: null, note: 'not closed: no github-token' }
    }
    const { findDeployment } = await import('./close-deployment.js')
    const deployment = await findDeployment(records, {
      deploymentId: settings.deploymentId,
      environment: settings.environmentName,
      sha: settings.sha
    })
    if (!deployment) {
      logger.warning(
        `No GitHub Deployment of ${settings.environmentName} for ${settings.sha} was found; nothing to close`
      )
      return { id: null, note: `none found for ${settings.environmentName} at ${settings.sha}` }
    }
    const healthy = reasons.length === 0 && report.healthy
    const state = healthy ? 'success' : 'failure'
    // The description is cut at 140 characters: the rollback outcome goes first.
    const rolledBack = report.rollback
      ? `, rolled back (${report.rollback.verification?.healthy ? 'healthy again' : 'still unhealthy'})`
      : ''
    const checks = report.verification.checks.length
    const description = healthy
      ? `Healthy: ${checks} check(s) passed`
      : `Unhealthy${rolledBack}: ${reasons.join('; ')}`
    await records.setStatus(deployment.id, state, {
      description,
      ...(workflow.runUrl ? { logUrl: workflow.runUrl } : {}),
      ...(healthy && settings.environmentUrl ? { environmentUrl: settings.environmentUrl } : {})
    })
    logger.info(`GitHub Deployment ${deployment.id} set to ${state}`)
    return { id: deployment.id, state, description: description.slice(0, 140) }
  } catch (error) {
    logger.warning(`Could not close the GitHub Deployment record: ${(error as Error).message}`)
    return { id: null, note: `not closed: ${(error as Error).message}` }
  }
}
