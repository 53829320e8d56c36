import type { ActionIO } from './action-io.js'
import {
  CancellationError,
  ConfigurationError,
  describeProblem,
  OperationalError,
  type Problem
} from './errors.js'
import type { AnnotationProperties, Logger } from './logger.js'

/** An annotation on the config file's line, where the problem names one. */
function whereIn(problem: Problem): AnnotationProperties {
  if (!problem.file) return {}
  const where: AnnotationProperties = { file: problem.file }
  if (problem.line !== undefined) where.startLine = problem.line
  if (problem.line !== undefined && problem.column !== undefined) where.startColumn = problem.column
  return where
}

/**
 * Maps the error model to what the runner shows: an `::error` annotation per problem (on the
 * config file's line when the problem names one) and a failed step. Every kind fails the step; the annotation title says which kind it was,
 * so the user knows whether to fix the config or re-run.
 */
export function reportFailure(error: unknown, logger: Logger, io: ActionIO): void {
  if (error instanceof ConfigurationError) {
    for (const problem of error.problems)
      logger.error(describeProblem(problem), { title: 'Configuration error', ...whereIn(problem) })
    io.setFailed(
      `Configuration error: ${error.problems.length} problem(s) found; nothing was changed. See the annotations above.`
    )
    return
  }
  // One annotation per failure: the titled error is also what fails the step.
  if (error instanceof CancellationError) {
    io.setFailed(error.message, 'Cancelled')
    return
  }
  if (error instanceof OperationalError) {
    io.setFailed(error.message, error.details.title ?? 'Promotion failed')
    return
  }
  if (error instanceof Error && error.stack) logger.debug(error.stack)
  io.setFailed(
    `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    'Unexpected error (please report it)'
  )
}
