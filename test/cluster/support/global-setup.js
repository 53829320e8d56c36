// Builds the control plane (cached: instant) and starts (or reuses) the test cluster.
// The admin kubeconfig path is handed to test files in PROMOTE_ACTION_TEST_KUBECONFIG.
import { execFileSync } from 'node:child_process'

export const CLUSTER = process.env.PROMOTE_ACTION_CLUSTER || 'promote-action-tests'

function down() {
  try {
    execFileSync('bash', ['cluster/down.sh', CLUSTER], { stdio: ['ignore', 'ignore', 'inherit'] })
  } catch {
    // down.sh is idempotent; a failure here must not hide the interruption
  }
}

export default async function globalSetup() {
  const started = Date.now()
  execFileSync('bash', ['cluster/build.sh'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const kubeconfig = execFileSync('bash', ['cluster/up.sh', CLUSTER], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  }).trim()
  process.env.PROMOTE_ACTION_CLUSTER = CLUSTER
  process.env.PROMOTE_ACTION_TEST_KUBECONFIG = kubeconfig
  // Interrupted runs (Ctrl-C, CI cancel) still stop the cluster; a later up.sh would also reuse it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      down()
      process.exit(130)
    })
  }
  process.stderr.write(`\ncluster ${CLUSTER} up in ${Date.now() - started} ms: ${kubeconfig}\n`)
}
