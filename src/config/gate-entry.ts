import { z } from 'zod'

/**
 * A `gates[]` entry: `uses` names a registered gate and `with` holds its settings. The config
 * knows no gate: each gate validates its own `with` with its own schema, through the
 * {@link GateCatalog} the stage passes in (src/gates/registry.ts), so adding a gate never
 * touches src/config. scripts/generate-metadata.ts expands this into one JSON Schema branch per
 * gate for editors.
 */
export const gateEntry = z
  .strictObject({
    uses: z.string().describe('The gate to run.'),
    name: z.string().min(1).optional().describe('A display name; default: the gate name.'),
    with: z.unknown().optional().describe("The gate's settings.")
  })
  .meta({ id: 'GateEntry' })
export type GateEntry = z.infer<typeof gateEntry>

/** What the config needs of the gates to validate `gates[]` entries; the gates layer provides it. */
export interface GateCatalog {
  /** The registered gate names, for the message about an unknown `uses`. */
  readonly names: readonly string[]
  /** The schema of a gate's `with:` settings; undefined for an unknown gate. */
  settingsOf(uses: string): z.ZodType | undefined
}

/**
 * The problems of one raw `gates[]` entry as zod issues rooted at the entry (`uses`, or
 * `with.<key>`): an unknown gate, or settings its schema rejects.
 */
export function gateEntryIssues(entry: unknown, catalog: GateCatalog): z.core.$ZodIssue[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return []
  const { uses, with: settings } = entry as { uses?: unknown; with?: unknown }
  if (typeof uses !== 'string') return []
  const schema = catalog.settingsOf(uses)
  if (!schema)
    return [
      {
        code: 'custom',
        path: ['uses'],
        input: uses,
        message: catalog.names.length
          ? `one of the gates: ${catalog.names.join(', ')}`
          : 'a registered gate (none are registered)'
      }
    ]
  const result = schema.safeParse(settings ?? {}, { reportInput: true })
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ ...issue, path: ['with', ...issue.path] }))
}
