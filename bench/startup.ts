/**
 * Start-up cost of each stage bundle, in milliseconds and as a ratio to bare `node` started
 * the same way in the same run. There is no start-up target: the stages run on @actions/core,
 * whose index loads its OIDC HTTP client at import time, and the product chose the maintained
 * toolkit over those milliseconds (docs/upstream-notes.md). The figures are reported so a change
 * that makes start-up much slower is still seen; the references show the floor @actions/core sets. A stage "starts" here by being launched as the runner launches it, in one
 * of two scenarios, and exits with a configuration error before touching anything:
 * - `no-inputs`: it loads what it imports at load time and rejects the missing inputs
 *   (the foundation issue's measure: the load cost);
 * - `config-read`: the demo's promotion config is in the workspace and `environment:
 *   staging` is given, only `github-token` is missing, so the stage also parses the YAML and
 *   validates the whole config and its settings, as every real run does before its first
 *   request. Staging's gates need no Kubernetes client.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { demoConfig } from '../demo/demo-config.js'
import { NODE, runnerEnvironment } from '../simulator/runner/launch-action.js'
import { fmt, median } from './stats.js'

export interface StartupFigure {
  bundle: string
  sizeKiB: number
  chunksKiB: number
  medianMs: number
  ratio: number
}

export type StartupScenario = 'no-inputs' | 'config-read'

function timeRun(args: string[], env: Record<string, string>, cwd: string): number {
  const started = performance.now()
  spawnSync(NODE, args, { env, cwd, stdio: 'ignore' })
  return performance.now() - started
}

/** Yardsticks built in the same run: what @actions/core alone, and with zod, cost at start-up (the floor of every stage). */
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

export function measureStartup(
  bundles: string[],
  scenario: StartupScenario = 'no-inputs',
  runs = 15
): { bareMs: number; figures: StartupFigure[] } {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'))
  const empty = join(dir, 'empty.mjs')
  writeFileSync(empty, '')
  const env = runnerEnvironment({
    GITHUB_OUTPUT: join(dir, 'out'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_WORKSPACE: dir,
    ...(scenario === 'config-read'
      ? { INPUT_ENVIRONMENT: 'staging', INPUT_CONFIG: '.github/promotion.yml' }
      : {})
  })
  writeFileSync(join(dir, 'out'), '')
  writeFileSync(join(dir, 'state'), '')
  if (scenario === 'config-read') {
    mkdirSync(join(dir, '.github'))
    const url = 'http://127.0.0.1:9/healthz'
    writeFileSync(
      join(dir, '.github', 'promotion.yml'),
      demoConfig({ development: url, staging: url, production: url })
    )
  }
  const scripts = new Map<string, string>([
    ...Object.entries(REFERENCES).map(([label, name]) => [label, referenceBundle(name)] as [string, string]),
    ...bundles.map((b) => [b, join('dist', b, 'index.js')] as [string, string])
  ])
  const samples = new Map<string, number[]>([
    ['node', []],
    ...[...scripts.keys()].map((b) => [b, []] as [string, number[]])
  ])
  // Warm the file cache, then interleave so drift on a busy machine hits every subject alike.
  const run = (script: string) => timeRun([resolve(script)], env, dir)
  for (const script of scripts.values()) run(script)
  for (let i = 0; i < runs; i++) {
    samples.get('node')!.push(run(empty))
    for (const [label, script] of scripts) samples.get(label)!.push(run(script))
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

/** One line per bundle for `npm run bench`: sizes, median start-up, ratio to bare node. */
export function startupLines(scenario: StartupScenario): string[] {
  const { bareMs, figures } = measureStartup(['gate', 'promote', 'verify', 'main'], scenario)
  return [
    `bare node: ${fmt(bareMs)}`,
    ...figures.map(
      (f) =>
        `${f.bundle.padEnd(26)} entry ${String(f.sizeKiB).padStart(5)} KiB + lazily loaded chunks ${String(f.chunksKiB).padStart(5)} KiB; start-up ${fmt(f.medianMs)} = ${f.ratio.toFixed(2)}x bare node (no target)`
    )
  ]
}
