// Stops the test cluster (idempotent). PROMOTE_ACTION_KEEP_CLUSTER=1 keeps it for a faster rerun.
import { execFileSync } from 'node:child_process'

export default async function globalTeardown() {
  if (process.env.PROMOTE_ACTION_KEEP_CLUSTER === '1') return
  const cluster = process.env.PROMOTE_ACTION_CLUSTER || 'promote-action-tests'
  execFileSync('bash', ['cluster/down.sh', cluster], { stdio: ['ignore', 'ignore', 'pipe'] })
}
