import { z } from 'zod'
import { duration } from '../config/duration.js'
import { checkConclusion, checkResult, evaluateChecks } from './check-evaluation.js'
import { defineGate } from './gate-context.js'

export const requiredChecksSettings = z.strictObject({
  checks: z
    .array(z.string().min(1))
    .min(1)
    .describe(
      'Check run names and commit status contexts that must have succeeded on the SHA, exact ("lint") or with * and ? wildcards ("test / *"). A wildcard must match at least one.'
    ),
  conclusions: z
    .array(z.enum(checkConclusion))
    .min(1)
    .default(['success', 'neutral', 'skipped'])
    .describe('Check run conclusions that count as passing. A commit status passes only with state success.'),
  wait: duration
    .optional()
    .describe(
      'Wait up to this long for checks that are queued, in progress or not yet reported, even when gate-policy.pending is fail.'
    )
})

/**
 * Named check runs and commit statuses on the SHA. After a re-run the newest run of a name
 * counts; the action's own "promotion gates (...)" check run never does.
 */
export const requiredChecks = defineGate({
  name: 'required-checks',
  description:
    'Named check runs and commit statuses (exact names or * and ? wildcards) succeeded on the SHA. Reports which never ran, which are queued or in progress, and which completed with what conclusion; the newest run of a name counts after re-runs.',
  settings: requiredChecksSettings,
  waitMs: (settings) => settings.wait,
  async run(settings, context) {
    const { checks } = await context.github.commitChecks()
    const accepted = [...settings.conclusions, 'success']
    const evaluation = evaluateChecks(checks, settings.checks, accepted, context.ownCheckRunName)
    return checkResult(evaluation, 'required checks')
  }
})
