import type { GateDefinition } from './gate-definition.js'

/** Every gate the config may name in `gates[].uses`. */
export const gates: readonly GateDefinition[] = []

export function findGate(name: string): GateDefinition | undefined {
  return gates.find((g) => g.name === name)
}
