import type { z } from 'zod'
import type { ResolvedEnvironment } from '../config/schema.js'

export type GateStatus = 'passed' | 'failed' | 'pending' | 'skipped' | 'errored'

/** One fact behind a verdict: a link, a figure, or both. */
export interface Evidence {
  label: string
  url?: string
  value?: string | number
}

export interface GateResult {
  status: GateStatus
  /** One or two sentences a person can act on. */
  summary: string
  evidence: Evidence[]
  /** Things the reader must know even when the gate passed (shown with the result and as warning annotations). */
  warnings?: string[]
}

/** What a gate's settings imply about the rest of the config, checked before any API call. */
export interface GateSetup {
  environmentName: string
  environment: ResolvedEnvironment
  /** The environment promoted from, when `from:` names one. */
  upstream: ResolvedEnvironment | undefined
  /** Whether the image being promoted is known (image.repository in the config). */
  hasImage: boolean
  /** Whether cluster credentials exist: the kubeconfig input, KUBECONFIG, or a service account. */
  kubernetesConfigured: boolean
}

/**
 * One promotion gate: a name, the schema of its `with:` settings, and a check.
 * Gates are registered in registry.ts; adding a gate is adding a file there.
 * A gate file must not import heavy clients at load time: it receives them in `context`.
 */
export interface GateDefinition<Schema extends z.ZodType = z.ZodType, Context = unknown> {
  name: string
  /** Shown in the config's JSON Schema and the docs: what the gate checks and how to configure it. */
  description: string
  settings: Schema
  /**
   * Config problems that only show with the rest of the environment (no upstream for an
   * upstream gate, ...): phrased as what was expected. Reported with every other problem.
   */
  validate?(settings: z.infer<Schema>, setup: GateSetup): string[]
  /**
   * How long to wait for a pending result whatever gate-policy.pending says (a gate's own
   * `wait` setting); undefined to follow the policy.
   */
  waitMs?(settings: z.infer<Schema>): number | undefined
  run(settings: z.infer<Schema>, context: Context): Promise<GateResult>
}

/** A result with no evidence, for the common short answers. */
export function result(
  status: GateStatus,
  summary: string,
  evidence: Evidence[] = [],
  warnings?: string[]
): GateResult {
  return warnings && warnings.length > 0
    ? { status, summary, evidence, warnings }
    : { status, summary, evidence }
}
