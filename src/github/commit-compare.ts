import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'
import { pick, type Repo } from './repository-ref.js'

/** How `head` relates to `base` in the repository's history, as GitHub's compare API says. */
export type CommitRelation = 'ahead' | 'behind' | 'identical' | 'diverged'

export interface CommitComparison {
  status: CommitRelation
  aheadBy: number
  behindBy: number
}

/**
 * `GET /repos/{owner}/{repo}/compare/{base}...{head}`: `behind` means head is an ancestor of
 * base (an older commit), `diverged` that neither contains the other. undefined when GitHub
 * does not know one of the commits (404).
 */
export async function compareCommits(
  octokit: Octokit,
  repo: Repo,
  base: string,
  head: string
): Promise<CommitComparison | undefined> {
  return withPermission(Permission.contentsRead, `compare ${base}...${head}`, async () => {
    try {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        ...pick(repo),
        basehead: `${base}...${head}`,
        per_page: 1
      })
      return { status: data.status as CommitRelation, aheadBy: data.ahead_by, behindBy: data.behind_by }
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined
      throw error
    }
  })
}
