/**
 * Start-up cost of each stage bundle, as a ratio to bare `node` started the same way in
 * the same run. A stage "starts" here by being launched as the runner launches it with
 * no inputs: it loads what it imports at load time, validates, and exits with a
 * configuration error before touching anything, so the time is its load cost.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NODE, runnerEnvironment } from '../simulator/runner/launch-action.js'
import { median } from './stats.js'

export interface StartupFigure {
  bundle: string
  sizeKiB: number
  chunksKiB: number
  medianMs: number
  ratio: number
}

function timeRun(args: string[], env: Record<string, string>): number {
  const started = performance.now()
  spawnSync(NODE, args, { env, stdio: 'ignore' })
  return performance.now() - started
}

/** Yardsticks built in the same run: what @actions/core alone, and with zod, cost at start-up. */
export const REFERENCES = {
  'ref: @actions/core only': 'core-only',
  'ref: @actions/core + zod': 'core-and-zod'
} as const

function referenceBundle(name: string): string {
  const out = join('.tmp', 'bench-reference', name)
  if (!existsSync(join(out, 'index.js')))
    execFileSync('ncc', [
      'build',
      join('bench', 'reference', `${name}.ts`),
      '-o',
      out,
      '--minify',
      '--transpile-only',
      '--quiet'
    ])
  return join(out, 'index.js')
}

export function measureStartup(bundles: string[], runs = 15): { bareMs: number; figures: StartupFigure[] } {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'))
  const empty = join(dir, 'empty.mjs')
  writeFileSync(empty, '')
  const env = runnerEnvironment({ GITHUB_OUTPUT: join(dir, 'out'), GITHUB_STATE: join(dir, 'state') })
  writeFileSync(join(dir, 'out'), '')
  writeFileSync(join(dir, 'state'), '')
  const scripts = new Map<string, string>([
    ...Object.entries(REFERENCES).map(([label, name]) => [label, referenceBundle(name)] as [string, string]),
    ...bundles.map((b) => [b, join('dist', b, 'index.js')] as [string, string])
  ])
  const samples = new Map<string, number[]>([
    ['node', []],
    ...[...scripts.keys()].map((b) => [b, []] as [string, number[]])
  ])
  // Warm the file cache, then interleave so drift on a busy machine hits every subject alike.
  for (const script of scripts.values()) timeRun([script], env)
  for (let i = 0; i < runs; i++) {
    samples.get('node')!.push(timeRun([empty], env))
    for (const [label, script] of scripts) samples.get(label)!.push(timeRun([script], env))
  }
  const bareMs = median(samples.get('node')!)
  const figures = [...scripts.keys()].map((bundle) => {
    const dir = join(scripts.get(bundle)!, '..')
    const files = readdirSync(dir)
    const size = (f: string) => statSync(join(dir, f)).size / 1024
    const medianMs = median(samples.get(bundle)!)
    return {
      bundle,
      sizeKiB: Math.round(size('index.js')),
      chunksKiB: Math.round(files.filter((f) => f !== 'index.js').reduce((sum, f) => sum + size(f), 0)),
      medianMs,
      ratio: medianMs / bareMs
    }
  })
  return { bareMs, figures }
}
