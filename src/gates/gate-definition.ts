import type { z } from 'zod'
import type { Logger } from '../runtime/logger.js'

export type GateStatus = 'passed' | 'failed' | 'pending' | 'skipped' | 'errored'

export interface Evidence {
  label: string
  url?: string
  value?: string | number
}

export interface GateResult {
  status: GateStatus
  summary: string
  evidence: Evidence[]
}

/**
 * One promotion gate: a name, the schema of its `with:` settings, and a check.
 * Gates are registered in registry.ts; adding a gate is adding a file there.
 * A gate file must not import heavy clients at load time: it receives them in `context`.
 */
export interface GateDefinition<Schema extends z.ZodType = z.ZodType, Context = unknown> {
  name: string
  description: string
  settings: Schema
  run(settings: z.infer<Schema>, context: Context): Promise<GateResult>
}

export interface GateRunOptions {
  logger: Logger
  signal: AbortSignal
}
