import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'

/**
 * Whether one commit of a repository contains another, from the compare API
 * (`GET /repos/{owner}/{repo}/compare/{base}...{head}`): `identical` or `ahead` means head
 * descends from base. One request per question; callers cache the answers.
 */
export interface CommitAncestry {
  /**
   * true when `descendant` is `commit` or has it in its history; false when it does not, or
   * when the repository has no such commit (GitHub answers 404, e.g. another source's revision).
   */
  contains(descendant: string, commit: string): Promise<boolean>
}

export function gitHubCommitAncestry(octokit: Octokit, fullName: string): CommitAncestry {
  const [owner = '', repo = ''] = fullName.split('/')
  return {
    contains: (descendant, commit) =>
      withPermission(
        Permission.contentsRead,
        `compare ${commit}...${descendant} in ${fullName}`,
        async () => {
          try {
            const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
              owner,
              repo,
              basehead: `${commit}...${descendant}`,
              // Only the status is read: one commit and no files keep the answer small.
              per_page: 1
            })
            return data.status === 'identical' || data.status === 'ahead'
          } catch (error) {
            const status = (error as { status?: number }).status
            // 404: no such commit here; 422: not a commit GitHub can compare (a chart version, a tag of another repository).
            if (status === 404 || status === 422) return false
            throw error
          }
        }
      )
  }
}
