/**
 * `npm run bench`: prints every figure the issues set targets for, each as a ratio
 * against a baseline measured in the same run where one exists.
 */
import { startupLines } from './startup.js'

const sections: Array<[string, () => Promise<string[]>]> = [
  [
    'Bundles: size and start-up (launched as the runner launches them, no inputs, vs bare node)',
    async () => startupLines('no-inputs')
  ],
  [
    'Bundles: start-up up to a validated config (demo config, staging, only github-token missing)',
    async () => startupLines('config-read')
  ],
  [
    'Promote stage (Kubernetes simulator, GitHub emulator)',
    async () => (await import('./promote-bench.js')).promoteFigures()
  ],
  [
    'GitOps promotion (GitHub emulator): GitHub requests',
    async () => (await import('./gitops-bench.js')).gitOpsFigures()
  ],
  ['Gate stage (GitHub emulator)', async () => (await import('./gate-bench.js')).gateFigures()],
  ['Verify stage (local health endpoints)', async () => (await import('./verify-bench.js')).verifyFigures()],
  [
    'Check mode: drift report, 3 environments x 50 workloads (Kubernetes simulator)',
    async () => (await import('./check-bench.js')).checkFigures()
  ],
  [
    'Promotions under API faults (~10% of requests fail)',
    async () => (await import('./fault-bench.js')).faultFigures()
  ],
  [
    'GitOps sync (Argo CD played on the Kubernetes simulator, GitHub emulator)',
    async () => (await import('./gitops-sync-bench.js')).gitOpsSyncFigures()
  ],
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
