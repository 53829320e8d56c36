import type { z } from 'zod'
import type { ResolvedEnvironment } from '../config/schema.js'
import type { OutputName } from '../runtime/action-io.js'
import type { PromotionRun } from './promotion-run.js'

/**
 * Kargo's statuses: `succeeded`; `failed` (the promotion's business failed: a rollout, a
 * refused edit); `errored` (something technical went wrong); `skipped` (nothing to do here,
 * e.g. the lock in a dry run).
 */
export type StepStatus = 'succeeded' | 'failed' | 'errored' | 'skipped'

export interface StepResult {
  status: StepStatus
  /** Action outputs this step sets. */
  outputs?: Partial<Record<OutputName, string>>
  /** Markdown appended to the job summary. */
  summary?: string
  /** Failed or errored: the error the stage ends with (its title and message are the user's). */
  error?: Error
}

/** A client a step needs from the run, connected before the first step runs. */
export type StepClient = 'clusters' | 'github' | 'manifests'

/**
 * One promotion step, the way kargo's promotion steps are units: a name, the part of the
 * environment's config it takes (validated by its zod schema when the config loads), the clients it needs, and
 * `run(run, config) -> { status, outputs, summary }`. The promote stage is a list of these per
 * mode (stages/promote/promotion-steps.ts); run-steps.ts runs a list and owns failure handling:
 * what a step must undo or close when a later one fails, it registers on the run.
 */
export interface PromotionStep<Config = undefined> {
  readonly name: string
  readonly config?: StepConfig<Config>
  readonly needs: readonly StepClient[]
  /** Runs also after an earlier step failed (a report that must say what happened). */
  readonly always?: boolean
  run(run: PromotionRun, config: Config): Promise<StepResult>
}

/**
 * A step's settings: a section of the environment's config, validated by `schema` when the
 * config is loaded (with every other problem, before anything runs); `of` picks the resolved
 * section out of the environment.
 */
export interface StepConfig<Config> {
  schema: z.ZodType<unknown, unknown>
  /** Its key under `environments.<name>`, for messages and the docs. */
  path: string
  of(environment: ResolvedEnvironment): Config
}

/** Declares a step with its config type inferred from the schema. */
export function defineStep<Config = undefined>(step: PromotionStep<Config>): PromotionStep<Config> {
  return step
}

export const succeeded = (extra: Omit<StepResult, 'status'> = {}): StepResult => ({
  status: 'succeeded',
  ...extra
})
export const skipped: StepResult = { status: 'skipped' }
