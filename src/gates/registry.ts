import { approval } from './approval.js'
import { capacityCheck } from './capacity.js'
import { concurrency } from './concurrency.js'
import { configCheck } from './config.js'
import { disruptionCheck } from './disruption.js'
import type { EnvironmentCheck } from './environment-check.js'
import { freeze } from './freeze.js'
import type { GateContext } from './gate-context.js'
import type { GateDefinition } from './gate-definition.js'
import type { z } from 'zod'
import type { GateCatalog } from '../config/gate-entry.js'
import { migration } from './migration.js'
import { parityCheck } from './parity.js'
import { performance } from './performance.js'
import { requiredChecks } from './required-checks.js'
import { secretsCheck } from './secrets.js'
import { security } from './security.js'
import { tlsCheck } from './tls.js'
import { upstreamDeployed } from './upstream-deployed.js'
import { upstreamHealthy } from './upstream-healthy.js'
import { upstreamRunning } from './upstream-running.js'

/**
 * The environment checks: gates that the drift report (the check stage) also runs across
 * every environment pair, in report order.
 */
export const environmentChecks: readonly EnvironmentCheck[] = [
  parityCheck,
  configCheck,
  secretsCheck,
  disruptionCheck,
  capacityCheck,
  tlsCheck
] as readonly EnvironmentCheck[]

/**
 * Every gate the config may name in `gates[].uses`. Gate files import no heavy client at load
 * time (the config schema loads this list): clients arrive in their GateContext.
 */
export const gates: readonly GateDefinition<z.ZodType, GateContext>[] = [
  requiredChecks,
  upstreamDeployed,
  upstreamRunning,
  upstreamHealthy,
  security,
  performance,
  migration,
  freeze,
  approval,
  concurrency,
  ...environmentChecks.map((check) => check.gate)
]

export function findGate(name: string): GateDefinition<z.ZodType, GateContext> | undefined {
  return gates.find((g) => g.name === name)
}

/** The registry as the config validates `gates[]` entries with it: each gate's own settings schema. */
export const gateCatalog: GateCatalog = {
  names: gates.map((g) => g.name),
  settingsOf: (uses) => findGate(uses)?.settings
}
