import type { ActionIO } from './action-io.js'
import { CancellationError, ConfigurationError, describeProblem, OperationalError } from './errors.js'
import type { Logger } from './logger.js'

/**
 * Maps the error model to what the runner shows: an `::error` annotation per problem and
 * a failed step. Every kind fails the step; the annotation title says which kind it was,
 * so the user knows whether to fix the config or re-run.
 */
export function reportFailure(error: unknown, logger: Logger, io: ActionIO): void {
  if (error instanceof ConfigurationError) {
    for (const problem of error.problems)
      logger.error(describeProblem(problem), { title: 'Configuration error' })
    io.setFailed(
      `Configuration error: ${error.problems.length} problem(s) found; nothing was changed. See the annotations above.`
    )
    return
  }
  if (error instanceof CancellationError) {
    logger.error(error.message, { title: 'Cancelled' })
    io.setFailed(error.message)
    return
  }
  if (error instanceof OperationalError) {
    logger.error(error.message, { title: error.details.title ?? 'Promotion failed' })
    io.setFailed(error.message)
    return
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  logger.error(`Unexpected error: ${message}`, { title: 'Unexpected error (please report it)' })
  io.setFailed(error instanceof Error ? error.message : String(error))
}
