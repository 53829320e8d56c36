/**
 * `npm run bench`: prints every figure the issues set targets for, each as a ratio
 * against a baseline measured in the same run where one exists.
 */
import { measureStartup, type StartupScenario } from './startup.js'
import { fmt } from './stats.js'

function startupLines(scenario: StartupScenario, targets: Record<string, string>): string[] {
  const { bareMs, figures } = measureStartup(['gate', 'promote', 'verify', 'main'], scenario)
  return [
    `bare node: ${fmt(bareMs)}`,
    ...figures.map(
      (f) =>
        `${f.bundle.padEnd(26)} entry ${String(f.sizeKiB).padStart(5)} KiB + lazily loaded chunks ${String(f.chunksKiB).padStart(5)} KiB; start-up ${fmt(f.medianMs)} = ${f.ratio.toFixed(2)}x bare node ${targets[f.bundle] ? `(target ${targets[f.bundle]})` : ''}`
    )
  ]
}

const sections: Array<[string, () => Promise<string[]>]> = [
  [
    'Bundles: size and start-up (launched as the runner launches them, no inputs, vs bare node)',
    async () => startupLines('no-inputs', { gate: '<= 3x', promote: '<= 4x', verify: '<= 4x' })
  ],
  [
    'Bundles: start-up up to a validated config (demo config, staging, only github-token missing)',
    async () => startupLines('config-read', {})
  ],
  [
    'Promote stage (Kubernetes simulator, GitHub emulator)',
    async () => (await import('./promote-bench.js')).promoteFigures()
  ],
  ['Gate stage (GitHub emulator)', async () => (await import('./gate-bench.js')).gateFigures()],
  ['Verify stage (local health endpoints)', async () => (await import('./verify-bench.js')).verifyFigures()],
  [
    'Real control plane (kubectl rollout status as baseline)',
    async () => (await import('./cluster-bench.js')).clusterFigures()
  ]
]

const only = process.argv.slice(2)
for (const [title, run] of sections) {
  if (only.length && !only.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue
  console.log(`\n## ${title}`)
  try {
    for (const line of await run()) console.log(`  ${line}`)
  } catch (error) {
    console.log(`  (not measured: ${error instanceof Error ? error.message : String(error)})`)
  }
}
