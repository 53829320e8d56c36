/** The promotion pull request's title and body: what changes, from which commit, by which run. */
export interface PullRequestFacts {
  environmentName: string
  image: string
  previous: string | undefined
  path: string
  sourceSha: string
  runUrl: string
}

export function pullRequestTitle(facts: Pick<PullRequestFacts, 'image' | 'environmentName'>): string {
  return `Promote ${facts.image} to ${facts.environmentName}`
}

export const GITHUB_TOKEN_WARNING =
  'A pull request opened with the workflow’s GITHUB_TOKEN does not trigger workflows, so its checks will not run. ' +
  'Pass a GitHub App installation token as github-token for checks to run on promotion pull requests.'

export function pullRequestBody(facts: PullRequestFacts): string {
  return [
    `Promotes \`${facts.image}\` to **${facts.environmentName}** by editing \`${facts.path}\`.`,
    '',
    '| | Image |',
    '| --- | --- |',
    `| Previous | ${facts.previous ? `\`${facts.previous}\`` : '(no entry)'} |`,
    `| New | \`${facts.image}\` |`,
    '',
    `- Source commit: ${facts.sourceSha}`,
    `- Run: ${facts.runUrl}`,
    '',
    '> [!WARNING]',
    `> ${GITHUB_TOKEN_WARNING}`,
    ''
  ].join('\n')
}
