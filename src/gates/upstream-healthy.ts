import { z } from 'zod'
import { duration } from '../config/duration.js'
import { checkAll } from '../health/check-all.js'
import { httpChecksFromConfig, probePolicyFromConfig } from '../health/from-config.js'
import { defineGate } from './gate-context.js'
import type { Evidence } from './gate-definition.js'

export const upstreamHealthySettings = z.strictObject({
  checks: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("Names of the upstream environment's health.http checks to run. Default: all of them."),
  'consecutive-successes': z
    .int()
    .min(1)
    .default(1)
    .describe(
      'Passing probes in a row each check needs. The gate asks "healthy now?", so one is the default.'
    ),
  deadline: duration.prefault('30s').describe('How long a failing check is retried before the gate fails.')
})

/**
 * The upstream environment's own health checks (its `health.http`), probed now with the same
 * prober the verify stage uses: a regression that showed up in staging stops production.
 */
export const upstreamHealthy = defineGate({
  name: 'upstream-healthy',
  description:
    "The upstream environment's configured health checks (its health.http entries) pass now, probed with the verify stage's prober. ${sha}, ${tag} and ${digest} in their expectations are the promoted values, so a version check proves upstream runs this SHA.",
  settings: upstreamHealthySettings,
  validate(settings, setup) {
    if (!setup.upstream)
      return [`a from: on ${setup.environmentName} naming the environment it promotes from`]
    const available = setup.upstream.health.http.map((c, i) => c.name ?? `health.http[${i}]`)
    if (available.length === 0)
      return [`health.http checks on ${setup.upstream.name}, the environment promoted from`]
    const unknown = (settings.checks ?? []).filter((name) => !available.includes(name))
    return unknown.length
      ? [
          `with.checks naming health.http checks of ${setup.upstream.name} (${available.join(', ')}); unknown: ${unknown.join(', ')}`
        ]
      : []
  },
  async run(settings, context) {
    const upstream = context.upstream!
    const entries = upstream.health.http.filter(
      (c, i) => !settings.checks || settings.checks.includes(c.name ?? `health.http[${i}]`)
    )
    const image = context.image
    const { checks, problems } = httpChecksFromConfig(
      entries,
      { sha: context.sha, tag: image?.tag, digest: image?.digest },
      context.env,
      `environments.${upstream.name}.health.http`
    )
    if (problems.length)
      return {
        status: 'errored',
        summary: problems.map((p) => `${p.path}: ${p.expected}`).join('; '),
        evidence: []
      }
    const base = probePolicyFromConfig(upstream.health.policy)
    const policy = {
      ...base,
      consecutiveSuccesses: settings['consecutive-successes'],
      soakMs: 0,
      deadlineMs: settings.deadline
    }
    const results = await checkAll(checks, policy, {
      logger: context.logger,
      clock: context.clock,
      signal: context.signal
    })
    const evidence: Evidence[] = results.map((r) => ({
      label: r.name,
      url: r.url,
      value: `${r.healthy ? '✓ healthy' : '✗ unhealthy'}${r.p50Ms !== null ? `, p50 ${r.p50Ms} ms` : ''}${r.healthy ? '' : `: ${r.finalReason}`}`
    }))
    const unhealthy = results.filter((r) => !r.healthy)
    if (results.some((r) => r.cancelled))
      return { status: 'errored', summary: 'health checks were cancelled', evidence }
    if (unhealthy.length)
      return {
        status: 'failed',
        summary: `${unhealthy.length} of ${results.length} health check(s) of ${upstream.name} failing: ${unhealthy.map((r) => `${r.name} (${r.finalReason})`).join('; ')}`,
        evidence
      }
    return {
      status: 'passed',
      summary: `all ${results.length} health check(s) of ${upstream.name} pass`,
      evidence
    }
  }
})
