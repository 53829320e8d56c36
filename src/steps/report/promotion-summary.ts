import { describeFailure } from '../../kubernetes/rollout/pod-failures.js'
import { formatDuration } from '../../kubernetes/rollout/rollout-watcher.js'
import { describeWorkload } from '../../kubernetes/kinds/workload-kinds.js'
import type { ImageReference } from '../../image/image-reference.js'
import { codeBlock, details, table } from '../../runtime/markdown.js'
import { targetKey } from '../../targets/expand-target.js'
import type { PlannedTarget } from '../plan/promotion-plan.js'
import type { TargetOutcome, WavesResult } from '../waves/run-waves.js'

export type PromotionResult = 'success' | 'failure' | 'rolled-back' | 'unchanged' | 'dry-run'

/** The `result` output: what happened to the environment as a whole. */
export function promotionResult(waves: WavesResult): PromotionResult {
  if (waves.failed || waves.cancelled)
    return waves.rolledBack && !waves.rollbackFailed ? 'rolled-back' : 'failure'
  return waves.outcomes.every((o) => o.status === 'unchanged') ? 'unchanged' : 'success'
}

/** `previous-images`: `{ "cluster/ns/deployment/api": { "app": "ghcr.io/acme/api:1.0" } }`. */
export function previousImages(plans: PlannedTarget[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    plans.map((p) => [targetKey(p), { ...p.record.images.initContainers, ...p.record.images.containers }])
  )
}

/** `revisions`: the revision before and after, per target. */
export function revisions(outcomes: TargetOutcome[]): Record<string, { before?: string; after?: string }> {
  return Object.fromEntries(
    outcomes.map((o) => [
      targetKey(o.target),
      {
        ...(o.target.record.revision ? { before: o.target.record.revision } : {}),
        ...(o.revisionAfter ? { after: o.revisionAfter } : {})
      }
    ])
  )
}

const HEADERS = [
  'Cluster',
  'Namespace',
  'Workload',
  'Container',
  'Previous → new image',
  'Revision',
  'Result',
  'Duration'
]

function rows(outcome: TargetOutcome): string[][] {
  const { target } = outcome
  const base = [target.cluster.name, target.ref.namespace, describeWorkload(target.ref)]
  const revision = `${target.record.revision ?? '-'} → ${outcome.revisionAfter ?? '-'}`
  const result = outcome.rollback ? `${outcome.status}, ${outcome.rollback.status}` : outcome.status
  const duration = formatDuration(outcome.durationMs)
  if (target.plan.status === 'already-current')
    return [[...base, target.plan.unchanged.join(', '), 'already on the image', revision, result, duration]]
  return target.plan.changes.map((c) => [
    ...base,
    c.initContainer ? `${c.container} (init)` : c.container,
    `${c.from} → ${c.to}`,
    revision,
    result,
    duration
  ])
}

export interface SummaryInput {
  environmentName: string
  image: ImageReference
  result: PromotionResult
  waves: WavesResult
  deploymentId?: number
  runUrl: string
  /** This run's deployment reviews of the environment. */
  approvals?: string[]
}

/** The job summary: a table per target, then failure details and the rollback's result. */
export function promotionSummary(input: SummaryInput): string {
  const { waves } = input
  const heading = `## Promotion to ${input.environmentName}: ${input.result}`
  const lines = [
    heading,
    '',
    `Image \`${input.image.format()}\`${input.deploymentId !== undefined ? ` · GitHub Deployment ${input.deploymentId}` : ''}${input.approvals?.length ? ` · ${input.approvals.join('; ')}` : ''}`,
    '',
    table(HEADERS, waves.outcomes.flatMap(rows))
  ]
  const troubled = waves.outcomes.filter(
    (o) => o.status !== 'succeeded' && o.status !== 'unchanged' && o.status !== 'not-started'
  )
  if (troubled.length > 0) {
    lines.push('', '### Failure details', '')
    for (const o of troubled) {
      const parts = [`**${targetKey(o.target)}**: ${o.status}: ${o.message}`]
      if (o.failures.length) parts.push('', ...o.failures.map((f) => `- ${describeFailure(f)}`))
      if (o.events.length)
        parts.push(
          '',
          details(
            'Recent Warning events',
            table(
              ['Object', 'Reason', 'Message', 'Count', 'Last seen'],
              o.events.map((e) => [e.object, e.reason, e.message, String(e.count), e.lastSeen ?? ''])
            )
          )
        )
      lines.push(...parts, '')
    }
  }
  const rolledBack = waves.outcomes.filter((o) => o.rollback)
  if (rolledBack.length > 0) {
    lines.push('', waves.rollbackFailed ? '### ⚠️ Rollback FAILED for some targets' : '### Rollback', '')
    for (const o of rolledBack)
      lines.push(`- ${targetKey(o.target)}: **${o.rollback!.status}**: ${o.rollback!.message}`)
  }
  return lines.join('\n') + '\n'
}

/**
 * The plan for the log: each target and its current -> new image, and with `patches` (a dry
 * run) each exact patch. A real run sends the patches to the debug log instead (planPatches):
 * 50 targets would otherwise add 50 lines of near-identical JSON to every promotion.
 */
export function planText(
  plans: PlannedTarget[],
  image: ImageReference,
  options: { patches: boolean }
): string {
  const out = [`Plan: promote ${image.format()} to ${plans.length} target(s)`]
  for (const p of plans) {
    if (p.plan.status === 'already-current') out.push(`- ${targetKey(p)}: ${p.plan.message}; nothing to do`)
    else {
      out.push(`- ${targetKey(p)} (revision ${p.record.revision ?? '-'}):`)
      for (const c of p.plan.changes)
        out.push(`    ${c.container}${c.initContainer ? ' (init)' : ''}: ${c.from} -> ${c.to}`)
      if (options.patches) out.push(`    patch: ${JSON.stringify(p.plan.patch)}`)
    }
  }
  return out.join('\n')
}

/** One line per target to patch: its exact patch. */
export function planPatches(plans: PlannedTarget[]): string[] {
  return plans.flatMap((p) =>
    p.plan.status === 'patch' ? [`patch for ${targetKey(p)}: ${JSON.stringify(p.plan.patch)}`] : []
  )
}

export function dryRunSummary(
  environmentName: string,
  plans: PlannedTarget[],
  image: ImageReference
): string {
  const rowsOf = (p: PlannedTarget): string[][] =>
    p.plan.status === 'already-current'
      ? [
          [
            p.cluster.name,
            p.ref.namespace,
            describeWorkload(p.ref),
            p.plan.unchanged.join(', '),
            'already on the image'
          ]
        ]
      : p.plan.changes.map((c) => [
          p.cluster.name,
          p.ref.namespace,
          describeWorkload(p.ref),
          c.container,
          `${c.from} → ${c.to}`
        ])
  const patches = plans
    .filter((p) => p.plan.status === 'patch')
    .map((p) =>
      details(
        `Patch for ${targetKey(p)}`,
        codeBlock(JSON.stringify(p.plan.status === 'patch' ? p.plan.patch : {}, null, 2), 'json')
      )
    )
  return [
    `## Promotion to ${environmentName}: dry-run`,
    '',
    `Nothing was changed. Every patch passed a server-side dry run (\`dryRun=All\`). Image \`${image.format()}\`.`,
    '',
    table(['Cluster', 'Namespace', 'Workload', 'Container', 'Current → new image'], plans.flatMap(rowsOf)),
    '',
    ...patches,
    ''
  ].join('\n')
}
