/**
 * The error model. Every failure a stage can end with is one of three kinds, and each
 * kind maps to one exit behaviour (see exit-status.ts):
 * - ConfigurationError: the user's input or config is wrong. Nothing was touched; no retry helps.
 * - OperationalError: something outside failed (API, rollout, health). May be worth a re-run.
 * - CancellationError: the run was cancelled (SIGTERM/SIGINT) and stopped cleanly.
 */

/** One problem with one value, named so the user can find and fix it. */
export interface Problem {
  /** Where the value lives, e.g. `input dry-run` or `.github/promotion.yml: environments.staging.namespace`. */
  path: string
  /** The offending value as the user wrote it (omitted when the value is missing or secret). */
  value?: unknown
  /** What was expected, phrased for a person: "one of: true, false". */
  expected: string
  /** What was found, when it is not a value to quote (e.g. "a YAML syntax error"). */
  found?: string
  /**
   * The file the value was written in, when it came from one (the promotion config), and where
   * in it: 1-based line and column. Failures are annotated there, on the file's line.
   */
  file?: string
  line?: number
  column?: number
}

export function describeProblem(problem: Problem): string {
  const got = problem.found ?? (problem.value === undefined ? 'missing' : `got ${formatValue(problem.value)}`)
  return `${problem.path}: ${got}; expected ${problem.expected}`
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : safeJson(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError'
  constructor(readonly problems: Problem[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${describeProblem(problems[0]!)}`
        : `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${describeProblem(p)}`).join('\n')}`
    )
  }
}

export class OperationalError extends Error {
  override readonly name = 'OperationalError'
  constructor(
    message: string,
    readonly details: { title?: string; cause?: unknown } = {}
  ) {
    super(message, { cause: details.cause })
  }
}

export class CancellationError extends Error {
  override readonly name = 'CancellationError'
  constructor(message = 'The run was cancelled') {
    super(message)
  }
}

/** Collects problems from several validators so they are reported together, not one per run. */
export class ProblemList {
  readonly items: Problem[] = []
  add(problem: Problem): void {
    this.items.push(problem)
  }
  addAll(problems: Iterable<Problem>): void {
    for (const p of problems) this.items.push(p)
  }
  get empty(): boolean {
    return this.items.length === 0
  }
  throwIfAny(): void {
    if (!this.empty) throw new ConfigurationError(this.items)
  }
}
