/**
 * Fails when anything committed that is generated from the source is stale: the
 * action.yml files, the config JSON Schema, and dist/ (rebuilt into a temporary folder
 * and compared file by file; the action runs dist/, not src/).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundle, entries } from './bundle.js'

execFileSync('tsx', ['scripts/generate-metadata.ts', '--check'], { stdio: 'inherit' })

const out = mkdtempSync(join(tmpdir(), 'dist-check-'))
try {
  await bundle(out)
  const stale: string[] = []
  for (const name of Object.keys(entries)) {
    const fresh = readdirSync(join(out, name)).sort()
    const committedDir = join('dist', name)
    const committed = existsSync(committedDir) ? readdirSync(committedDir).sort() : []
    for (const file of new Set([...fresh, ...committed])) {
      const a = join(out, name, file)
      const b = join(committedDir, file)
      if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))) stale.push(b)
    }
  }
  if (stale.length) {
    console.error(`dist/ is stale (run npm run bundle and commit dist/): ${stale.join(', ')}`)
    process.exit(1)
  }
  console.log('dist/, action.yml files and the config JSON Schema match a rebuild')
} finally {
  rmSync(out, { recursive: true, force: true })
}
