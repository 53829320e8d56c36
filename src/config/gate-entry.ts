import { z } from 'zod'
import { findGate, gates } from '../gates/registry.js'

/**
 * A `gates[]` entry: `uses` names a registered gate and `with` holds its settings,
 * validated by that gate's own schema (issues are re-rooted under `with`). Built from
 * the registry, so a new gate file extends the config without touching this one.
 * scripts/generate-schema.ts expands this into one JSON Schema branch per gate for editors.
 */
export const gateEntry = z
  .strictObject({
    uses: z.string().describe('The gate to run.'),
    name: z.string().min(1).optional().describe('A display name; default: the gate name.'),
    with: z.unknown().optional().describe("The gate's settings.")
  })
  .superRefine((entry, ctx) => {
    const gate = findGate(entry.uses)
    if (!gate) {
      const names = gates.map((g) => g.name)
      ctx.addIssue({
        code: 'custom',
        path: ['uses'],
        input: entry.uses,
        message: names.length
          ? `one of the gates: ${names.join(', ')}`
          : 'a registered gate (none are registered)'
      })
      return
    }
    const result = gate.settings.safeParse(entry.with ?? {}, { reportInput: true })
    if (!result.success)
      for (const issue of result.error.issues)
        ctx.addIssue({ ...issue, path: ['with', ...issue.path] } as Parameters<typeof ctx.addIssue>[0])
  })
  .meta({ id: 'GateEntry' })
export type GateEntry = z.infer<typeof gateEntry>
