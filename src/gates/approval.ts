import { z } from 'zod'
import { getEnvironmentProtection } from '../github/environments.js'
import { describeApprovals, readRunApprovals } from '../github/run-approvals.js'
import { defineGate, type GateContext } from './gate-context.js'
import type { Evidence } from './gate-definition.js'

export const approvalSettings = z.strictObject({
  environment: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The GitHub environment whose protection rules are checked. Default: the environment being promoted into.'
    ),
  'min-reviewers': z
    .int()
    .min(1)
    .max(6)
    .default(1)
    .describe('How many required reviewers (users or teams) the environment must list.'),
  'prevent-self-review': z
    .boolean()
    .default(false)
    .describe('Also require "Prevent self-review", so whoever started the run cannot approve it.'),
  'when-missing': z
    .enum(['fail', 'warn'])
    .default('fail')
    .describe(
      'fail: the gate fails when the environment has no required reviewers; warn: it passes with a loud warning.'
    )
})

/** The run's review history for `environment`; undefined (with a warning) when it cannot be read. */
async function reviewsOfThisRun(
  context: GateContext,
  environment: string,
  warnings: string[]
): Promise<{ lines: string[]; rejected: string[] } | undefined> {
  if (!context.workflow.runId) return undefined
  try {
    const approvals = await readRunApprovals(context.github.octokit, context.github, context.workflow.runId)
    return {
      lines: describeApprovals(approvals, environment),
      rejected: describeApprovals(
        approvals.filter((a) => a.state === 'rejected'),
        environment
      )
    }
  } catch (error) {
    warnings.push(`could not read this run's deployment reviews: ${(error as Error).message}`)
    return undefined
  }
}

/**
 * Approval is GitHub's: a job with `environment: <name>` waits until a required reviewer
 * approves. This gate makes sure that rule exists (so the promote job really is gated), says
 * loudly when it does not, and shows the run's review history as evidence (who approved or
 * rejected, with their comment); a rejection of this run fails it. It never approves anything.
 */
export const approval = defineGate({
  name: 'approval',
  description:
    "The GitHub environment has required reviewers, so GitHub's own approval gates the promote job (which must use `environment: <name>`). Checked through the environments API; warns loudly when the rule is missing, shows this run's deployment reviews (who approved or rejected, with their comment) as evidence, and fails on a rejection. It does not approve anything itself.",
  settings: approvalSettings,
  async run(settings, context) {
    const name = settings.environment ?? context.environment.name
    const protection = await getEnvironmentProtection(context.github.octokit, context.github, name)
    const reviewers = protection.requiredReviewers
    const evidence: Evidence[] = [
      {
        label: 'required reviewers',
        value: reviewers.length
          ? reviewers.map((r) => (r.type === 'Team' ? `team ${r.name}` : `@${r.name}`)).join(', ')
          : 'none',
        ...(protection.url ? { url: protection.url } : {})
      },
      ...(protection.waitTimerMinutes
        ? [{ label: 'wait timer', value: `${protection.waitTimerMinutes} min` }]
        : []),
      ...(protection.preventSelfReview !== undefined
        ? [{ label: 'prevent self-review', value: String(protection.preventSelfReview) }]
        : []),
      ...(protection.branchPolicy ? [{ label: 'deployment branches', value: protection.branchPolicy }] : []),
      ...(protection.canAdminsBypass !== undefined
        ? [{ label: 'administrators may bypass', value: protection.canAdminsBypass ? 'yes' : 'no' }]
        : [])
    ]
    const warnings: string[] = []
    // Evidence, not only configuration: who reviewed this run's deployment to the environment.
    const reviews = await reviewsOfThisRun(context, name, warnings)
    if (reviews)
      evidence.push({
        label: 'reviews of this run',
        value: reviews.lines.length
          ? `${reviews.lines.join('; ')} (before ${new Date(context.clock.now()).toISOString()})`
          : 'none yet: the promote job waits for a required reviewer'
      })

    const problems: string[] = []
    if (reviews?.rejected.length)
      problems.push(`this run's deployment to "${name}" was rejected: ${reviews.rejected.join('; ')}`)
    if (reviewers.length < settings['min-reviewers'])
      problems.push(
        reviewers.length === 0
          ? `environment "${name}" has no required reviewers, so nothing stops the promote job from running unapproved`
          : `environment "${name}" lists ${reviewers.length} required reviewer(s); ${settings['min-reviewers']} expected`
      )
    if (settings['prevent-self-review'] && protection.preventSelfReview !== true)
      problems.push(
        `environment "${name}" does not prevent self-review, so whoever starts the run can approve it`
      )
    if (problems.length === 0)
      return {
        status: 'passed',
        summary: `environment "${name}" requires approval from ${evidence[0]!.value}; the promote job waits for it when it uses environment: ${name}`,
        evidence,
        ...(warnings.length ? { warnings } : {})
      }
    const fix = `Add them under Settings → Environments → ${name} → Required reviewers`
    if (settings['when-missing'] === 'warn')
      return {
        status: 'passed',
        summary: `WARNING: ${problems.join('; ')}. ${fix}.`,
        evidence,
        warnings: [...problems.map((p) => `${p}. ${fix}.`), ...warnings]
      }
    return {
      status: 'failed',
      summary: `${problems.join('; ')}. ${fix}.`,
      evidence,
      ...(warnings.length ? { warnings } : {})
    }
  }
})
