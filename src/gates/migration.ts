import { z } from 'zod'
import { duration } from '../config/duration.js'
import { checkResult, evaluateChecks } from './check-evaluation.js'
import { defineGate } from './gate-context.js'

export const migrationSettings = z.strictObject({
  check: z
    .string()
    .min(1)
    .describe(
      'The check run (a job: "migrate / staging") or commit status context that ran the database migration against the upstream environment\'s data for this SHA. Exact, or with * and ? wildcards.'
    ),
  wait: duration
    .optional()
    .describe(
      'Wait up to this long for the migration check to finish, even when gate-policy.pending is fail.'
    )
})

/**
 * The migration was tested against staging data for this SHA. The job that does it is the
 * user's (it needs database credentials this action never sees); the gate reads its result.
 */
export const migration = defineGate({
  name: 'migration',
  description:
    'The named check or job that ran the database migration against the upstream environment (staging data) succeeded for this SHA. Only success counts; the newest run counts after re-runs.',
  settings: migrationSettings,
  waitMs: (settings) => settings.wait,
  async run(settings, context) {
    const { checks } = await context.github.commitChecks()
    const evaluation = evaluateChecks(checks, [settings.check], ['success'], context.ownCheckRunName)
    const result = checkResult(evaluation, 'migration checks')
    if (result.status === 'pending' && evaluation.neverRan.length > 0)
      result.summary = `the migration check "${settings.check}" has not reported for ${context.sha.slice(0, 7)}: run the migration job against ${context.upstream?.name ?? 'the upstream environment'} first`
    return result
  }
})
