/**
 * GitOps sync figures, with the promote stage's GitOps steps in-process (the Kubernetes
 * simulator with the CRDs of cluster/crds, the GitHub emulator, Argo CD played over the API):
 * - from Argo CD storing Synced and Healthy to the sync step returning success (watch-driven:
 *   the step should see it as one watch event, with the target's rollout already judged);
 * - from the merge to the refresh request reaching the API server (Argo CD's own polling
 *   default is 3 minutes; `timeout.reconciliation`).
 * The pull request is merged by the merge step (`merge: auto`).
 */
import { NEW, startGitOpsWorld } from '../test/steps/gitops/support/gitops-world.js'
import { fmt, median, percentile } from './stats.js'

const RUNS = 5

export async function gitOpsSyncFigures(): Promise<string[]> {
  const world = await startGitOpsWorld()
  try {
    world.followMain()
    const healthyToSuccess: number[] = []
    const mergeToRefresh: number[] = []
    let failures = 0
    for (let i = 0; i < RUNS; i++) {
      const sha = `${(0xa0 + i).toString(16)}${'d'.repeat(38)}`
      let syncedAt: number | undefined
      world.argo.healthWrittenAt.clear()
      const patchesBefore = world.sim.requestLog.length
      const { io, run } = await world.promote({
        inputs: { image: `${NEW.replace(/:.*$/, '')}:2.0.${i + 1}`, sha },
        onStepEnd: (step, at) => {
          if (step === 'sync') syncedAt = at
        }
      })
      const healthy = world.argo.healthWrittenAt.get('Healthy')
      // The merge step stamps deliveredAt with the run's clock (the system clock here) once merged.
      const merged = run.gitops?.deliveredAt
      const refresh = world.sim.requestLog
        .slice(patchesBefore)
        .find((r) => r.method === 'PATCH' && r.path.endsWith('/applications/web'))
      if (io.outputs['result'] !== 'synced' || syncedAt === undefined || healthy === undefined) {
        failures++
        continue
      }
      healthyToSuccess.push(syncedAt - healthy)
      if (merged !== undefined && refresh) mergeToRefresh.push(refresh.time - merged)
    }
    return [
      `Argo CD Synced+Healthy stored -> sync step success: p50 ${fmt(median(healthyToSuccess))}, max ${fmt(percentile(healthyToSuccess, 100))} over ${healthyToSuccess.length} promotions (target p50 <= 50 ms; one target, its rollout judged from the same watches)`,
      `merge -> refresh request at the API server: p50 ${fmt(median(mergeToRefresh))}, max ${fmt(percentile(mergeToRefresh, 100))} (target <= 1 s; Argo CD polls Git every 180 s by default)`,
      ...(failures ? [`${failures} promotion(s) did not sync: figures are from the others`] : [])
    ]
  } finally {
    await world.close()
  }
}
