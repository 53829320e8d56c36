/**
 * Start-up cost of each stage bundle, as a ratio to bare `node` started the same way in
 * the same run. A stage "starts" here by being launched as the runner launches it with
 * no inputs: it loads what it imports at load time, validates, and exits with a
 * configuration error before touching anything, so the time is its load cost.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
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

export function measureStartup(bundles: string[], runs = 15): { bareMs: number; figures: StartupFigure[] } {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'))
  const empty = join(dir, 'empty.mjs')
  writeFileSync(empty, '')
  const env = runnerEnvironment({ GITHUB_OUTPUT: join(dir, 'out'), GITHUB_STATE: join(dir, 'state') })
  writeFileSync(join(dir, 'out'), '')
  writeFileSync(join(dir, 'state'), '')
  const samples = new Map<string, number[]>([
    ['node', []],
    ...bundles.map((b) => [b, []] as [string, number[]])
  ])
  // Warm the file cache, then interleave so drift on a busy machine hits every subject alike.
  for (const b of bundles) timeRun([join('dist', b, 'index.js')], env)
  for (let i = 0; i < runs; i++) {
    samples.get('node')!.push(timeRun([empty], env))
    for (const b of bundles) samples.get(b)!.push(timeRun([join('dist', b, 'index.js')], env))
  }
  const bareMs = median(samples.get('node')!)
  const figures = bundles.map((bundle) => {
    const files = readdirSync(join('dist', bundle))
    const size = (f: string) => statSync(join('dist', bundle, f)).size / 1024
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
