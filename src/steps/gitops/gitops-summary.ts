import { codeBlock, details, table } from '../../runtime/markdown.js'
import type { PullRequestRef } from '../../gitops/delivery/manifest-repository.js'
import { GITHUB_TOKEN_WARNING } from './pull-request-text.js'

export type GitOpsResult =
  | 'pull-request-opened'
  | 'unchanged'
  | 'dry-run'
  /** The sync step: the engine synced the change and the targets rolled out (or the revert did). */
  | 'synced'
  | 'sync-failed'
  | 'rolled-back'

/** The job summary of a GitOps promotion: the file, previous → new image, the pull request or plan. */
export function gitOpsSummary(facts: {
  environmentName: string
  result: GitOpsResult
  repository: string
  path: string
  branch: string
  previous: string | undefined
  image: string
  diff: string
  pullRequest?: PullRequestRef | undefined
  deploymentId?: number | undefined
}): string {
  const outcome =
    facts.result === 'unchanged'
      ? `\`${facts.path}\` in ${facts.repository} already points at \`${facts.image}\`: nothing to promote, no pull request.`
      : facts.result === 'dry-run'
        ? `Nothing was changed. A real run would commit this edit of \`${facts.path}\` in ${facts.repository} to branch \`${facts.branch}\` and open a pull request.`
        : facts.result === 'synced'
          ? `\`${facts.path}\` in ${facts.repository} is on its base branch, synced and healthy (see Sync above).`
          : `Pull request [#${facts.pullRequest?.number}](${facts.pullRequest?.url}) in ${facts.repository} edits \`${facts.path}\`; the environment changes when it is merged and synced.`
  return [
    `## Promotion to ${facts.environmentName}: ${facts.result}`,
    '',
    outcome,
    '',
    table(
      ['File', 'Previous image', 'New image'],
      [[facts.path, facts.previous ?? '(no entry)', facts.image]]
    ),
    '',
    ...(facts.deploymentId !== undefined ? [`GitHub Deployment ${facts.deploymentId}.`, ''] : []),
    ...(facts.result === 'unchanged'
      ? []
      : [details(`Edit of ${facts.path}`, codeBlock(facts.diff, 'diff')), '']),
    ...(facts.result === 'pull-request-opened' ? [`> [!WARNING]\n> ${GITHUB_TOKEN_WARNING}`, ''] : [])
  ].join('\n')
}
