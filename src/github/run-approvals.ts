import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'
import { pick, type Repo } from './repository-ref.js'

/** One review of a run's deployment to protected environments: who decided what, with what comment. */
export interface RunApproval {
  state: 'approved' | 'rejected' | 'pending'
  /** The reviewer's login. */
  user: string
  comment: string
  /** The environments the review covered. */
  environments: string[]
}

/**
 * The run's deployment review history (`GET /repos/{o}/{r}/actions/runs/{run_id}/approvals`):
 * who approved or rejected which of its environments. GitHub records no time on a review; a job
 * with `environment:` starts only after its approval, so an approval seen by that job happened
 * before the job started. Needs `actions: read`.
 */
export function readRunApprovals(octokit: Octokit, repo: Repo, runId: string): Promise<RunApproval[]> {
  return withPermission(Permission.actionsRead, `read the deployment reviews of run ${runId}`, async () => {
    let data
    try {
      data = (await octokit.rest.actions.getReviewsForRun({ ...pick(repo), run_id: Number(runId) })).data
    } catch (error) {
      // A token without actions: read gets 403 (reported); 404 is a run GitHub does not know.
      if ((error as { status?: number }).status === 404) return []
      throw error
    }
    return data.map((review) => ({
      state: review.state,
      user: review.user?.login ?? 'unknown',
      comment: review.comment ?? '',
      environments: (review.environments ?? []).map((e) => e.name ?? '').filter(Boolean)
    }))
  })
}

/** The reviews of `environment` in that history, as `@login approved ("comment")`. */
export function describeApprovals(approvals: RunApproval[], environment: string): string[] {
  return approvals
    .filter((a) => a.environments.includes(environment))
    .map((a) => `@${a.user} ${a.state}${a.comment ? ` ("${a.comment}")` : ''}`)
}
