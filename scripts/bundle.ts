/**
 * Builds one ESM bundle per action entry with @vercel/ncc into dist/<entry>/.
 *
 * Heavy clients (@kubernetes/client-node, Octokit) are imported dynamically by the code
 * that needs them, so webpack puts them into chunk files that a stage loads only when it
 * uses them: start-up stays fast, and a change to our own code leaves the large vendor
 * chunks byte-identical (small diffs for the committed dist/). ncc minifies only the
 * entry file, so the chunks are minified here with terser.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

export const entries = {
  main: 'src/entrypoints/main.ts',
  gate: 'src/entrypoints/gate.ts',
  promote: 'src/entrypoints/promote.ts',
  verify: 'src/entrypoints/verify.ts',
  check: 'src/entrypoints/check.ts',
  lock: 'src/entrypoints/lock.ts',
  unlock: 'src/entrypoints/unlock.ts'
} as const

export async function bundle(outRoot = 'dist', only?: string[]): Promise<void> {
  for (const [name, entry] of Object.entries(entries)) {
    if (only && !only.includes(name)) continue
    const out = join(outRoot, name)
    rmSync(out, { recursive: true, force: true })
    execFileSync(
      'ncc',
      ['build', entry, '-o', out, '--minify', '--transpile-only', '--quiet', '--no-source-map-register'],
      {
        stdio: 'inherit'
      }
    )
    for (const file of readdirSync(out)) {
      if (!/^\d+\.index\.js$/.test(file)) continue
      const path = join(out, file)
      const result = await minify(readFileSync(path, 'utf8'), { module: true, compress: true, mangle: true })
      writeFileSync(path, result.code ?? '')
    }
    const sizes = readdirSync(out).map(
      (f) => `${f} ${(readFileSync(join(out, f)).length / 1024).toFixed(0)} KiB`
    )
    console.log(`dist/${name}: ${sizes.join(', ')}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundle(process.argv[2] ?? 'dist', process.argv.slice(3).length ? process.argv.slice(3) : undefined)
}
