import { rollout } from '../../config/schema.js'
import { failFastFromConfig } from '../../kubernetes/rollout/pod-failures.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import { runWaves } from './run-waves.js'

/**
 * Patches and watches the targets wave by wave (clusters in ascending `wave`, the targets of a
 * wave in parallel), stopping at the first failure and rolling back what the promotion changed
 * (rollback: auto, and always on cancellation). The report step judges the result.
 */
export const wavesStep = defineStep({
  name: 'waves',
  config: { schema: rollout, path: 'rollout', of: (environment) => environment.rollout },
  needs: ['clusters'],
  async run(run, config) {
    if (run.settings.dryRun) return skipped
    run.waves = await runWaves(run.plans ?? [], {
      timeoutMs: run.settings.timeoutMs,
      failFast: failFastFromConfig(config['fail-fast']),
      rollback: run.settings.rollback,
      signal: run.signal,
      fence: run.fence.signal,
      clock: run.clock,
      logger: run.logger
    })
    return succeeded()
  }
})
