import type { PullRequestRef } from '../../gitops/delivery/manifest-repository.js'
import { codeBlock, details } from '../../runtime/markdown.js'
import type { GitOpsFileChange } from './gitops-change.js'

/** The promotion pull request's title and body: what changes in which file, from which commit, by which run. */
export interface PullRequestFacts {
  environmentName: string
  image: string
  files: readonly GitOpsFileChange[]
  sourceSha: string
  runUrl: string
}

export function pullRequestTitle(facts: Pick<PullRequestFacts, 'image' | 'environmentName'>): string {
  return `Promote ${facts.image} to ${facts.environmentName}`
}

export const GITHUB_TOKEN_WARNING =
  'A pull request opened with the workflow’s GITHUB_TOKEN does not trigger workflows, so its checks will not run. ' +
  'Pass a GitHub App installation token as github-token for checks to run on promotion pull requests.'

/** GitHub refuses a pull request body over 65536 characters: the diffs go first. */
const BODY_LIMIT = 60_000

export function pullRequestBody(facts: PullRequestFacts): string {
  const full = bodyText(facts, true)
  return full.length <= BODY_LIMIT ? full : bodyText(facts, false)
}

function bodyText(facts: PullRequestFacts, withDiffs: boolean): string {
  const changed = facts.files.filter((f) => f.edit.changed)
  return [
    `Promotes \`${facts.image}\` to **${facts.environmentName}** by editing ${changed.map((f) => `\`${f.path}\``).join(', ')}.`,
    '',
    '| File | Previous image | New image |',
    '| --- | --- | --- |',
    ...changed.map(
      (f) =>
        `| \`${f.path}\` | ${f.edit.previous ? `\`${f.edit.previous}\`` : '(no entry)'} | \`${facts.image}\` |`
    ),
    '',
    `- Source commit: ${facts.sourceSha}`,
    `- Run: ${facts.runUrl}`,
    '',
    ...(withDiffs
      ? changed.map((f) => details(`Diff of ${f.path}`, codeBlock(f.diff, 'diff')))
      : ['The diffs are too long for this description: see the pull request’s files.']),
    '',
    '> [!WARNING]',
    `> ${GITHUB_TOKEN_WARNING}`,
    ''
  ].join('\n')
}

/** The comment an older promotion pull request is closed with. */
export function supersededComment(facts: {
  newer: PullRequestRef | undefined
  image: string
  base: string
  runUrl: string
}): string {
  return facts.newer
    ? `Superseded by #${facts.newer.number} (${facts.newer.url}), which promotes \`${facts.image}\` to this environment. Closed by promote-action: ${facts.runUrl}`
    : `Superseded: ${facts.base} already points this environment at \`${facts.image}\`. Closed by promote-action: ${facts.runUrl}`
}
