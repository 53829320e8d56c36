import type { RunApproval } from '../../github/run-approvals.js'
import type { Clock } from '../../runtime/clock.js'
import type { DeploymentRecords, DeploymentState, DeploymentSummary } from '../../github/deployment-record.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import type { WorkflowContext } from '../../runtime/workflow-context.js'
import type { ImageReference } from '../../image/image-reference.js'
import { Output, type ActionIO } from '../../runtime/action-io.js'
import type { PromoteSettings } from '../../settings/promote-settings.js'
import type { GitOpsRecord } from '../../gitops/delivery/gitops-record.js'
import { saveDeploymentId } from '../promotion-state.js'

/** Marks the payload of Deployments this action creates, and says which run made each. */
export interface PromotionPayload {
  tool: 'promote-action'
  run_id: string
  run_attempt: string
  run_url: string
  image: string
  digest?: string
  targets: string[]
  /** Who reviewed this run's deployment to the environment (GitHub's review history), when anyone did. */
  approvals?: RunApproval[]
  /** GitOps mode: the manifests change, for a later revert. */
  gitops?: GitOpsRecord
}

const ACTIVE: ReadonlyArray<DeploymentState | undefined> = ['queued', 'in_progress', 'pending']

/** A Deployment record made by another run, still queued or in progress. */
function isOtherActive(deployment: DeploymentSummary, workflow: WorkflowContext): boolean {
  if (!ACTIVE.includes(deployment.state)) return false
  const runId = deployment.payload['run_id']
  if (runId !== undefined) return String(runId) !== workflow.runId
  // GitHub's own record for a job with `environment:` links to the run in its log_url.
  return !(deployment.logUrl ?? '').includes(`/actions/runs/${workflow.runId}`)
}

/**
 * Waits while another run's Deployment for the environment is queued or in progress (a
 * promotion made by other tooling, or by a run that does not use this lock), polling.
 *
 * With `holdingLock`, an active record made by promote-action itself cannot belong to a live
 * promotion: every promote-action run holds the environment's Lease while it promotes, and we
 * hold it now. Such a record was left by a runner that died before its post step; it is closed
 * as `error` instead of blocking every later promotion until lock-timeout.
 */
export async function waitForOtherDeployments(options: {
  records: DeploymentRecords
  environment: string
  workflow: WorkflowContext
  timeoutMs: number
  pollMs: number
  clock: Clock
  logger: Logger
  signal: AbortSignal
  holdingLock?: boolean
  /** Records that hold nothing although active (GitOps: a queued promotion that only awaits its merge). */
  ignore?: (deployment: DeploymentSummary) => boolean
}): Promise<void> {
  const { records, clock, logger } = options
  const started = clock.now()
  let reported = ''
  for (;;) {
    const others = (await records.list(options.environment, { limit: 20 })).filter(
      (d) => isOtherActive(d, options.workflow) && !options.ignore?.(d)
    )
    const abandoned = options.holdingLock ? others.filter((d) => d.payload['tool'] === 'promote-action') : []
    for (const d of abandoned) {
      logger.warning(
        `Deployment ${d.id} of ${options.environment} is still ${d.state}, but its run no longer holds the environment lock (its runner stopped before the post step${d.logUrl ? `: ${d.logUrl}` : ''}); closing it as error`
      )
      await records
        .setStatus(d.id, 'error', {
          description: 'Abandoned: its run stopped without closing it; a later promotion took the lock'
        })
        .catch((error: Error) => logger.warning(`Could not close deployment ${d.id}: ${error.message}`))
    }
    const active = others.filter((d) => !abandoned.includes(d))
    if (active.length === 0) return
    const text = active
      .map((d) => `deployment ${d.id} (${d.state}${d.logUrl ? `, ${d.logUrl}` : ''})`)
      .join(', ')
    if (text !== reported) {
      logger.info(`Waiting for another promotion of ${options.environment} to finish: ${text}`)
      reported = text
    }
    const elapsed = clock.now() - started
    if (elapsed >= options.timeoutMs)
      throw new OperationalError(
        `Timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${text} of ${options.environment} to finish. Set its status (or raise lock-timeout) and retry.`,
        { title: 'Promotion lock timeout' }
      )
    try {
      await clock.sleep(Math.min(options.pollMs, options.timeoutMs - elapsed), options.signal)
    } catch {
      throw new CancellationError(`Cancelled while waiting for another promotion of ${options.environment}`)
    }
  }
}

/**
 * Opens the Deployment record of this promotion (status in_progress) and hands its id to the
 * post step and the outputs. Re-running the same run attempt reuses the record it made before
 * (found by the payload's run id and attempt), so a retry adds statuses, not a second record.
 */
export async function startDeploymentRecord(options: {
  records: DeploymentRecords
  settings: PromoteSettings
  workflow: WorkflowContext
  image: ImageReference
  /** What the promotion changes, for the payload: workloads, or the manifest files in gitops mode. */
  targets: string[]
  approvals?: RunApproval[]
  /** More payload fields (GitOps: `gitops`). */
  payload?: Record<string, unknown>
  io: ActionIO
  logger: Logger
}): Promise<number> {
  const { records, settings, workflow, image, logger } = options
  const environment = settings.environmentName
  const payload: PromotionPayload = {
    ...options.payload,
    tool: 'promote-action',
    run_id: workflow.runId,
    run_attempt: workflow.runAttempt,
    run_url: workflow.runUrl,
    image: image.format(),
    ...(image.digest ? { digest: image.digest } : {}),
    targets: options.targets,
    ...(options.approvals?.length ? { approvals: options.approvals } : {})
  }
  const existing = (await records.list(environment, { sha: settings.sha, limit: 50 })).find(
    (d) =>
      String(d.payload['run_id']) === workflow.runId &&
      String(d.payload['run_attempt']) === workflow.runAttempt
  )
  let id: number
  if (existing) {
    id = existing.id
    logger.info(`Reusing Deployment ${id} made by this run attempt`)
  } else {
    id = await records.create({
      environment,
      sha: settings.sha,
      production: settings.environment.production ?? environment === 'production',
      description: `Promote ${payload.image}`,
      payload: payload as unknown as Record<string, unknown>
    })
    logger.info(`Created Deployment ${id} for ${environment}`)
  }
  await records.setStatus(id, 'in_progress', {
    description: `Promoting ${payload.image}`,
    logUrl: workflow.runUrl,
    environmentUrl: settings.environment.url
  })
  saveDeploymentId(options.io, id)
  options.io.setOutput(Output.DeploymentId, String(id))
  return id
}
