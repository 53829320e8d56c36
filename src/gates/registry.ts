import { approval } from './approval.js'
import { concurrency } from './concurrency.js'
import { freeze } from './freeze.js'
import type { GateContext } from './gate-context.js'
import type { GateDefinition } from './gate-definition.js'
import type { z } from 'zod'
import type { GateCatalog } from '../config/gate-entry.js'
import { migration } from './migration.js'
import { performance } from './performance.js'
import { requiredChecks } from './required-checks.js'
import { security } from './security.js'
import { upstreamDeployed } from './upstream-deployed.js'
import { upstreamHealthy } from './upstream-healthy.js'
import { upstreamRunning } from './upstream-running.js'

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
  concurrency
]

export function findGate(name: string): GateDefinition<z.ZodType, GateContext> | undefined {
  return gates.find((g) => g.name === name)
}

/** The registry as the config validates `gates[]` entries with it: each gate's own settings schema. */
export const gateCatalog: GateCatalog = {
  names: gates.map((g) => g.name),
  settingsOf: (uses) => findGate(uses)?.settings
}
