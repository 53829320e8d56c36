import { Input, type ActionIO } from './action-io.js'
import { abortOnTermination } from './cancellation.js'
import type { Logger } from './logger.js'
import { reportFailure } from './report-failure.js'
import { runnerIO, RunnerLogger } from './runner-io.js'
import { maskKubeconfigCredentials } from './secret-masking.js'
import { readWorkflowContext, type WorkflowContext } from './workflow-context.js'

export interface StageContext {
  logger: Logger
  io: ActionIO
  workflow: WorkflowContext
  env: NodeJS.ProcessEnv
  /** Aborted when the run is cancelled. */
  signal: AbortSignal
}

export interface StageRuntime {
  logger: Logger
  io: ActionIO
  env: NodeJS.ProcessEnv
}

/**
 * Runs one stage as the runner launches it: secret inputs are masked before anything
 * else happens, cancellation signals become an AbortSignal, and every error is reported
 * through the error model. Entrypoints call this and nothing else.
 */
export async function runStage(
  body: (context: StageContext) => Promise<unknown>,
  runtime: StageRuntime = { logger: new RunnerLogger(), io: runnerIO(), env: process.env }
): Promise<void> {
  const { logger, io, env } = runtime
  maskSecretInputs(io, logger)
  const cancellation = abortOnTermination()
  try {
    await body({ logger, io, env, workflow: readWorkflowContext(env), signal: cancellation.signal })
  } catch (error) {
    reportFailure(error, logger, io)
  } finally {
    cancellation.dispose()
  }
}

export function maskSecretInputs(io: ActionIO, logger: Logger): void {
  const token = io.getInput(Input.GithubToken)
  if (token) logger.mask(token)
  maskKubeconfigCredentials(io.getInput(Input.Kubeconfig), logger)
}
