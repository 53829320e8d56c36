import type { V1PodDisruptionBudget } from '@kubernetes/client-node'
import { z } from 'zod'
import {
  assessDisruptionBudget,
  DEFAULT_DISRUPTION_FLOOR,
  type DisruptionBudgetAssessment
} from '../environment-checks/disruption-budget.js'
import { table } from '../runtime/markdown.js'
import { defineEnvironmentCheck } from './environment-check.js'
import type { Evidence } from './gate-definition.js'
import { hasLiveTargets, readLiveEnvironment } from './live-environment.js'

export const disruptionSettings = z.strictObject({
  floor: z
    .int()
    .min(0)
    .default(DEFAULT_DISRUPTION_FLOOR)
    .describe(
      "The fewest pods the budget must keep available (its desiredHealthy at full health); the seed's PodDisruptionBudget has minAvailable: 2. 0 turns the floor off."
    )
})

/**
 * Production workloads are protected by one PodDisruptionBudget that a node drain can honour
 * (disruption-budget.ts computes it as the disruption controller does). One list of
 * PodDisruptionBudgets per namespace. A rollout strategy that goes below the budget is a
 * warning: controllers delete pods rather than evict them, so it stalls drains, not the rollout.
 */
export const disruptionCheck = defineEnvironmentCheck({
  name: 'disruption',
  description:
    'Every target workload has exactly one PodDisruptionBudget selecting its pods, satisfiable with its replicas (a minAvailable equal to the replicas allows no disruption and blocks every node drain) and keeping at least floor pods available. A rollout strategy that may go below the budget is a warning. Needs list on poddisruptionbudgets.',
  settings: disruptionSettings,
  validate(_settings, setup) {
    const problems: string[] = []
    if (!hasLiveTargets(setup.environment)) problems.push(`targets on ${setup.environmentName}`)
    else if (!setup.kubernetesConfigured)
      problems.push(
        `cluster credentials to read ${setup.environmentName} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)`
      )
    return problems
  },
  byDefault: (environment, setup) =>
    environment.production === true && hasLiveTargets(environment) && setup.kubernetesConfigured,
  async check(settings, context) {
    const live = await readLiveEnvironment(context, context.environment)
    const assessments: (DisruptionBudgetAssessment & { key: string })[] = []
    for (const w of live.workloads) {
      const budgets = await live.objects.list<V1PodDisruptionBudget>(
        w.cluster.api,
        'PodDisruptionBudget',
        w.ref.namespace
      )
      assessments.push({
        key: w.key,
        ...assessDisruptionBudget({ kind: w.ref.kind, workload: w.workload, budgets, floor: settings.floor })
      })
    }
    const errors = [
      ...live.unresolved.map((u) => ({ key: u.cluster, message: u.message })),
      ...assessments.flatMap((a) =>
        a.findings.filter((f) => f.severity === 'error').map((f) => ({ key: a.key, message: f.message }))
      )
    ]
    const warnings = assessments.flatMap((a) =>
      a.findings.filter((f) => f.severity === 'warning').map((f) => f.message)
    )
    const evidence: Evidence[] = [
      ...errors.map((e) => ({ label: e.key, value: `✗ ${e.message}` })),
      ...assessments
        .filter((a) => a.findings.every((f) => f.severity !== 'error'))
        .map((a) => ({
          label: a.key,
          value: `✓ ${a.budgets.join(', ')}: ${a.desiredHealthy} of ${a.replicas} kept available, ${a.allowedDisruptions} disruption(s) allowed`
        }))
    ]
    const env = context.environment.name
    const summary =
      errors.length > 0
        ? `${errors.length} disruption budget problem(s) in ${env}: ${errors
            .slice(0, 3)
            .map((e) => e.message)
            .join('; ')}${errors.length > 3 ? '; ...' : ''}`
        : `every target workload in ${env} (${assessments.length}) has a PodDisruptionBudget that drains can honour, keeping at least ${settings.floor} pod(s)`
    return {
      result: {
        status: errors.length > 0 ? 'failed' : 'passed',
        summary,
        evidence,
        ...(warnings.length ? { warnings } : {})
      },
      markdown: table(
        ['Workload', 'Budgets', 'Replicas', 'Kept available', 'Disruptions allowed', 'Findings'],
        assessments.map((a) => [
          a.key,
          a.budgets.join(', ') || 'none',
          String(a.replicas),
          a.desiredHealthy === undefined ? '' : String(a.desiredHealthy),
          a.allowedDisruptions === undefined ? '' : String(a.allowedDisruptions),
          a.findings.map((f) => `${f.severity === 'error' ? '✗' : '⚠'} ${f.problem}`).join(', ') || '✓'
        ])
      ),
      findings: [...live.unresolved.map((u) => ({ problem: 'unresolved', ...u })), ...assessments]
    }
  }
})

export const disruption = disruptionCheck.gate
