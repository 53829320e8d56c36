import { codeBlock, details, table } from '../../runtime/markdown.js'
import type { PullRequestRef } from '../../gitops/delivery/manifest-repository.js'
import type { GitOpsFileChange } from './gitops-change.js'
import { GITHUB_TOKEN_WARNING } from './pull-request-text.js'

export type GitOpsResult =
  | 'pull-request-opened'
  | 'merged'
  | 'committed'
  | 'unchanged'
  | 'dry-run'
  /** The sync step: the engine synced the change and reports it healthy, the targets rolled out. */
  | 'synced'
  /** The sync step failed (not reverted), or the revert did (these end the run: no report step). */
  | 'sync-failed'
  | 'rolled-back'

/** The job summary of a GitOps promotion: the files, previous → new image, the commit or pull request, the diffs. */
export function gitOpsSummary(facts: {
  environmentName: string
  result: GitOpsResult
  repository: string
  base: string
  branch: string
  push: 'pull-request' | 'direct'
  files: readonly GitOpsFileChange[]
  image: string
  deliveredSha?: string | undefined
  pullRequest?: PullRequestRef | undefined
  deploymentId?: number | undefined
}): string {
  const paths = facts.files.map((f) => `\`${f.path}\``).join(', ')
  const pull = facts.pullRequest ? `[#${facts.pullRequest.number}](${facts.pullRequest.url})` : ''
  const outcome = {
    unchanged: `${paths} in ${facts.repository} already point at \`${facts.image}\`: nothing to promote, nothing committed.`,
    'dry-run': `Nothing was changed. A real run would commit this edit of ${paths} in ${facts.repository} ${
      facts.push === 'direct'
        ? `to \`${facts.base}\``
        : `to branch \`${facts.branch}\` and open a pull request into \`${facts.base}\``
    }.`,
    'pull-request-opened': `Pull request ${pull} in ${facts.repository} edits ${paths}; the environment changes when it is merged and synced.`,
    merged: `Pull request ${pull} in ${facts.repository} was merged into \`${facts.base}\` as \`${facts.deliveredSha}\`; the environment changes when it is synced.`,
    committed: `Committed the edit of ${paths} to \`${facts.base}\` of ${facts.repository} as \`${facts.deliveredSha}\`; the environment changes when it is synced.`,
    synced: `${paths} in ${facts.repository} are on \`${facts.base}\` as \`${facts.deliveredSha}\`, synced and healthy (see Sync above).`,
    'sync-failed': `${paths} in ${facts.repository} are on \`${facts.base}\` as \`${facts.deliveredSha}\`; the sync failed (see Sync above).`,
    'rolled-back': `${paths} in ${facts.repository} were delivered as \`${facts.deliveredSha}\`, failed to sync and were reverted (see Sync above).`
  }[facts.result]
  return [
    `## Promotion to ${facts.environmentName}: ${facts.result}`,
    '',
    outcome,
    '',
    table(
      ['File', 'Previous image', 'New image'],
      facts.files.map((f) => [f.path, f.edit.previous ?? '(no entry)', facts.image])
    ),
    '',
    ...(facts.deploymentId !== undefined ? [`GitHub Deployment ${facts.deploymentId}.`, ''] : []),
    ...facts.files
      .filter((f) => f.edit.changed && facts.result !== 'unchanged')
      .flatMap((f) => [details(`Edit of ${f.path}`, codeBlock(f.diff, 'diff')), '']),
    ...(facts.pullRequest ? [`> [!WARNING]\n> ${GITHUB_TOKEN_WARNING}`, ''] : [])
  ].join('\n')
}
