import { describeResource } from '../../gitops/sync/sync-verdict.js'
import { table } from '../../runtime/markdown.js'
import type { GitOpsSyncOutcome } from './gitops-sync-wait.js'

/** One wait as a table row: what, verdict, time, why. */
function row(what: string, outcome: GitOpsSyncOutcome): string[] {
  const verdict = outcome.status === 'succeeded' ? '✅ synced and healthy' : `❌ ${outcome.status}`
  return [what, verdict, `${(outcome.durationMs / 1000).toFixed(1)} s`, outcome.message]
}

/** The sync part of a GitOps promotion's job summary: the wait, and the revert with its wait. */
export function syncSummary(facts: {
  commit: string
  outcome: GitOpsSyncOutcome
  revert?: { sha: string; outcome?: GitOpsSyncOutcome | undefined; error?: string | undefined } | undefined
}): string {
  const { outcome, revert } = facts
  const rows = [row(`${outcome.engine.label} at ${facts.commit.slice(0, 7)}`, outcome)]
  if (revert?.outcome) rows.push(row(`Revert ${revert.sha.slice(0, 7)}`, revert.outcome))
  const resources = outcome.resources.map((r) => `- ${describeResource(r)}`)
  return [
    `### Sync: ${outcome.status === 'succeeded' ? '✅' : '❌'} ${outcome.engine.label} (cluster ${outcome.cluster})`,
    '',
    table(['Wait', 'Verdict', 'Took', 'Detail'], rows),
    '',
    ...(resources.length ? ['Resources the engine names:', '', ...resources, ''] : []),
    ...(revert?.error ? [`The revert failed: ${revert.error}`, ''] : [])
  ].join('\n')
}
