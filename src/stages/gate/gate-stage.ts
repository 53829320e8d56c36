import { isAbsolute, join } from 'node:path'
import { formatDuration } from '../../config/duration.js'
import type { GateContext } from '../../gates/gate-context.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import { Output, type ActionIO } from '../../runtime/action-io.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import type { StageContext } from '../../runtime/run-stage.js'
import type { WorkflowContext } from '../../runtime/workflow-context.js'
import { readGateSettings, type ConfiguredGate, type GateSettings } from '../../settings/gate-settings.js'
import { evaluateGates, type GateRecord } from './evaluate-gates.js'
import { createGateGitHub, type GateRunGitHub } from '../../gates/gate-github.js'
import { lazyKubernetes, type LazyKubernetes } from '../../gates/gate-kubernetes.js'
import { decide, reportJson, type GateOutcome } from './gate-outcome.js'
import { prefixedLogger } from '../../runtime/prefixed-logger.js'
import { CheckRunPublisher, externalIdFor } from './publish-check-run.js'
import { headline, renderDetails, renderSummary } from './report-markdown.js'
import { OUTPUT_LIMIT } from '../../github/check-runs.js'

/** What a gate run needs from outside: the runner's IO, the clients, the clock. */
export interface GateDependencies {
  logger: Logger
  io: ActionIO
  workflow: WorkflowContext
  env: NodeJS.ProcessEnv
  /** The run's cancellation. */
  signal: AbortSignal
  github: GateRunGitHub
  kubernetes: LazyKubernetes
  clock: Clock
  /** Pause between re-checks of pending gates; default 15 s. */
  pollIntervalMs?: number
}

const DEFAULT_POLL_MS = 15_000
/** The runner rejects a step summary over 1 MiB; characters here may take up to 3 bytes. */
const JOB_SUMMARY_LIMIT = 300_000

/**
 * `uses: org/promote-action/gate@v1`: may this SHA promote into the environment? Reads every
 * input and the config first (all problems at once, before any API call), runs the gates,
 * reports them, and fails the step in enforce mode when they did not all pass.
 */
export async function gateStage(context: StageContext, options: GateStageOptions = {}): Promise<GateOutcome> {
  const settings = await readGateSettings(context.io, context.workflow, context.env)
  const dependencies = await createGateDependencies(settings, context, options)
  const outcome = await runGates(settings, dependencies)
  if (context.signal.aborted)
    throw new CancellationError(
      `The gate stage was cancelled; the check run "${settings.checkRunName}" records what finished`
    )
  failUnlessPassed(settings, outcome)
  return outcome
}

/** Seams for tests and the demo: time, and how often pending gates are re-checked. */
export interface GateStageOptions {
  clock?: Clock
  pollIntervalMs?: number
}

/** The real clients for a gate run: Octokit (loaded now), Kubernetes (loaded only if a gate asks). */
export async function createGateDependencies(
  settings: GateSettings,
  context: StageContext,
  options: GateStageOptions = {}
): Promise<GateDependencies> {
  const { gitHubClients } = await import('../../github/run-clients.js')
  const clients = await gitHubClients({
    token: settings.githubToken,
    workflow: context.workflow,
    logger: context.logger
  })()
  // The settings require a token for the gate stage.
  if (!clients) throw new Error('the gate stage runs only with a github-token')
  return {
    logger: context.logger,
    io: context.io,
    workflow: context.workflow,
    env: context.env,
    signal: context.signal,
    github: createGateGitHub(clients, settings.sha),
    kubernetes: lazyKubernetes({ kubeconfig: settings.kubeconfig, env: context.env, logger: context.logger }),
    clock: options.clock ?? systemClock,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {})
  }
}

/**
 * Runs the configured gates and reports them: the check run `promotion gates (<env>)` on the
 * SHA, the job summary, and the outputs passed, failed-gates, report and check-run-id. Never
 * throws for a gate verdict; the caller decides what a failed verdict means (gateStage fails
 * the step in enforce mode). The root `stage: all` runner goes through gateStage.
 */
export async function runGates(settings: GateSettings, deps: GateDependencies): Promise<GateOutcome> {
  const { logger, clock } = deps
  const started = clock.now()
  describeRun(settings, logger)
  const publisher = new CheckRunPublisher(deps.github, {
    name: settings.checkRunName,
    sha: settings.sha,
    externalId: externalIdFor(settings.environmentName),
    detailsUrl: deps.workflow.runUrl
  })
  const outcomeOf = (gates: GateRecord[]): GateOutcome => ({
    environment: settings.environmentName,
    upstream: settings.upstream?.name,
    sha: settings.sha,
    mode: settings.mode,
    ...decide(gates),
    gates,
    freezeOverride: settings.freezeOverride
      ? { reason: settings.freezeOverride, actor: deps.workflow.actor }
      : undefined,
    durationMs: Math.round(clock.now() - started),
    checkRun: undefined,
    runUrl: deps.workflow.runUrl
  })

  const records = await logger.group(
    `Running ${settings.gates.length} gate(s) for ${settings.environmentName}`,
    () =>
      evaluateGates(settings.gates, {
        pending: settings.pending,
        timeoutMs: settings.timeoutMs,
        clock,
        logger,
        signal: deps.signal,
        pollIntervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_MS,
        contextFor: (gate, signal) => gateContext(gate, signal, settings, deps),
        newRound: () => {
          deps.github.newRound()
          deps.kubernetes.newRound()
        },
        // While waiting, show the PR which gates are pending.
        onWaiting: async (interim) => {
          const outcome = outcomeOf(interim)
          const waitingFor = interim.filter((g) => g.status === 'pending').map((g) => g.name)
          await publisher.publish({
            status: 'in_progress',
            output: {
              title: `Waiting for ${waitingFor.join(', ')}`,
              summary: renderSummary(
                outcome,
                { maxLength: OUTPUT_LIMIT },
                `Waiting for ${waitingFor.join(', ')} (${settings.environmentName})`
              )
            }
          })
        }
      })
  )

  const outcome = outcomeOf(records)
  logResults(outcome, settings, logger)
  outcome.checkRun = await logger.group('Reporting the gates', async () => {
    try {
      const written = await publisher.publish({
        status: 'completed',
        conclusion: outcome.conclusion,
        output: {
          title: headline(outcome),
          summary: renderSummary(outcome, { maxLength: OUTPUT_LIMIT }),
          text: renderDetails(outcome, { maxLength: OUTPUT_LIMIT })
        }
      })
      logger.info(`Check run "${settings.checkRunName}" ${written.url ?? written.id}: ${outcome.conclusion}`)
      return written
    } catch (error) {
      // The verdict stands without the check run: the summary and outputs still carry it.
      logger.error(
        `Could not publish the check run "${settings.checkRunName}": ${(error as Error).message}`,
        { title: 'Gate report not published' }
      )
      return undefined
    }
  })
  await deps.io
    .appendSummary(
      `${renderSummary(outcome, { maxLength: JOB_SUMMARY_LIMIT })}\n\n<details><summary>Evidence</summary>\n\n${renderDetails(outcome, { maxLength: JOB_SUMMARY_LIMIT })}\n\n</details>\n`
    )
    .catch((error: unknown) => logger.warning(`Could not write the job summary: ${(error as Error).message}`))
  deps.io.setOutput(Output.Passed, String(outcome.passed))
  deps.io.setOutput(Output.FailedGates, JSON.stringify(outcome.failedGates))
  deps.io.setOutput(Output.Report, reportJson(outcome))
  deps.io.setOutput(Output.CheckRunId, outcome.checkRun ? String(outcome.checkRun.id) : '')
  return outcome
}

/** In enforce mode a verdict other than passed fails the step; report mode only says so. */
export function failUnlessPassed(
  settings: Pick<GateSettings, 'mode' | 'checkRunName'>,
  outcome: GateOutcome
): void {
  if (outcome.passed) return
  // Each gate's own annotation says why; the failure only names them, so no reason is said twice.
  const gates = outcome.gates
    .filter((g) => outcome.failedGates.includes(g.name))
    .map((g) => `${g.name} (${g.status})`)
    .join(', ')
  if (settings.mode === 'enforce')
    throw new OperationalError(
      `Promotion gates did not pass for ${outcome.environment}: ${gates}. Each one's reason is in its annotation above and in the check run "${settings.checkRunName}".`,
      { title: 'Promotion gates failed' }
    )
}

function gateContext(
  gate: ConfiguredGate,
  signal: AbortSignal,
  settings: GateSettings,
  deps: GateDependencies
): GateContext {
  return {
    environment: settings.environment,
    upstream: settings.upstream,
    sha: settings.sha,
    image: settings.image,
    workflow: deps.workflow,
    env: deps.env,
    github: deps.github,
    kubernetesConfigured: settings.kubernetesConfigured,
    kubernetes: deps.kubernetes,
    clock: deps.clock,
    logger: prefixedLogger(deps.logger, gate.name),
    signal,
    freezeOverride: settings.freezeOverride,
    ownCheckRunName: settings.checkRunName,
    resolvePath: (path) => (isAbsolute(path) ? path : join(deps.workflow.workspace, path))
  }
}

function describeRun(settings: GateSettings, logger: Logger): void {
  const from = settings.upstream ? ` from ${settings.upstream.name}` : ''
  const modeWhy =
    settings.modeSource === 'event'
      ? ` (default for ${settings.mode === 'report' ? 'pull request' : 'non-pull-request'} events)`
      : ` (${settings.modeSource})`
  logger.info(
    `Gates for ${settings.sha.slice(0, 7)} into ${settings.environmentName}${from}: ${settings.gates.map((g) => g.name).join(', ') || 'none configured'}`
  )
  logger.info(
    `Mode ${settings.mode}${modeWhy}; pending gates ${settings.pending === 'wait' ? 'are waited for' : 'fail'}; timeout ${formatDuration(settings.timeoutMs)}`
  )
  if (settings.freezeOverride) {
    const hasFreeze = settings.gates.some((g) => g.uses === 'freeze')
    logger.warning(
      hasFreeze
        ? `freeze-override given: "${settings.freezeOverride}"; it is recorded in the check run and the summary`
        : `freeze-override given, but ${settings.environmentName} has no freeze gate: it changes nothing`
    )
  }
}

function logResults(outcome: GateOutcome, settings: GateSettings, logger: Logger): void {
  const icon = { passed: '✅', failed: '❌', pending: '⏳', skipped: '⏭️', errored: '⚠️' } as const
  for (const gate of outcome.gates) {
    // A gate that did not pass is said once, as an annotation; the others as log lines.
    if (gate.status === 'failed' || gate.status === 'errored' || gate.status === 'pending') {
      const annotate = settings.mode === 'enforce' ? logger.error.bind(logger) : logger.warning.bind(logger)
      annotate(`${gate.name} ${gate.status}: ${gate.summary}`, { title: `Gate ${gate.name} ${gate.status}` })
    } else logger.info(`${icon[gate.status]} ${gate.name}: ${gate.status}: ${gate.summary}`)
    for (const warning of gate.warnings) logger.warning(warning, { title: `Gate ${gate.name}` })
  }
  logger.info(headline(outcome))
  if (!outcome.passed && settings.mode === 'report')
    logger.info(
      `Report mode: the step succeeds; the check run "${settings.checkRunName}" carries the verdict (${outcome.conclusion}).`
    )
}
