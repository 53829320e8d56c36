import type { z } from 'zod'
import type { ResolvedEnvironment } from '../config/schema.js'
import { defineGate, type Gate, type GateContext } from './gate-context.js'
import type { GateResult, GateSetup } from './gate-definition.js'

/**
 * The environment checks (parity, config, secrets, disruption, capacity, tls) are gates that
 * also feed the scheduled drift report (the check stage). Each one inspects an environment
 * once and returns both its gate verdict and what the report shows: markdown tables and
 * JSON-ready findings. Neither ever carries a secret value.
 */
export interface CheckReport {
  result: GateResult
  /** Markdown for the drift report: the tables of what was found (empty when nothing). */
  markdown: string
  /** The findings as plain JSON data, for the report's JSON output. */
  findings: unknown[]
}

/**
 * Why the environment is inspected: before a promotion (`gate`), or for the scheduled drift
 * report (`report`), where nothing is about to be promoted: the image being promoted is not
 * compared, and the rotation guard does not apply.
 */
export type CheckPurpose = 'gate' | 'report'

export interface CheckContext extends GateContext {
  purpose: CheckPurpose
}

export interface EnvironmentCheck<Schema extends z.ZodType = z.ZodType> {
  gate: Gate<Schema>
  check(settings: z.infer<Schema>, context: CheckContext): Promise<CheckReport>
  /**
   * Whether the drift report runs the check on an environment whose config does not name it
   * as a gate (with default settings). Environments that name it always get it.
   */
  byDefault(environment: ResolvedEnvironment, setup: GateSetup): boolean
}

/** A gate whose run is the check's verdict; the check itself for the drift report. */
export function defineEnvironmentCheck<Schema extends z.ZodType>(
  definition: Omit<Gate<Schema>, 'run'> & {
    check(settings: z.infer<Schema>, context: CheckContext): Promise<CheckReport>
    byDefault(environment: ResolvedEnvironment, setup: GateSetup): boolean
  }
): EnvironmentCheck<Schema> {
  const { check, byDefault, ...gate } = definition
  return {
    gate: defineGate({
      ...gate,
      async run(settings, context) {
        return (await check(settings, { ...context, purpose: 'gate' })).result
      }
    }),
    check,
    byDefault
  }
}
