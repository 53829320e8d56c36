/**
 * Writes the generated files that are committed: every action.yml (from
 * action-metadata.ts) and the config's JSON Schema (from the zod schemas). `--check`
 * compares instead of writing and fails when a committed file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { promotionConfig } from '../src/config/schema.js'
import { gates } from '../src/gates/registry.js'
import { actions, renderActionYaml } from './action-metadata.js'
import { renderConfigReference } from './config-reference.js'

export const SCHEMA_PATH = 'schema/promotion-config.schema.json'

export function renderConfigSchema(): string {
  const schema = z.toJSONSchema(promotionConfig, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
  // gates[] entries are validated by each gate's own schema at run time; give editors one branch per gate.
  const defs = (schema['$defs'] ?? {}) as Record<string, unknown>
  defs['GateEntry'] = {
    description: 'A promotion gate: `uses` names the gate, `with` holds its settings.',
    oneOf: gates.map((gate) => ({
      type: 'object',
      description: gate.description,
      properties: {
        uses: { const: gate.name },
        name: { type: 'string', minLength: 1, description: 'A display name; default: the gate name.' },
        with: stripSchemaKey(z.toJSONSchema(gate.settings, { io: 'input', unrepresentable: 'any' }))
      },
      required: ['uses'],
      additionalProperties: false
    }))
  }
  schema['$defs'] = defs
  schema['$id'] = 'https://github.com/org/promote-action/schema/promotion-config.schema.json'
  schema['title'] = 'promote-action promotion config'
  return `${JSON.stringify(schema, null, 2)}\n`
}

function stripSchemaKey(schema: object): object {
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>
  return rest
}

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>()
  for (const action of actions) files.set(join(action.dir, 'action.yml'), renderActionYaml(action))
  const schema = renderConfigSchema()
  files.set(SCHEMA_PATH, schema)
  files.set('docs/config-reference.md', renderConfigReference(JSON.parse(schema)))
  return files
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check')
  const stale: string[] = []
  for (const [path, content] of generatedFiles()) {
    if (check) {
      let current = ''
      try {
        current = readFileSync(path, 'utf8')
      } catch {
        /* missing counts as stale */
      }
      if (current !== content) stale.push(path)
    } else {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      console.log(`wrote ${path}`)
    }
  }
  if (stale.length) {
    console.error(`Stale generated files (run npm run schema and commit): ${stale.join(', ')}`)
    process.exit(1)
  }
}
