import { compareCommits } from './commit-compare.js'
import type { Octokit } from './octokit-factory.js'

/**
 * Whether one commit of a repository contains another (commit-compare.ts: `identical` or
 * `ahead` means head descends from base). One request per question; callers cache the answers.
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
    async contains(descendant, commit) {
      try {
        const comparison = await compareCommits(octokit, { owner, repo }, commit, descendant)
        return comparison?.status === 'identical' || comparison?.status === 'ahead'
      } catch (error) {
        // 422: not a commit GitHub can compare (a chart version, a tag of another repository).
        if ((error as { status?: number }).status === 422) return false
        throw error
      }
    }
  }
}
