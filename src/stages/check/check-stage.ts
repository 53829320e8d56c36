import { isAbsolute, join } from 'node:path'
import type { CheckContext } from '../../gates/environment-check.js'
import type { GateGitHub } from '../../gates/gate-context.js'
import { lazyKubernetes, type LazyKubernetes } from '../../gates/gate-kubernetes.js'
import { environmentChecks } from '../../gates/registry.js'
import { Output } from '../../runtime/action-io.js'
import { systemClock, type Clock } from '../../runtime/clock.js'
import { CancellationError, OperationalError } from '../../runtime/errors.js'
import { prefixedLogger } from '../../runtime/prefixed-logger.js'
import type { StageContext } from '../../runtime/run-stage.js'
import { readCheckSettings, type CheckSettings, type PlannedCheck } from '../../settings/check-settings.js'
import {
  driftReportJson,
  driftReportMarkdown,
  isDrift,
  type CheckRecord,
  type DriftReportJson
} from './drift-report.js'

/** What a check run needs from outside, so tests and the bench can count and time it. */
export interface CheckDependencies {
  github: GateGitHub
  kubernetes: LazyKubernetes
  clock: Clock
}

export interface CheckStageOptions {
  clock?: Clock
}

/**
 * `uses: org/promote-action/check@v1` (or the root action's `stage: check`): the drift report
 * for a scheduled workflow. Runs the environment checks on every environment of the config,
 * each against its `from:` where a check compares two: the checks its gates name with their
 * settings, and the ones that apply by default with theirs. Reports a job summary with the
 * tables and the `report` (JSON) and `drift` outputs. Drift fails the step only with
 * `fail-on: drift`; nothing is promoted, locked or written anywhere but the step's own outputs.
 */
export async function checkStage(context: StageContext, options: CheckStageOptions = {}): Promise<void> {
  const settings = await readCheckSettings(context.io, context.workflow, context.env)
  const dependencies = await createCheckDependencies(settings, context, options)
  const report = await runChecks(settings, context, dependencies)
  if (context.signal.aborted) throw new CancellationError('The drift report was cancelled')
  if (report.drift && settings.failOn === 'drift') {
    const drifted = report.environments.filter((e) => e.drift).map((e) => e.environment)
    throw new OperationalError(
      `Drift in ${drifted.join(', ')}: ${report.environments
        .flatMap((e) =>
          e.checks.filter((c) => isDrift(c.status)).map((c) => `${e.environment} ${c.name}: ${c.summary}`)
        )
        .join('; ')}`,
      { title: 'Environment drift' }
    )
  }
}

export async function createCheckDependencies(
  settings: CheckSettings,
  context: StageContext,
  options: CheckStageOptions = {}
): Promise<CheckDependencies> {
  const [{ gitHubClients }, { createGateGitHub }] = await Promise.all([
    import('../../github/run-clients.js'),
    import('../../gates/gate-github.js')
  ])
  const clients = await gitHubClients({
    token: settings.githubToken,
    workflow: context.workflow,
    logger: context.logger
  })()
  // The settings require a token.
  if (!clients) throw new Error('the check stage runs only with a github-token')
  return {
    github: createGateGitHub(clients, settings.sha),
    kubernetes: lazyKubernetes({ kubeconfig: settings.kubeconfig, env: context.env, logger: context.logger }),
    clock: options.clock ?? systemClock
  }
}

/** Runs every planned check at once (they share one LiveObjects) and publishes the report. */
export async function runChecks(
  settings: CheckSettings,
  context: StageContext,
  deps: CheckDependencies
): Promise<DriftReportJson> {
  const { logger } = context
  const started = deps.clock.now()
  logger.info(
    `Drift report over ${settings.config.order.length} environment(s): ${describePlan(settings.checks)}`
  )
  const records = await logger.group(`Running ${settings.checks.length} environment check(s)`, () =>
    Promise.all(settings.checks.map((planned) => runOne(planned, settings, context, deps)))
  )
  for (const record of records) {
    const icon = { passed: '✅', failed: '❌', pending: '⏳', skipped: '⏭️', errored: '⚠️' }[record.status]
    logger.info(`${icon} ${record.environment} ${record.name}: ${record.status}: ${record.summary}`)
    for (const warning of record.warnings)
      logger.warning(warning, { title: `${record.environment} ${record.name}` })
    if (isDrift(record.status))
      logger.warning(`${record.name} ${record.status}: ${record.summary}`, {
        title: `Drift in ${record.environment}: ${record.name}`
      })
  }
  const report = driftReportJson(
    records,
    {
      generatedAt: new Date(deps.clock.now()).toISOString(),
      sha: settings.sha,
      failOn: settings.failOn,
      durationMs: Math.round(deps.clock.now() - started)
    },
    settings.config.order
  )
  logger.info(
    report.drift
      ? `Drift found in ${report.environments
          .filter((e) => e.drift)
          .map((e) => e.environment)
          .join(', ')}${settings.failOn === 'never' ? ' (fail-on: never: the step succeeds)' : ''}`
      : 'No drift found'
  )
  await context.io
    .appendSummary(
      driftReportMarkdown(records, report, {
        runUrl: context.workflow.runUrl,
        checkOrder: environmentChecks.map((c) => c.gate.name)
      })
    )
    .catch((error: unknown) => logger.warning(`Could not write the job summary: ${(error as Error).message}`))
  context.io.setOutput(Output.Drift, String(report.drift))
  context.io.setOutput(Output.Report, JSON.stringify(report))
  return report
}

async function runOne(
  planned: PlannedCheck,
  settings: CheckSettings,
  context: StageContext,
  deps: CheckDependencies
): Promise<CheckRecord> {
  const started = deps.clock.now()
  const checkContext: CheckContext = {
    purpose: 'report',
    environment: planned.environment,
    upstream: planned.upstream,
    sha: settings.sha,
    image: undefined,
    workflow: context.workflow,
    env: context.env,
    github: deps.github,
    kubernetesConfigured: settings.kubernetesConfigured,
    kubernetes: deps.kubernetes,
    clock: deps.clock,
    logger: prefixedLogger(context.logger, `${planned.environment.name} ${planned.name}`),
    signal: context.signal,
    freezeOverride: undefined,
    ownCheckRunName: '',
    resolvePath: (path) => (isAbsolute(path) ? path : join(context.workflow.workspace, path))
  }
  const base = {
    environment: planned.environment.name,
    upstream: planned.upstream?.name,
    check: planned.check.gate.name,
    name: planned.name,
    configured: planned.configured
  }
  try {
    const found = await planned.check.check(planned.settings, checkContext)
    return {
      ...base,
      status: found.result.status,
      summary: found.result.summary,
      warnings: found.result.warnings ?? [],
      markdown: found.markdown,
      findings: found.findings,
      durationMs: Math.round(deps.clock.now() - started)
    }
  } catch (error) {
    return {
      ...base,
      status: 'errored',
      summary: error instanceof Error ? error.message : String(error),
      warnings: [],
      markdown: '',
      findings: [],
      durationMs: Math.round(deps.clock.now() - started)
    }
  }
}

function describePlan(checks: PlannedCheck[]): string {
  const byEnvironment = new Map<string, string[]>()
  for (const c of checks)
    byEnvironment.set(c.environment.name, [
      ...(byEnvironment.get(c.environment.name) ?? []),
      `${c.name}${c.configured ? '' : '*'}`
    ])
  return (
    [...byEnvironment].map(([env, names]) => `${env}: ${names.join(', ')}`).join('; ') +
    (checks.some((c) => !c.configured) ? ' (* default settings)' : '')
  )
}
